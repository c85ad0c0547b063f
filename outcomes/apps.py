from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self) -> None:
        # The stats page (tracking) and the education pages never import us: the outcomes
        # are sections of them.
        from common.sections import page_section_register
        from outcomes.views import campaign_outcome_section, education_outcome_section

        page_section_register(page="campaign_stats", section=campaign_outcome_section)
        page_section_register(page="education_item", section=education_outcome_section)
        page_section_register(page="education_path", section=education_outcome_section)
