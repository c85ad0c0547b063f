"""A few hundred varied creators for segment tests, and the fixed clock they are judged at."""

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from creators.models import Creator

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("America/Mexico_City"))
MEXICO = ZoneInfo("America/Mexico_City")
STATES = ["JAL", "CMX", "NLE", "MEX", "YUC", ""]
CATEGORIES = ["belleza", "moda", "hogar", ""]
TAG_WORDS = ["vip", "nuevo", "live-top", "beta"]
CONSENTS = ["granted", "denied", "unknown"]


def creator_kwargs(number: int, rng: random.Random) -> dict:
    """One creator; every few rows hits an edge: NULL dates, no tags, day boundaries."""
    if number % 7 == 0:
        last_active = None
    elif number % 11 == 0:
        # Exactly on a day boundary in Mexico City, and exactly 30 days before NOW.
        last_active = datetime(2026, 5, 1, tzinfo=MEXICO) if number % 2 else NOW - timedelta(30)
    else:
        last_active = NOW - timedelta(minutes=rng.randint(0, 400 * 24 * 60))
    joined = (
        None
        if number % 9 == 0
        else NOW - timedelta(days=rng.randint(1, 1200), hours=rng.randint(0, 23))
    )
    tags = [] if number % 4 == 0 else sorted(rng.sample(TAG_WORDS, rng.randint(1, 3)))
    return {
        "handle": f"c{number:04d}",
        "name": f"Creator {number}",
        "email": "" if number % 6 == 0 else f"c{number}@example.com",
        "phone": "" if number % 5 == 0 else f"+52155{number:08d}",
        "locale": "en" if rng.random() < 0.2 else "es-MX",
        "timezone": "America/Tijuana" if number % 10 == 0 else "America/Mexico_City",
        "state": rng.choice(STATES),
        "market": "US" if number % 25 == 0 else "MX",
        "level": min(7, int(rng.expovariate(0.6))),
        "followers": int(rng.lognormvariate(7, 2)),
        "gmv_30d": Decimal("0.00")
        if rng.random() < 0.4
        else Decimal(rng.randint(1, 5_000_000)) / 100,
        "category": rng.choice(CATEGORIES),
        "content_type": rng.choice(["video", "live", "both"]),
        "joined_at": joined,
        "last_active_at": last_active,
        "tags": tags,
        "consent_email": CONSENTS[number % 3],
        "consent_whatsapp": rng.choice(CONSENTS),
        "consent_push": CONSENTS[(number // 3) % 3],
        "consent_inbox": "denied" if number % 13 == 0 else "granted",
    }


def build_creators(count: int = 320, seed: int = 20260615) -> list[Creator]:
    rng = random.Random(seed)
    return [Creator(**creator_kwargs(number, rng)) for number in range(count)]


@pytest.fixture
def varied_creators(db) -> list[Mapping[str, Any]]:
    """320 creators saved to PostgreSQL, returned as they read back (`values()` dicts)."""
    Creator.objects.bulk_create(build_creators())
    return list(Creator.objects.values())
