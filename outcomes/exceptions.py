"""Errors the outcomes app raises on purpose; each carries a translated, actionable message."""

from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class OutcomeMetricUnknown(AltavozError):
    def __init__(self, metric: str, known: list[str]) -> None:
        super().__init__(
            _("Unknown metric %(metric)s: use one of %(known)s.")
            % {"metric": metric, "known": ", ".join(known)}
        )
        self.path = "metric"


class OutcomeWindowInvalid(AltavozError):
    def __init__(self, maximum: int) -> None:
        super().__init__(
            _("The window must be between 1 and %(maximum)s days.") % {"maximum": maximum}
        )
        self.path = "window_days"
