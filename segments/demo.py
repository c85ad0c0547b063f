"""The demo's segments (`manage.py seed_demo`): created through the service, rules checked."""

from __future__ import annotations

from creators.models import Creator
from segments.models import Segment
from segments.services import segment_create, segment_static_create

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


AUDIENCE_NAME = "Lista demo: creadores de la temporada"
AUDIENCE_SIZE = 300


def segment_demo_audience_create() -> Segment:
    """The static list the demo campaigns and program go to: the first creators, by handle
    (a small audience keeps the demo quick whatever ALTAVOZ_DEMO_CREATORS says)."""
    existing = Segment.objects.filter(name=AUDIENCE_NAME).first()
    if existing is not None:
        return existing
    handles = Creator.objects.order_by("pk").values_list("handle", flat=True)[:AUDIENCE_SIZE]
    return segment_static_create(
        name=AUDIENCE_NAME,
        handles=list(handles),
        description="Los creadores de las campañas y el reto de la demo.",
    ).segment
