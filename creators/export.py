"""Creators as CSV, in the import's columns (creators/columns.py), so an export can be edited
and imported again. Streamed: rows leave in chunks from a server-side cursor, so exporting a
million creators holds one chunk in memory, never the whole table."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from common.csv import csv_writer
from creators.columns import HEADER
from creators.models import ConsentStatus, Creator

_CONSENT_CELLS: dict[str, str] = {ConsentStatus.GRANTED: "yes", ConsentStatus.DENIED: "no"}
EXPORT_CHUNK = 2000


def _consent_cell(status: str) -> str:
    return _CONSENT_CELLS.get(status, "")


class _Echo:
    def write(self, value: str) -> str:
        return value


def creator_export_lines(queryset: QuerySet[Creator]) -> Iterator[str]:
    """The header, then one CSV line per creator, by id. Formula-looking cells are
    neutralised (common.csv)."""
    writer = csv_writer(_Echo())
    yield writer.writerow(HEADER)
    for creator in queryset.order_by("pk").iterator(chunk_size=EXPORT_CHUNK):
        yield writer.writerow(
            [
                creator.handle,
                creator.name,
                creator.email,
                creator.phone,
                creator.locale,
                creator.timezone,
                creator.state,
                creator.market,
                creator.level,
                creator.followers,
                creator.gmv_30d,
                creator.category,
                creator.content_type,
                creator.joined_at.isoformat() if creator.joined_at else "",
                creator.last_active_at.isoformat() if creator.last_active_at else "",
                *(_consent_cell(creator.consent_for(ch)) for ch in ("email", "whatsapp", "push")),
                ";".join(creator.tags),
            ]
        )
