from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from campaigns.views import creator_messages_section
        from common.sections import page_section_register

        page_section_register(page="creator", section=creator_messages_section)
