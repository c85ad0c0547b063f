"""The demo's WhatsApp template (`manage.py seed_demo`): the approved `mision_nueva` that the
fake Content API serves (same SID, docs/whatsapp-templates.md), catalogued before the demo
campaigns use it, since the first sync only runs when beat starts. That sync then refreshes
it from the provider like any other template."""

from __future__ import annotations

from channels.models import WhatsAppTemplate
from channels.whatsapp_templates import template_fields

MISION_NUEVA_SID = "HX" + "e5a1" + "0" * 27 + "2"
MISION_NUEVA = {
    "sid": MISION_NUEVA_SID,
    "friendly_name": "mision_nueva",
    "language": "es_MX",
    "variables": {
        "1": "Ana",
        "2": "Live de temporada",
        "3": "30 de noviembre",
        "4": "live-temporada",
    },
    "types": {
        "twilio/call-to-action": {
            "body": "{{1}}, hay una misión nueva para ti: {{2}}. Tienes hasta el {{3}} para "
            "inscribirte.",
            "actions": [
                {"type": "URL", "title": "Ver misión", "url": "https://altavoz.mx/m/{{4}}"}
            ],
        }
    },
    "approval_requests": {
        "name": "mision_nueva",
        "category": "MARKETING",
        "content_type": "twilio/call-to-action",
        "status": "approved",
        "rejection_reason": "",
    },
}


def whatsapp_template_demo_create() -> WhatsAppTemplate:
    """The demo template, catalogued once (a later sync keeps it up to date)."""
    template, _created = WhatsAppTemplate.objects.get_or_create(
        sid=MISION_NUEVA_SID, defaults=template_fields(MISION_NUEVA)
    )
    return template
