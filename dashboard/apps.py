from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        # Owners hear when WhatsApp stops a template their campaign uses (channels cannot
        # import campaigns or agencies: the sync calls the listeners registered here).
        from channels.whatsapp_templates import template_stopped_listener_register
        from dashboard.template_alerts import campaign_template_stopped_notify

        template_stopped_listener_register(campaign_template_stopped_notify)
