"""Celery tasks of programs: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from programs.gmv import gmv_30d_refresh as gmv_refresh


@shared_task
def gmv_30d_refresh() -> int:
    """Beat, daily after midnight: the day that left the 30-day window leaves gmv_30d."""
    return gmv_refresh()
