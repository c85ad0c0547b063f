"""A realistic synthetic creators CSV of N rows, written to a file as it is generated.

`python -m bench.datagen OUT.csv --rows N` (or `write_creators_csv(path=..., rows=N)`).
Streams: one row at a time goes to the file, so memory stays flat whatever N is. The same
seed gives the same file. Rows follow the import format of docs/importing.md: Mexican
states and their zones, ~85% es-MX, levels skewed low, long-tailed followers and GMV,
consent rates that differ by channel, valid Mexican mobile numbers in E.164.
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


def creator_rows(rows: int, *, seed: int = 1) -> Iterator[tuple]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 12, 0, 0)
    for number in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        code, state_name, zone = rng.choice(MEXICAN_STATES)
        area = rng.choice(AREAS)
        local = "".join(rng.choices("0123456789", k=10 - len(area)))
        handle = f"{first[:3].lower().encode('ascii', 'ignore').decode()}_{number:07d}"
        joined = start - timedelta(days=rng.randint(1, 1500), seconds=rng.randint(0, 86399))
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


def write_creators_csv(*, path: str | Path, rows: int, seed: int = 1) -> Path:
    """Write a header and `rows` creators to `path`; return the path."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(creator_rows(rows, seed=seed))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_creators_csv(path=args.out, rows=args.rows, seed=args.seed)


if __name__ == "__main__":
    main()
