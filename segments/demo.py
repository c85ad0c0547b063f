"""The demo's segments (`manage.py seed_demo`): created through the service, rules checked."""

from __future__ import annotations

from segments.models import Segment
from segments.services import segment_create

DEMO_SEGMENTS = (
    (
        "Nivel 3 o más",
        "Creadores con nivel 3 o superior.",
        {"all": [{"field": "level", "op": "gte", "value": 3}]},
    ),
    (
        "Belleza activos con WhatsApp",
        "Belleza, activos en los últimos 14 días y con WhatsApp autorizado.",
        {
            "all": [
                {"field": "category", "op": "eq", "value": "Belleza"},
                {"field": "last_active_at", "op": "within_days", "value": 14},
                {"field": "consent_whatsapp", "op": "eq", "value": "granted"},
            ]
        },
    ),
    (
        "CDMX y Edomex, LIVE",
        "Creadores de LIVE en la zona metropolitana del Valle de México.",
        {
            "all": [
                {"field": "state", "op": "in", "value": ["CMX", "MEX"]},
                {"field": "content_type", "op": "in", "value": ["live", "both"]},
            ]
        },
    ),
)


def segments_demo_create() -> int:
    """Create the demo segments that don't exist yet (their rules are checked like any other)."""
    names = [name for name, _description, _rules in DEMO_SEGMENTS]
    existing = set(Segment.objects.filter(name__in=names).values_list("name", flat=True))
    created = 0
    for name, description, rules in DEMO_SEGMENTS:
        if name not in existing:
            segment_create(name=name, rules=rules, description=description)
            created += 1
    return created
