"""Realistic Mexican affiliate creators for the demo (`manage.py seed_demo`) and benchmarks.

Everything is drawn from one `random.Random(seed)`, so the same seed gives the same creators
(dates are offsets from the moment the command runs). Rows go in batches inside one
transaction, by PostgreSQL's COPY: no query per creator.
"""

import base64
import bisect
import itertools
import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from creators.geo import MEXICAN_STATES
from creators.models import (
    CONSENT_FIELDS,
    Channel,
    ConsentChange,
    ConsentStatus,
    ContentType,
    Creator,
    Device,
    Locale,
    Suppression,
)

BATCH_SIZE = 2_000
DEFAULT_CREATORS = 50_000
DEFAULT_SEED = 20_240_601

FIRST_NAMES = (
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
    "Alejandro",
    "Regina",
    "Diego",
    "Daniela",
    "Ricardo",
    "Andrea",
    "Fernando",
    "Mariana",
    "Eduardo",
    "Paola",
    "Javier",
    "Renata",
    "Óscar",
    "Natalia",
    "Roberto",
    "Itzel",
    "Arturo",
    "Alondra",
    "Emiliano",
    "Karla",
    "Santiago",
    "Jimena",
    "Sergio",
    "Brenda",
    "Iván",
    "Abril",
    "Héctor",
    "Lupita",
    "Rodrigo",
    "Yesenia",
    "Raúl",
    "Montserrat",
    "Adrián",
    "Citlali",
    "Mauricio",
    "Dulce",
    "Gerardo",
    "Estefanía",
    "Pablo",
    "Nayeli",
    "Érick",
    "Vanessa",
    "Jesús",
    "Wendy",
    "Leonardo",
    "Ana Paula",
    "Hugo",
    "Frida",
    "Aarón",
    "Lucía",
)
LAST_NAMES = (
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
    "Jiménez",
    "Torres",
    "Díaz",
    "Gutiérrez",
    "Ruiz",
    "Mendoza",
    "Aguilar",
    "Ortiz",
    "Moreno",
    "Castillo",
    "Romero",
    "Álvarez",
    "Méndez",
    "Chávez",
    "Rivera",
    "Juárez",
    "Ramos",
    "Domínguez",
    "Herrera",
    "Medina",
    "Castro",
    "Vargas",
    "Guzmán",
    "Velázquez",
    "Rojas",
    "Contreras",
    "Salazar",
    "Luna",
    "Ortega",
    "Cervantes",
    "Estrada",
    "Bautista",
    "Delgado",
    "Peña",
    "Soto",
    "Ríos",
    "Navarro",
    "Sandoval",
)
HANDLE_WORDS = (
    "mx",
    "oficial",
    "tips",
    "shop",
    "live",
    "store",
    "beauty",
    "vlogs",
    "reviews",
    "style",
    "ofertas",
    "tienda",
    "chula",
    "compras",
    "unboxing",
    "home",
    "fit",
    "cocina",
    "makeup",
    "moda",
    "tech",
    "gamer",
    "mami",
    "papa",
    "bebe",
    "pets",
    "deco",
    "outfits",
    "hauls",
)
EMAIL_DOMAINS = (
    ("gmail.com", 62),
    ("hotmail.com", 18),
    ("outlook.com", 9),
    ("yahoo.com.mx", 6),
    ("icloud.com", 4),
    ("live.com.mx", 1),
)

# Categories with how common they are among affiliate creators.
CATEGORIES = (
    ("Belleza", 22),
    ("Moda", 20),
    ("Hogar", 12),
    ("Tecnología", 9),
    ("Alimentos", 8),
    ("Mascotas", 6),
    ("Deportes", 6),
    ("Bebés", 6),
    ("Salud", 5),
    ("Juguetes", 3),
    ("Automotriz", 2),
    ("Papelería", 1),
)
CONTENT_TYPES = ((ContentType.VIDEO, 55), (ContentType.LIVE, 15), (ContentType.BOTH, 30))
TAGS = (
    "top-seller",
    "nuevo",
    "embajador",
    "live-frecuente",
    "hot-sale-2024",
    "buen-fin-2024",
    "muestras-enviadas",
    "beta-app",
    "vip",
    "micro",
    "agencia",
    "bilingue",
    "reactivar",
)

# Rough share of creators per state (population-weighted, a bit more urban), keyed by code.
STATE_WEIGHTS = {
    "MEX": 130,
    "CMX": 125,
    "JAL": 75,
    "NLE": 65,
    "PUE": 50,
    "VER": 50,
    "GUA": 45,
    "CHH": 28,
    "BCN": 30,
    "MIC": 30,
    "OAX": 22,
    "CHP": 22,
    "TAM": 26,
    "SON": 22,
    "COA": 23,
    "GRO": 18,
    "HID": 20,
    "SIN": 20,
    "QUE": 22,
    "YUC": 17,
    "SLP": 18,
    "ROO": 16,
    "MOR": 14,
    "AGU": 11,
    "DUR": 11,
    "TAB": 14,
    "ZAC": 9,
    "TLA": 9,
    "NAY": 8,
    "CAM": 6,
    "COL": 6,
    "BCS": 7,
}
# States split across time zones: (zone, share) replacing the state's main zone for a share.
ZONE_SPLITS = {
    "CHH": ("America/Ciudad_Juarez", 0.40),
    "TAM": ("America/Monterrey", 0.45),
    "NAY": ("America/Bahia_Banderas", 0.15),
    "COA": ("America/Matamoros", 0.10),
}
# Mobile area codes by state (ten-digit national numbers: area code + subscriber number).
AREA_CODES = {
    "AGU": ("449",),
    "BCN": ("664", "686", "646"),
    "BCS": ("612", "624"),
    "CAM": ("981",),
    "CHP": ("961", "962"),
    "CHH": ("614", "656"),
    "CMX": ("55", "56"),
    "COA": ("844", "871"),
    "COL": ("312", "314"),
    "DUR": ("618",),
    "GUA": ("477", "462", "473"),
    "GRO": ("744", "747"),
    "HID": ("771",),
    "JAL": ("33", "322"),
    "MEX": ("55", "722", "56"),
    "MIC": ("443", "452"),
    "MOR": ("777",),
    "NAY": ("311",),
    "NLE": ("81",),
    "OAX": ("951",),
    "PUE": ("222", "221"),
    "QUE": ("442", "446"),
    "ROO": ("998", "984"),
    "SLP": ("444",),
    "SIN": ("667", "669"),
    "SON": ("662", "644"),
    "TAB": ("993",),
    "TAM": ("833", "899", "834"),
    "TLA": ("246",),
    "VER": ("229", "228", "921"),
    "YUC": ("999",),
    "ZAC": ("492",),
}

LEVEL_WEIGHTS = (30, 25, 17, 11, 7, 5, 3, 2)  # levels 0..7: most creators are new
# Consent per channel: (granted, denied) shares; the rest is unknown (never asked).
CONSENT_RATES: dict[str, tuple[float, float]] = {
    Channel.EMAIL: (0.70, 0.06),
    Channel.WHATSAPP: (0.55, 0.10),
    Channel.PUSH: (0.40, 0.15),
}
INBOX_OPT_OUT = 0.02
DEVICE_SHARE_OF_PUSH_GRANTED = 0.85
DEVICE_PLATFORMS = (
    (Device.Platform.ANDROID, 72),
    (Device.Platform.IOS, 25),
    (Device.Platform.WEB, 3),
)
EMAIL_BOUNCE_SHARE = 0.004


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch == " "))


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[int]]:
    values, weights = zip(*pairs, strict=True)
    return list(values), list(itertools.accumulate(weights))


Row = dict[str, Any]


@dataclass
class DemoResult:
    creators: int = 0
    devices: int = 0
    consent_changes: int = 0
    suppressions: int = 0
    segments: int = 0


class TableWriter:
    """Appends plain rows to one model's table: COPY on PostgreSQL, executemany elsewhere.

    Skipping model instances and `bulk_create` makes seeding about four times faster; the rows
    carry exactly the model's columns, so nothing is left to defaults.
    """

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in fields]
        self.table = meta.db_table
        quote = connection.ops.quote_name
        # A concrete field always has a column (`column` is None only for non-concrete ones).
        self.column_sql = ", ".join(quote(cast(str, f.column)) for f in fields)
        self.jsons = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        names, jsons = self.names, self.jsons
        tuples = []
        for row in rows:
            values = [row[name] for name in names]
            for i in jsons:
                values[i] = json.dumps(values[i], ensure_ascii=False)
            tuples.append(values)
        quoted_table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            copy_sql = f"COPY {quoted_table} ({self.column_sql}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for values in tuples:
                    copy.write_row(values)


class CreatorFactory:
    """Draws creators one at a time from a seeded generator; handles and tokens are unique."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime,
        taken_handles: set[str],
        taken_tokens: set[str],
    ) -> None:
        self.rng = rng
        self.now = now
        self.taken = taken_handles
        self.taken_tokens = taken_tokens
        self.states, self.state_cum = _weighted(tuple(STATE_WEIGHTS.items()))
        self.zones = {code: zone for code, _name, zone in MEXICAN_STATES}
        self.categories, self.category_cum = _weighted(CATEGORIES)
        self.content_types, self.content_cum = _weighted(CONTENT_TYPES)
        self.domains, self.domain_cum = _weighted(EMAIL_DOMAINS)
        self.platforms, self.platform_cum = _weighted(DEVICE_PLATFORMS)
        self.levels, self.level_cum = _weighted(tuple(enumerate(LEVEL_WEIGHTS)))
        self.ascii_first = {name: _ascii(name).replace(" ", "") for name in FIRST_NAMES}
        self.ascii_last = {name: _ascii(name).replace(" ", "") for name in LAST_NAMES}

    def _pick(self, values: list[Any], cum: list[int]) -> Any:
        # What random.choices(cum_weights=...) does, without building a list per call.
        return values[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def handle(self, first: str, last: str) -> str:
        rng = self.rng
        f, la = self.ascii_first[first], self.ascii_last[last]
        style = rng.random()
        if style < 0.30:
            base = f"{f}{la}"
        elif style < 0.50:
            base = f"{f}.{la}"
        elif style < 0.70:
            base = f"{f}_{rng.choice(HANDLE_WORDS)}"
        elif style < 0.85:
            base = f"{rng.choice(HANDLE_WORDS)}.{f}"
        else:
            base = f"{f[:4]}{la[:3]}{rng.choice(HANDLE_WORDS)}"
        base = base[:18]
        candidate = base if rng.random() < 0.3 else f"{base}{rng.randint(1, 999)}"
        while candidate in self.taken:
            candidate = f"{base}{rng.randint(1, 99_999)}"
        self.taken.add(candidate)
        return candidate

    def consent(self, channel: str) -> str:
        granted, denied = CONSENT_RATES[channel]
        draw = self.rng.random()
        if draw < granted:
            return ConsentStatus.GRANTED
        if draw < granted + denied:
            return ConsentStatus.DENIED
        return ConsentStatus.UNKNOWN

    def creator(self) -> Row:
        rng = self.rng
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        handle = self.handle(first, last)
        name = f"{first} {last}"
        if rng.random() < 0.3:
            name = f"{name} {rng.choice(LAST_NAMES)}"
        state = self._pick(self.states, self.state_cum)
        zone = self.zones[state]
        if state in ZONE_SPLITS and rng.random() < ZONE_SPLITS[state][1]:
            zone = ZONE_SPLITS[state][0]
        level = self._pick(self.levels, self.level_cum)
        # Long tails: log-normal, shifted up by level (a level-7 creator is a big account).
        followers = min(int(rng.lognormvariate(6.8 + 0.55 * level, 1.5)), 60_000_000)
        if rng.random() < 0.25 - 0.03 * level:
            gmv = Decimal("0.00")  # sold nothing in the last 30 days
        else:
            gmv_value = min(rng.lognormvariate(6.5 + 0.7 * level, 1.4), 25_000_000.0)
            gmv = Decimal(f"{gmv_value:.2f}")
        joined_at = self.now - timedelta(seconds=rng.uniform(3 * 3600, 3 * 365 * 86400))
        age = (self.now - joined_at).total_seconds()
        if rng.random() < 0.8:  # most were seen recently: exponential, mean three days
            since_active = min(rng.expovariate(1 / (3 * 86400)), age)
        else:
            since_active = rng.uniform(0, age)
        last_active_at = self.now - timedelta(seconds=since_active)

        email = ""
        if rng.random() < 0.95:
            if rng.random() < 0.5:
                user = handle.replace(".", "_")
            else:
                user = f"{self.ascii_first[first][:1]}{self.ascii_last[last]}"
            if rng.random() < 0.4:
                user = f"{user}{rng.randint(1, 99)}"
            email = f"{user}@{self._pick(self.domains, self.domain_cum)}"
        phone = ""
        if rng.random() < 0.92:
            area = rng.choice(AREA_CODES[state])
            digits = 10 - len(area)
            # Subscriber numbers don't start with 0 or 1.
            phone = f"+52{area}{rng.randint(2 * 10 ** (digits - 1), 10**digits - 1)}"

        tag_count = bisect.bisect((45, 80, 95), rng.random() * 100)
        inbox = ConsentStatus.DENIED if rng.random() < INBOX_OPT_OUT else ConsentStatus.GRANTED
        return {
            "handle": handle,
            "name": name,
            "email": email,
            "phone": phone,
            "locale": Locale.ES_MX if rng.random() < 0.85 else Locale.EN,
            "timezone": zone,
            "state": state,
            "market": "MX",
            "level": level,
            "followers": followers,
            "gmv_30d": gmv,
            "category": self._pick(self.categories, self.category_cum),
            "content_type": self._pick(self.content_types, self.content_cum),
            "joined_at": joined_at,
            "last_active_at": last_active_at,
            "tags": sorted(rng.sample(TAGS, tag_count)),
            # No quiet hours of their own: the campaign's or QUIET_HOURS apply.
            "quiet_hours_start": None,
            "quiet_hours_end": None,
            "consent_email": self.consent(Channel.EMAIL) if email else ConsentStatus.UNKNOWN,
            "consent_whatsapp": self.consent(Channel.WHATSAPP) if phone else ConsentStatus.UNKNOWN,
            "consent_push": self.consent(Channel.PUSH),
            "consent_inbox": inbox,
            "portal_revoked_at": None,
            "whatsapp_window_open_until": None,
            "created_at": joined_at,
            "updated_at": last_active_at,
        }

    def device_token(self) -> str:
        # Shaped like an FCM registration token: an instance id, a colon, then 140 characters.
        while True:
            raw = self.rng.getrandbits(8 * 120).to_bytes(120, "big")
            text = base64.urlsafe_b64encode(raw).decode()
            token = f"{text[:22]}:APA91b{text[22:162]}"
            if token not in self.taken_tokens:
                self.taken_tokens.add(token)
                return token

    def related_rows(self, creator: Row) -> tuple[list[Row], list[Row], list[Row]]:
        """The consent history, push devices and suppressions of a saved creator."""
        rng = self.rng
        creator_id = creator["id"]
        joined_at, last_active_at = creator["joined_at"], creator["last_active_at"]
        changes = []
        for channel in (Channel.EMAIL, Channel.WHATSAPP, Channel.PUSH, Channel.INBOX):
            status = creator[CONSENT_FIELDS[channel]]
            if status == ConsentStatus.UNKNOWN or (
                channel == Channel.INBOX and status == ConsentStatus.GRANTED
            ):
                continue  # nothing was ever recorded (inbox is on by default)
            recorded_at = joined_at + (last_active_at - joined_at) * (rng.random() * 0.5)
            changes.append(
                {
                    "creator_id": creator_id,
                    "channel": channel.value,
                    "status": status,
                    "source": ConsentChange.Source.IMPORT.value,
                    "recorded_at": recorded_at,
                    "reason": "",
                    "changed_by_id": None,
                }
            )
        devices = []
        if (
            creator["consent_push"] == ConsentStatus.GRANTED
            and rng.random() < DEVICE_SHARE_OF_PUSH_GRANTED
        ):
            for _ in range(1 if rng.random() < 0.9 else 2):
                devices.append(
                    {
                        "creator_id": creator_id,
                        "token": self.device_token(),
                        "platform": self._pick(self.platforms, self.platform_cum).value,
                        "last_seen_at": last_active_at - timedelta(hours=rng.uniform(0, 48)),
                    }
                )
        suppressions = []
        if creator["email"] and rng.random() < EMAIL_BOUNCE_SHARE:
            suppressions.append(
                {
                    "channel": Channel.EMAIL.value,
                    "address": creator["email"].casefold(),
                    "reason": rng.choice(
                        (Suppression.Reason.BOUNCE, Suppression.Reason.COMPLAINT)
                    ).value,
                    "detail": "demo",
                    "created_at": last_active_at,
                }
            )
        return changes, devices, suppressions


def creators_seed_demo(*, count: int, seed: int, batch_size: int = BATCH_SIZE) -> DemoResult:
    """Insert `count` demo creators (plus consent history, devices, suppressions) in bulk."""
    factory = CreatorFactory(
        rng=random.Random(seed),
        now=timezone.now(),
        taken_handles=set(Creator.objects.values_list("handle", flat=True).iterator(10_000)),
        taken_tokens=set(Device.objects.values_list("token", flat=True).iterator(10_000)),
    )
    taken_suppressions = set(Suppression.objects.values_list("channel", "address"))
    writers = {model: TableWriter(model) for model in (Creator, ConsentChange, Device, Suppression)}
    result = DemoResult()
    with transaction.atomic():
        remaining = count
        while remaining > 0:
            size = min(batch_size, remaining)
            remaining -= size
            creators = [factory.creator() for _ in range(size)]
            writers[Creator].write(creators)
            ids = dict(
                Creator.objects.filter(handle__in=[c["handle"] for c in creators]).values_list(
                    "handle", "pk"
                )
            )
            changes: list[Row] = []
            devices: list[Row] = []
            suppressions: list[Row] = []
            for creator in creators:
                creator["id"] = ids[creator["handle"]]
                creator_changes, creator_devices, creator_suppressions = factory.related_rows(
                    creator
                )
                changes += creator_changes
                devices += creator_devices
                for suppression in creator_suppressions:
                    key = (suppression["channel"], suppression["address"])
                    if key not in taken_suppressions:
                        taken_suppressions.add(key)
                        suppressions.append(suppression)
            writers[ConsentChange].write(changes)
            writers[Device].write(devices)
            writers[Suppression].write(suppressions)
            result.creators += len(creators)
            result.consent_changes += len(changes)
            result.devices += len(devices)
            result.suppressions += len(suppressions)
    return result
