from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from campaigns.views import creator_messages_section
        from creators.profile import profile_section_register

        profile_section_register(creator_messages_section)
