"""`manage.py whatsapp_templates_sync`: mirror Twilio's Content API templates now (the beat
task does it every WHATSAPP_TEMPLATES_SYNC_MINUTES; `make run` runs this once at start, so the
demo lists the fake's templates, one of them rejected)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from channels.whatsapp_templates import TemplateSyncFailed, whatsapp_templates_sync


class Command(BaseCommand):
    help = "Sync the WhatsApp template catalogue from Twilio's Content API."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = whatsapp_templates_sync()
        except TemplateSyncFailed as error:
            raise CommandError(str(error)) from error
        stopped = ", ".join(t.friendly_name for t in result.stopped) or "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"WhatsApp templates: {result.seen} synced, {result.created} new; "
                f"stopped: {stopped}."
            )
        )
