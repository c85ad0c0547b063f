"""What a template sees as `creator` and `campaign`: the known fields and cheap context building.

Dispatch renders tens of thousands of messages a second, so a creator context is a plain dict
built from a `Creator` instance or from a `.values()` row, with the few derived fields added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from creators.geo import STATE_CHOICES
from creators.models import Creator

_STATE_NAMES: dict[str, str] = dict(STATE_CHOICES)

# Stored creator columns a template may read (consent columns are dispatch's business).
CREATOR_COLUMNS: tuple[str, ...] = tuple(
    field.attname
    for field in Creator._meta.concrete_fields
    if not field.attname.startswith("consent_")
)
# Values computed from the columns: name → the column(s) it is computed from.
CREATOR_DERIVED: dict[str, tuple[str, ...]] = {
    "first_name": ("name", "handle"),
    "state_name": ("state",),
}
CREATOR_FIELDS: frozenset[str] = frozenset(CREATOR_COLUMNS) | frozenset(CREATOR_DERIVED)

# Campaign values a template may read.
CAMPAIGN_FIELDS: frozenset[str] = frozenset(
    {"id", "name", "kind", "kind_label", "market", "default_locale", "send_at", "channels"}
)


def creator_first_name(*, name: str, handle: str) -> str:
    """The first word of the display name, or the handle when the creator has no name."""
    words = (name or "").split()
    return words[0] if words else (handle or "")


def creator_context_build(
    creator: Creator | Mapping[str, Any], *, fields: Iterable[str] | None = None
) -> dict[str, Any]:
    """The `creator` value of a template's context, from a Creator or a `.values()` row.

    `fields` limits the columns copied from a model instance (see
    `MessageRenderer.creator_columns`); a mapping is copied whole. Derived values are added
    whenever their source columns are present.
    """
    if isinstance(creator, Mapping):
        values = dict(creator)
    else:
        columns = CREATOR_COLUMNS if fields is None else fields
        values = {column: getattr(creator, column) for column in columns}
    if "name" in values or "handle" in values:
        values["first_name"] = creator_first_name(
            name=values.get("name") or "", handle=values.get("handle") or ""
        )
    if "state" in values:
        state = values["state"] or ""
        values["state_name"] = _STATE_NAMES.get(state, state)
    return values


def campaign_context_build(campaign: Any) -> dict[str, Any]:
    """The `campaign` value of a template's context, from a Campaign or a mapping."""
    if isinstance(campaign, Mapping):
        values = {key: campaign[key] for key in CAMPAIGN_FIELDS if key in campaign}
    else:
        values = {key: getattr(campaign, key) for key in CAMPAIGN_FIELDS if hasattr(campaign, key)}
        if hasattr(campaign, "get_kind_display"):
            values["kind_label"] = str(campaign.get_kind_display())
    if "id" not in values and isinstance(campaign, Mapping) and "pk" in campaign:
        values["id"] = campaign["pk"]
    return values


# The creator a template is trial-rendered against when saved: every field filled, so a
# template that works for it fails for a real creator only on a missing value.
SAMPLE_CREATOR: dict[str, Any] = {
    "id": 1,
    "handle": "maria.lopez",
    "name": "María López",
    "email": "maria@example.com",
    "phone": "+5215512345678",
    "locale": "es-MX",
    "timezone": "America/Mexico_City",
    "state": "JAL",
    "market": "MX",
    "level": 3,
    "followers": 12500,
    "gmv_30d": Decimal("48250.50"),
    "category": "Belleza",
    "content_type": "both",
    "joined_at": datetime(2024, 3, 5, 17, 30, tzinfo=UTC),
    "last_active_at": datetime(2025, 6, 1, 2, 15, tzinfo=UTC),
    "tags": ["top", "beauty"],
    "created_at": datetime(2024, 3, 5, 17, 30, tzinfo=UTC),
    "updated_at": datetime(2025, 6, 1, 2, 15, tzinfo=UTC),
}

SAMPLE_CAMPAIGN: dict[str, Any] = {
    "id": 1,
    "name": "Reto de verano",
    "kind": "competition",
    "kind_label": "Competition",
    "market": "MX",
    "default_locale": "es-MX",
    "send_at": datetime(2025, 7, 1, 16, 0, tzinfo=UTC),
    "channels": ["email", "push"],
}


class _SampleProps(dict):
    """An event's props in trial renders: props have no schema, so any prop a template reads
    is there (a number, which also reads as text and compares with numbers)."""

    def __missing__(self, key: str) -> int:
        return 1


# The `event` of trial renders, and of renders for a campaign that is not triggered.
SAMPLE_EVENT: dict[str, Any] = {
    "name": "sale_made",
    "props": _SampleProps(),
    "occurred_at": datetime(2025, 7, 1, 16, 0, tzinfo=UTC),
}
NO_EVENT: dict[str, Any] = {"name": "", "props": {}, "occurred_at": None}
