from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from campaigns.launch_checks import launch_check_register
        from campaigns.segment_leaves import segment_leaves_register
        from campaigns.template_views import campaign_templates_section
        from campaigns.triggers import triggers_route
        from campaigns.views import creator_messages_section
        from campaigns.whatsapp_templates import campaign_templates_launch_check
        from common.sections import page_section_register
        from events.consumers import consumer_register

        page_section_register(page="creator", section=creator_messages_section)
        # The campaign page says when a WhatsApp template it uses was stopped by Meta, and
        # launching refuses templates that are not approved (docs/whatsapp-templates.md).
        page_section_register(page="campaign", section=campaign_templates_section)
        launch_check_register(campaign_templates_launch_check)
        # Segment rules on what creators received, opened and clicked (segments/leaves.py).
        segment_leaves_register()
        # Triggered campaigns (docs/triggers.md): recorded events go to the armed campaigns
        # listening for them, through one Celery task per batch.
        consumer_register(triggers_route)
