"""Segment behaviour leaf `lesson`: started / completed a given lesson or learning path.

Registered from EducationConfig.ready() (segments sits below education). One leaf is
`{"behaviour": "lesson", "stage": "started"|"completed", "lesson_id": N | "path_id": N,
"within_days": D?}`. A lesson is started once progress records a start (completing it
counts as starting it); a path is started when any of its lessons is, and completed when
every one of its lessons is (an empty path is completed by no one), the last of them
within the window when `within_days` is given.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from education.models import LearningPathItem, LearningProgress
from segments.leaves import (
    Behaviour,
    Param,
    ParamKind,
    Params,
    at_most_one,
    behaviour_register,
    since,
    window_text,
)


def _stages() -> list[tuple[str, str]]:
    return [("started", _("started")), ("completed", _("completed"))]


def _reached(stage: str) -> Q:
    """Progress rows at `stage` or further."""
    if stage == "completed":
        return Q(completed_at__isnull=False)
    return Q(started_at__isnull=False) | Q(completed_at__isnull=False)


def _in_window(stage: str, start: datetime) -> Q:
    if stage == "completed":
        return Q(completed_at__gte=start)
    return Q(started_at__gte=start) | Q(started_at__isnull=True, completed_at__gte=start)


def lesson_q(params: Params, now: datetime) -> Q:
    stage, start = params["stage"], since(params, now)
    mine = LearningProgress.objects.filter(_reached(stage), creator_id=OuterRef("pk"))
    if "lesson_id" in params:
        if start is not None:
            mine = mine.filter(_in_window(stage, start))
        return Q(Exists(mine.filter(item_id=params["lesson_id"])))
    path_id = params["path_id"]
    in_path = LearningPathItem.objects.filter(path_id=path_id).values("item_id")
    recent = mine.filter(item_id__in=in_path)
    if start is not None:
        recent = recent.filter(_in_window(stage, start))
    if stage == "started":
        return Q(Exists(recent))
    # Completed: some lesson of the path completed (in the window), and none left undone.
    undone = LearningPathItem.objects.filter(path_id=path_id).exclude(
        Exists(
            LearningProgress.objects.filter(
                creator_id=OuterRef(OuterRef("pk")),
                item_id=OuterRef("item_id"),
                completed_at__isnull=False,
            )
        )
    )
    return Q(Exists(recent)) & ~Q(Exists(undone))


def _describe(params: Params) -> str:
    if "lesson_id" in params:
        target = _("lesson %(id)d") % {"id": params["lesson_id"]}
    else:
        target = _("learning path %(id)d") % {"id": params["path_id"]}
    template = (
        _("started %(target)s") if params["stage"] == "started" else _("completed %(target)s")
    )
    return template % {"target": target} + window_text(params)


def segment_leaves_register() -> None:
    behaviour_register(
        Behaviour(
            name="lesson",
            label=lambda: _("Lesson or learning path"),
            params=(
                Param("stage", ParamKind.CHOICE, lambda: _("Stage"), True, _stages),
                Param("lesson_id", ParamKind.ID, lambda: _("Lesson (id)")),
                Param("path_id", ParamKind.ID, lambda: _("or learning path (id)")),
                Param("within_days", ParamKind.DAYS, lambda: _("Within the last (days)")),
            ),
            check=lambda params, path: at_most_one(
                params, path, ("lesson_id", "path_id"), required=True
            ),
            compile=lesson_q,
            describe=_describe,
        )
    )
