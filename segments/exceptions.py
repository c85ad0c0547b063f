"""Errors the segments app raises on purpose; each message says what to fix."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class SegmentRulesInvalid(AltavozError):
    """A rule tree that cannot be compiled; `path` points at the bad node (`all[2].any[0].value`)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        where = path or _("the rules")
        super().__init__(_("%(path)s: %(reason)s") % {"path": where, "reason": reason})


class SegmentHandlesEmpty(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("A static segment needs at least one handle."))


class SegmentKindMismatch(AltavozError):
    def __init__(self, segment_name: str, expected: str | Promise) -> None:
        super().__init__(
            _("Segment “%(name)s” is not a %(kind)s segment.")
            % {"name": segment_name, "kind": expected}
        )


class SegmentNameInvalid(AltavozError):
    def __init__(self, max_length: int) -> None:
        super().__init__(
            _("A segment needs a name of 1 to %(max)d characters.") % {"max": max_length}
        )


class SegmentListNothingMatched(AltavozError):
    """No handle of a pasted or uploaded list is a creator: nothing is saved."""

    def __init__(self, unknown: list[tuple[int, str]]) -> None:
        self.unknown = unknown
        super().__init__(_("None of these handles is a creator: no list was made."))
