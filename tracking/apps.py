from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        from campaigns.delivery_tracking import DeliveryTracking, delivery_tracking_register
        from common.sections import page_section_register
        from tracking.dashboard import campaign_summary_section
        from tracking.links import content_tracking_add, delivery_links
        from tracking.selectors import provider_events
        from tracking.services import delivery_settle_from_provider

        page_section_register(page="campaign", section=campaign_summary_section)
        # Dispatch signs each delivery's links through these (campaigns never imports us).
        delivery_tracking_register(
            DeliveryTracking(
                links_for=delivery_links,
                content_add=content_tracking_add,
                settle_from_provider=delivery_settle_from_provider,
                provider_events=provider_events,
            )
        )
