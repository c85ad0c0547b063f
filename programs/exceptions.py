"""Errors the programs app raises on purpose; each carries a translated, actionable message."""

from django.utils.translation import gettext as _

from common.exceptions import AltavozError
from common.system_messages import SystemMessage


class ProgramInvalid(AltavozError):
    pass


class CampaignNotReady(AltavozError):
    """Launch refused: required checklist items fail (a manager may override with a reason)."""

    def __init__(self, failing: list[str]) -> None:
        super().__init__(
            _("The checklist is not complete: %(items)s. Fix these or override with a reason.")
            % {"items": "; ".join(failing)}
        )
        self.failing = failing


class OverrideReasonMissing(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("Write why the campaign should launch with failing checklist items."))


class LinkRefused(AltavozError):
    """The link checker would not connect: bad scheme, private address, too many redirects.
    `reason` keeps the message as a code, rendered in the viewer's language when shown."""

    def __init__(self, reason: SystemMessage) -> None:
        super().__init__(str(reason))
        self.reason = reason
