"""Why a portal link did not sign the creator in; each message is shown to the creator."""

from django.utils.translation import gettext_lazy as _

from common.exceptions import AltavozError


class LinkRefused(AltavozError):
    title = _("This link does not work")
    reason = ""

    def __init__(self, *, locale: str | None = None) -> None:
        super().__init__(str(self.message_text))
        # The language of the creator the link belonged to, when the link says who that is
        # (expired or turned off, not forged): the refusal page speaks it.
        self.locale = locale

    message_text = _("This link does not work. Open the latest message we sent you.")


class LinkExpired(LinkRefused):
    reason = "expired"
    title = _("This link has expired")
    message_text = _(
        "Links into your Altavoz page expire after a while. Open the most recent message "
        "we sent you, or ask your contact for a new one."
    )


class LinkInvalid(LinkRefused):
    reason = "invalid"
    title = _("This link is not valid")
    message_text = _(
        "The link is incomplete or was changed. Open it again from the message we sent you, "
        "without editing it."
    )


class LinkRevoked(LinkRefused):
    reason = "revoked"
    title = _("This link was turned off")
    message_text = _(
        "Your earlier links to Altavoz were turned off for your security. Open a message we "
        "sent you after that, or ask your contact for a new link."
    )
