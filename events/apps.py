from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from common.sections import page_section_register
        from events.partitions import event_partitions_after_migrate
        from events.views import creator_events_section

        # Months ahead get their partitions as soon as the table exists (then daily, by beat).
        post_migrate.connect(event_partitions_after_migrate, sender=self)
        page_section_register(page="creator", section=creator_events_section)
