from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class EventRefused(AltavozError):
    """An event Altavoz emits itself was refused: a bug in the emitting code, not user input."""

    def __init__(self, *, name: str, reason: str) -> None:
        super().__init__(
            _("The event %(name)s was refused: %(reason)s") % {"name": name, "reason": reason}
        )
        self.reason = reason
