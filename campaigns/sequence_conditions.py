"""What sequence conditions need from apps above campaigns, registered by those apps.

"Enrolled" (a step's `not_enrolled` condition and the `enrolled` exit rule) is about the
programs a campaign belongs to; programs registers how to find its enrolled creators when it
loads, so campaigns never imports programs. Without programs installed nobody is enrolled.

"Replied" (the `replied` exit rule, and a step's `replied` / `not_replied` condition) is about
the creators' WhatsApp answers, which the conversations app keeps and registers the same way.
Without it nobody replied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class EnrolmentSource:
    # SQL true when the creator in `<alias>.creator_id` is enrolled in a program of the campaign.
    exists_sql: Callable[[Any, str], str]
    # The ids of the creators enrolled in a program of the campaign, as a subquery.
    creator_ids: Callable[[Any], QuerySet]


_SOURCE: list[EnrolmentSource] = []


def enrolment_source_register(source: EnrolmentSource) -> None:
    _SOURCE[:] = [source]


def enrolled_sql(*, campaign: Any, alias: str = "d") -> str:
    if not _SOURCE:
        return "FALSE"
    return _SOURCE[0].exists_sql(campaign, alias)


def enrolled_creator_ids(*, campaign: Any) -> QuerySet | None:
    """None when no app keeps enrolments (then nobody is enrolled)."""
    return _SOURCE[0].creator_ids(campaign) if _SOURCE else None


# SQL true when the creator in `<alias>.creator_id` replied to a WhatsApp message of the campaign.
_REPLIED: list[Callable[[Any, str], str]] = []


def replied_source_register(exists_sql: Callable[[Any, str], str]) -> None:
    _REPLIED[:] = [exists_sql]


def replied_sql(*, campaign: Any, alias: str = "d") -> str:
    if not _REPLIED:
        return "FALSE"
    return _REPLIED[0](campaign, alias)


# SQL true when the creator in `<alias>.creator_id` replied, at or before the `%s` parameter
# (a timestamp), to their delivery of (campaign, run, step): `(campaign, run, step, alias)`.
_STEP_REPLIED: list[Callable[[Any, int, int, str], str]] = []


def step_replied_source_register(exists_sql: Callable[[Any, int, int, str], str]) -> None:
    _STEP_REPLIED[:] = [exists_sql]


def step_replied_sql(*, campaign: Any, run: int, step: int, alias: str = "d") -> tuple[str, int]:
    """The SQL and how many `%s` (the time) it takes; step 0 is the campaign's own send."""
    if not _STEP_REPLIED:
        return "FALSE", 0
    return _STEP_REPLIED[0](campaign, run, step, alias), 1
