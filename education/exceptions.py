"""Errors the education app raises on purpose; each carries a translated, actionable message."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class TransitionNotAllowed(AltavozError):
    def __init__(self, current: str | Promise, target: str | Promise) -> None:
        super().__init__(
            _("A content item cannot go from %(current)s to %(target)s.")
            % {"current": current, "target": target}
        )


class ContentNotReady(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("Add a Spanish (Mexico) version with a title before publishing."))
