from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        from common.sections import page_section_register
        from tracking.dashboard import campaign_summary_section

        page_section_register(page="campaign", section=campaign_summary_section)
