from typing import Any

from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class ConversationError(AltavozError):
    pass


class ConversationConflict(ConversationError):
    """Refused because of the conversation's state (the API answers 409)."""


class WindowClosed(ConversationConflict):
    """Free text to a creator whose 24-hour WhatsApp window is closed (Twilio error 63016)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "The creator has not written in the last 24 hours: WhatsApp only accepts an "
                "approved template now."
            )
        )


class ReplyInvalid(ConversationError):
    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class ReplyTemplateInvalid(ReplyInvalid):
    """A reply's template that is not in the catalogue, or variables that are not exactly its
    placeholders: `errors` are the wizard's line/cause errors (the API answers 400)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(str(errors[0]["message"]), str(errors[0]["field"]))
        self.errors = errors


class ReplyTemplateNotApproved(ConversationConflict):
    """A reply's template that WhatsApp has not approved, or has stopped (the API answers 409)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(str(errors[0]["message"]))
        self.path = str(errors[0]["field"])
        self.errors = errors


class NoPhone(ConversationConflict):
    def __init__(self) -> None:
        super().__init__(_("This conversation has no WhatsApp number to write to."))


class ConversationLinkRefused(ConversationError):
    pass


class OptedOut(ConversationConflict):
    def __init__(self) -> None:
        super().__init__(
            _("The creator opted out of WhatsApp; nothing can be sent until they opt back in.")
        )
