"""Errors the agencies app raises on purpose; each carries a translated, actionable message."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class TransitionNotAllowed(AltavozError):
    def __init__(self, current: str | Promise, target: str | Promise) -> None:
        super().__init__(
            _("A deliverable that is %(current)s cannot become %(target)s.")
            % {"current": current, "target": target}
        )


class ActorNotAllowed(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("You may not make this change to the deliverable."))


class UploadRefused(AltavozError):
    pass


class VersionEmpty(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("Add the text, a file or a video link to submit a version."))


class CommentInvalid(AltavozError):
    pass


class VersionNotLatest(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("Only the latest version can be reviewed; open it and review that."))


class NotEducational(AltavozError):
    def __init__(self) -> None:
        super().__init__(
            _("Only an approved or delivered script, video or guide can become an education item.")
        )
