"""Channel tasks: load and call a service."""

from celery import shared_task

from channels import whatsapp_templates


@shared_task(
    autoretry_for=(whatsapp_templates.TemplateSyncFailed,), retry_backoff=True, max_retries=3
)
def whatsapp_templates_sync() -> None:
    """Mirror Twilio's Content API templates (beat, and the templates page's "Sync now")."""
    whatsapp_templates.whatsapp_templates_sync()
