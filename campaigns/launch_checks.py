"""Checks other apps add to the launch path without campaigns importing them.

A check takes the campaign (locked, inside the launch transaction) and the actor, and raises
an AltavozError to refuse the launch. programs registers its materials checklist here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LaunchCheck = Callable[..., None]
_CHECKS: list[LaunchCheck] = []


def launch_check_register(check: LaunchCheck) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def launch_checks_run(*, campaign: Any, actor: Any) -> None:
    for check in list(_CHECKS):
        check(campaign=campaign, actor=actor)
