"""Build import CSVs for the tests: `csv_bytes(rows)` with the importer's header on line 1."""

import csv
import io

from creators.columns import HEADER


def creator_row(handle: str, **values: str) -> dict[str, str]:
    row = {
        "handle": handle,
        "name": f"Name {handle}",
        "email": f"{handle}@example.mx",
        "phone": "+525512345678",
        "locale": "es-MX",
        "timezone": "America/Mexico_City",
        "state": "Jalisco",
        "market": "MX",
        "level": "2",
        "followers": "1500",
        "gmv_30d": "1234.50",
        "category": "belleza",
        "content_type": "video",
        "joined_at": "2024-03-01",
        "last_active_at": "2024-06-01T10:00:00Z",
        "consent_email": "yes",
        "consent_whatsapp": "no",
        "consent_push": "",
        "tags": "vip;beta",
    }
    row.update(values)
    return row


def csv_bytes(rows: list[dict[str, str] | bytes], header: tuple[str, ...] = HEADER) -> bytes:
    """One CSV; a `bytes` item is written as a raw line (for broken rows)."""
    out = io.BytesIO()
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(header)
    out.write(text.getvalue().encode())
    for row in rows:
        if isinstance(row, bytes):
            out.write(row + b"\n")
            continue
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow([row.get(name, "") for name in header])
        out.write(text.getvalue().encode())
    return out.getvalue()
