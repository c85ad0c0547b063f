from django.utils.translation import gettext as _
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


class InvitationInvalid(AltavozError):
    """The invitation link is forged, expired, replaced by a newer one, or already used."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This invitation link is not valid any more: it expired, was replaced by a "
                "newer one or was already used. Ask whoever invited you for a new link."
            )
        )


class EmailTaken(AltavozError):
    def __init__(self, *, email: str) -> None:
        super().__init__(
            _("%(email)s already has an active account in Altavoz.") % {"email": email}
        )


class EmailInAgency(AltavozError):
    def __init__(self, *, email: str) -> None:
        super().__init__(
            _("%(email)s works for an agency: manage them from that agency’s page.")
            % {"email": email}
        )


class SelfChangeRefused(AltavozError):
    def __init__(self) -> None:
        super().__init__(
            _("You cannot change your own role or account; ask another admin to do it.")
        )


class LastAdminRefused(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("This is the last active admin: make someone else an admin first."))


class RoleRefused(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("This role cannot be given here."))
