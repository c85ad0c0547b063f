from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self) -> None:
        # The stats page (tracking) never imports us: the outcome is a section of it.
        from common.sections import page_section_register
        from outcomes.views import campaign_outcome_section

        page_section_register(page="campaign_stats", section=campaign_outcome_section)
