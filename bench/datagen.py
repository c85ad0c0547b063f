"""A realistic synthetic creators CSV of N rows, written to a file as it is generated.

`python -m bench.datagen OUT.csv --rows N [--encoding cp1252]` (or
`write_creators_csv(path=..., rows=N)`). Streams: one row at a time goes to the file, so memory
stays flat whatever N is. The same seed gives the same file.

The rows are written the way creator exports from spreadsheets and partner tools really look,
not the way Altavoz stores them: the columns in another order with a partner's own columns
mixed in (`seller_id`, `país`), phones with spaces, dashes and parentheses, about a third in
the WhatsApp form `+521…` or `521…`, some national (`55 1234 5678`), a few foreign ones and
a few typos; state names with accents (`Nuevo León`) or codes or `CDMX`; dates with UTC
offsets (`2025-03-07 18:22:05-06:00`), `Z`, or bare dates; tags with spaces after `;`; mixed
case consent words. `--encoding cp1252` writes what Excel on a Spanish Windows saves as CSV.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from creators.columns import HEADER
from creators.geo import MEXICAN_STATES

# The order of a partner's export: its own id first, the contact block, the rest, a note last.
EXPORT_HEADER: tuple[str, ...] = (
    "seller_id",
    "handle",
    "name",
    "phone",
    "email",
    "state",
    "market",
    "timezone",
    "locale",
    "followers",
    "gmv_30d",
    "level",
    "category",
    "content_type",
    "joined_at",
    "last_active_at",
    "consent_whatsapp",
    "consent_email",
    "consent_push",
    "tags",
    "país",
)

FIRST = (
    "María",
    "José",
    "Guadalupe",
    "Juan",
    "Fernanda",
    "Luis",
    "Sofía",
    "Carlos",
    "Valentina",
    "Miguel",
    "Ximena",
    "Jorge",
    "Camila",
    "Diego",
    "Daniela",
    "Itzel",
)
LAST = (
    "Hernández",
    "García",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Morales",
    "Vázquez",
    "Reyes",
)
DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "icloud.com")
CATEGORIES = (
    "belleza",
    "moda",
    "hogar",
    "tecnología",
    "mascotas",
    "deportes",
    "bebés",
    "cocina",
    "salud",
    "juguetes",
)
TAGS = ("vip", "nuevo", "live-top", "mayoreo", "afiliado-2024", "beta")
# Area codes phonenumbers accepts for Mexican numbers (CDMX, GDL, MTY, Puebla, Cancún, Tijuana…).
AREAS = ("55", "56", "33", "81", "222", "998", "664", "442", "477", "999")
LEVEL_WEIGHTS = (40, 22, 14, 9, 6, 4, 3, 2)


def _consent(rng: random.Random, granted: float, denied: float) -> str:
    draw = rng.random()
    if draw < granted:
        return rng.choice(("yes", "sí", "true", "1"))
    if draw < granted + denied:
        return rng.choice(("no", "false", "0"))
    return ""


def _person(rng: random.Random, number: int, start: datetime) -> tuple:
    """The draws both generators share, in the order the plain file has always made them."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    code, state_name, zone = rng.choice(MEXICAN_STATES)
    area = rng.choice(AREAS)
    local = "".join(rng.choices("0123456789", k=10 - len(area)))
    handle = f"{first[:3].lower().encode('ascii', 'ignore').decode()}_{number:07d}"
    joined = start - timedelta(days=rng.randint(1, 1500), seconds=rng.randint(0, 86399))
    return first, last, code, state_name, zone, area, local, handle, joined


def creator_rows(rows: int, *, seed: int = 1) -> Iterator[tuple]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 12, 0, 0)
    for number in range(rows):
        first, last, code, state_name, zone, area, local, handle, joined = _person(
            rng, number, start
        )
        active = joined + timedelta(days=rng.randint(0, 300))
        yield (
            handle,
            f"{first} {last}",
            f"{handle}@{rng.choice(DOMAINS)}" if rng.random() < 0.9 else "",
            f"+52{area}{local}" if rng.random() < 0.95 else "",
            "es-MX" if rng.random() < 0.85 else "en",
            zone,
            code if rng.random() < 0.5 else state_name,
            "MX",
            rng.choices(range(8), LEVEL_WEIGHTS)[0],
            int(rng.paretovariate(1.2) * 200),
            f"{rng.paretovariate(1.5) * 500:.2f}",
            rng.choice(CATEGORIES),
            rng.choice(("video", "video", "live", "both")),
            joined.date().isoformat() if rng.random() < 0.5 else joined.isoformat(),
            active.isoformat() + "Z" if rng.random() < 0.3 else active.isoformat(),
            _consent(rng, 0.55, 0.10),
            _consent(rng, 0.40, 0.15),
            _consent(rng, 0.30, 0.05),
            ";".join(rng.sample(TAGS, rng.choice((0, 0, 1, 2)))),
        )


def _phone_as_exported(rng: random.Random, area: str, local: str) -> str:
    """A Mexican mobile the way exports write it: E.164, spaced, WhatsApp's +521, national."""
    national = area + local
    spaced = f"{area} {local[:-4]} {local[-4:]}"
    draw = rng.random()
    if draw < 0.20:
        return f"+52{national}"
    if draw < 0.40:
        return f"+52 {spaced}"
    if draw < 0.55:
        return f"+521{national}"
    if draw < 0.65:
        return f"+52 1 {spaced}"
    if draw < 0.72:
        return f"521{national}"
    if draw < 0.85:
        return spaced
    if draw < 0.92:
        return f"({area}) {local[:-4]}-{local[-4:]}"
    if draw < 0.97:
        return national
    if draw < 0.99:
        return rng.choice(("+1 415 555 0134", "+34 612 345 678", "+57 301 2345678"))
    return rng.choice(("55 1234", "tel. pendiente", "000"))  # a typo: imported without it


def _when_as_exported(rng: random.Random, moment: datetime) -> str:
    draw = rng.random()
    if draw < 0.35:
        return moment.strftime("%Y-%m-%d %H:%M:%S") + rng.choice(("-06:00", "-07:00", "-05:00"))
    if draw < 0.55:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if draw < 0.80:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def realistic_rows(rows: int, *, seed: int = 1) -> Iterator[tuple]:
    """Rows in EXPORT_HEADER's order, written as exports write them (see the module doc)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 12, 0, 0)
    for number in range(rows):
        first, last, code, state_name, zone, area, local, handle, joined = _person(
            rng, number, start
        )
        active = joined + timedelta(days=rng.randint(0, 300), seconds=rng.randint(0, 86399))
        state_draw = rng.random()
        if state_draw < 0.6:
            state = state_name
        elif state_draw < 0.9:
            state = code
        else:
            state = "CDMX" if code == "CMX" else state_name.upper()
        tags = rng.sample(TAGS, rng.choice((0, 0, 1, 2, 3)))
        yield (
            f"S{rng.randint(10**8, 10**9 - 1)}",
            ("@" if rng.random() < 0.3 else "") + handle,
            f"{first} {last}",
            _phone_as_exported(rng, area, local) if rng.random() < 0.95 else "",
            f"{handle}@{rng.choice(DOMAINS)}" if rng.random() < 0.9 else "",
            state,
            "MX",
            zone if rng.random() < 0.7 else "",
            rng.choice(("es-MX", "es_MX", "es-mx")) if rng.random() < 0.85 else "en",
            int(rng.paretovariate(1.2) * 200),
            f"{rng.paretovariate(1.5) * 500:.2f}",
            rng.choices(range(8), LEVEL_WEIGHTS)[0],
            rng.choice(CATEGORIES),
            rng.choice(("video", "Video", "live", "both")),
            _when_as_exported(rng, joined),
            _when_as_exported(rng, active),
            _consent(rng, 0.40, 0.15).capitalize(),
            _consent(rng, 0.55, 0.10),
            _consent(rng, 0.30, 0.05).upper(),
            "; ".join(tags),
            "México",
        )


def write_creators_csv(
    *,
    path: str | Path,
    rows: int,
    seed: int = 1,
    realistic: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """Write a header and `rows` creators to `path`; return the path. `realistic` writes them as
    exports do (EXPORT_HEADER, see the module doc) instead of in Altavoz's own format."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        if realistic:
            writer.writerow(EXPORT_HEADER)
            writer.writerows(realistic_rows(rows, seed=seed))
        else:
            writer.writerow(HEADER)
            writer.writerows(creator_rows(rows, seed=seed))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="Altavoz's own format, not an export")
    parser.add_argument("--encoding", default="utf-8", help="utf-8 (default), utf-8-sig, cp1252…")
    args = parser.parse_args()
    write_creators_csv(
        path=args.out,
        rows=args.rows,
        seed=args.seed,
        realistic=not args.plain,
        encoding=args.encoding,
    )


if __name__ == "__main__":
    main()
