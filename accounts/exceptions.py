from django.utils.translation import ngettext

from common.exceptions import AltavozError


class SigninPaused(AltavozError):
    """Too many failed sign-ins: this one is refused without checking the password."""

    def __init__(self, *, minutes: int) -> None:
        super().__init__(
            ngettext(
                "Too many failed sign-ins. Sign-in is paused for %(minutes)d minute; "
                "try again then.",
                "Too many failed sign-ins. Sign-in is paused for %(minutes)d minutes; "
                "try again then.",
                minutes,
            )
            % {"minutes": minutes}
        )
        self.minutes = minutes
