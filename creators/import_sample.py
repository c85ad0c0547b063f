"""The sample file the import page offers: every column, and rows written in the forms people
really use (a partial row, `+521` and spaced phones, state names with accents, dates with an
offset), so a person can start from it in a spreadsheet."""

from __future__ import annotations

import codecs
from typing import Any

from common.csv import csv_writer
from creators.columns import HEADER

SAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {
        "handle": "maria.lopez",
        "name": "María López",
        "email": "maria@example.mx",
        "phone": "+525512345678",
        "locale": "es-MX",
        "timezone": "America/Mexico_City",
        "state": "Ciudad de México",
        "market": "MX",
        "level": "3",
        "followers": "12500",
        "gmv_30d": "15230.50",
        "category": "belleza",
        "content_type": "both",
        "joined_at": "2024-05-31",
        "last_active_at": "2026-11-30 18:22:05-06:00",
        "consent_email": "sí",
        "consent_whatsapp": "sí",
        "consent_push": "",
        "tags": "vip;live-top",
    },
    {
        "handle": "jose_pena",
        "name": "José Peña",
        "phone": "521 81 1234 5678",
        "state": "Nuevo León",
        "followers": "8.2K",
        "consent_whatsapp": "yes",
    },
    {"handle": "ana.creates", "email": "ana@example.com", "locale": "en", "state": "JAL"},
)


def import_sample_write(out: Any) -> None:
    """Write the sample CSV (UTF-8 with a byte-order mark, so Excel shows its accents)."""
    out.write(codecs.BOM_UTF8.decode())
    writer = csv_writer(out)
    writer.writerow(HEADER)
    for row in SAMPLE_ROWS:
        writer.writerow([row.get(name, "") for name in HEADER])
