"""Errors the markets app raises on purpose; each carries a translated, actionable message."""

from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class StepsInvalid(AltavozError):
    """A channel sequence that does not read as `channel@day:purpose;…`."""


class PlaybookImportInvalid(AltavozError):
    """The whole file is refused (not CSV, or required columns missing)."""


class ProposalStateError(AltavozError):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(
            _("A proposal that is “%(current)s” cannot become “%(wanted)s”.")
            % {"current": current, "wanted": wanted}
        )


class ProposalNotEditable(AltavozError):
    def __init__(self, status: str) -> None:
        super().__init__(
            _(
                "Only a draft proposal is edited; this one is “%(status)s”. Move it back to draft "
                "first."
            )
            % {"status": status}
        )


class ProposalOutcomeEarly(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("Record the measured outcome once the proposal is accepted."))


class ProposalOutcomeMissing(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("Write the measured outcome."))


class AdaptationNotReady(AltavozError):
    def __init__(self, open_items: list[str]) -> None:
        super().__init__(
            _("Finish the localisation tasks before launching: %(items)s")
            % {"items": "; ".join(open_items)}
        )
        self.open_items = open_items


class MeasurementPlanLocked(AltavozError):
    def __init__(self) -> None:
        super().__init__(
            _("The measurement plan is recorded before launch: this campaign is no longer a draft.")
        )
