"""`manage.py seed_demo`: realistic, valid, deterministic demo creators, loaded once."""

import re
import statistics
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.core.validators import validate_email
from django.utils import timezone

from creators.geo import MEXICAN_STATES, MEXICAN_TIMEZONES
from creators.models import ConsentChange, ConsentStatus, Creator, Device, Locale, Suppression
from segments.models import Segment
from segments.rules import rules_parse

pytestmark = pytest.mark.django_db

HANDLE = re.compile(r"^[a-z0-9_.]{2,24}$")


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Creator.objects.order_by("handle").values_list(
            "handle",
            "name",
            "email",
            "phone",
            "locale",
            "timezone",
            "state",
            "level",
            "followers",
            "gmv_30d",
            "category",
            "content_type",
            "tags",
            "consent_email",
            "consent_whatsapp",
            "consent_push",
            "consent_inbox",
        )
    )


def test_every_demo_creator_passes_the_checks_the_importer_applies():
    seed(creators=1500, seed=11)
    creators = list(Creator.objects.all())
    assert len(creators) == 1500
    zones_of_state = {code: zone for code, _name, zone in MEXICAN_STATES}
    now = timezone.now()
    for creator in creators:
        assert HANDLE.match(creator.handle), creator.handle
        assert not creator.handle.endswith(".")
        assert creator.name.strip()
        if creator.email:
            validate_email(creator.email)
        if creator.phone:
            number = phonenumbers.parse(creator.phone, None)
            assert phonenumbers.is_valid_number(number), creator.phone
            assert phonenumbers.region_code_for_number(number) == "MX"
            assert creator.phone == phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
            assert len(creator.phone) == 13  # +52 and ten digits
        assert creator.locale in Locale.values
        assert creator.timezone in MEXICAN_TIMEZONES
        assert creator.state in zones_of_state
        assert creator.market == "MX"
        assert 0 <= creator.level <= 7
        assert creator.followers >= 0
        assert creator.gmv_30d >= 0
        assert creator.gmv_30d == creator.gmv_30d.quantize(Decimal("0.01"))
        assert creator.category
        assert now - timedelta(days=3 * 366) <= creator.joined_at <= creator.last_active_at <= now
        assert all(isinstance(tag, str) and tag for tag in creator.tags)
        if not creator.email:
            assert creator.consent_email == ConsentStatus.UNKNOWN
        if not creator.phone:
            assert creator.consent_whatsapp == ConsentStatus.UNKNOWN


def test_demo_creators_look_like_the_program():
    seed(creators=4000, seed=5)
    creators = list(Creator.objects.all())
    count = len(creators)

    spanish = sum(c.locale == Locale.ES_MX for c in creators) / count
    assert 0.82 <= spanish <= 0.88

    levels = Counter(c.level for c in creators)
    assert levels[0] > levels[1] > levels[3] > levels[5] > levels[7] > 0

    followers = [c.followers for c in creators]
    assert statistics.mean(followers) > 2 * statistics.median(followers)  # a long tail
    gmv = [float(c.gmv_30d) for c in creators]
    assert statistics.mean(gmv) > 2 * statistics.median(gmv)
    assert max(gmv) > 50 * statistics.median(gmv)

    assert len({c.state for c in creators}) >= 25
    assert Counter(c.state for c in creators).most_common(1)[0][0] in {"MEX", "CMX"}
    assert len({c.timezone for c in creators}) >= 6
    assert len({c.category for c in creators}) >= 8
    assert {c.content_type for c in creators} == {"video", "live", "both"}
    assert any(c.tags for c in creators) and any(not c.tags for c in creators)
    assert (max(c.last_active_at for c in creators) - min(c.joined_at for c in creators)).days > 900

    def share(field: str, status: str) -> float:
        return sum(getattr(c, field) == status for c in creators) / count

    email, whatsapp, push = (
        share(f"consent_{channel}", ConsentStatus.GRANTED)
        for channel in ("email", "whatsapp", "push")
    )
    assert 0.60 <= email <= 0.72
    assert 0.45 <= whatsapp <= 0.56
    assert 0.35 <= push <= 0.45
    for channel in ("email", "whatsapp", "push", "inbox"):
        assert share(f"consent_{channel}", ConsentStatus.DENIED) > 0
    assert share("consent_inbox", ConsentStatus.GRANTED) > 0.95


def test_consent_history_devices_and_suppressions_match_the_creators():
    seed(creators=1000, seed=8)
    # The demo conversations' one WhatsApp opt-out (conversations/demo.py) comes after the
    # seeded consent: that creator was imported with WhatsApp granted.
    keyword = ConsentChange.objects.exclude(source="import")
    assert list(keyword.values_list("channel", "status", "source")) == [
        ("whatsapp", "denied", "whatsapp_keyword")
    ]
    opted_out = keyword.get().creator_id
    recorded = Counter(
        ConsentChange.objects.filter(source="import").values_list("creator_id", "channel", "status")
    )
    expected = Counter()
    for creator in Creator.objects.all():
        for channel in ("email", "whatsapp", "push"):
            status = getattr(creator, f"consent_{channel}")
            if creator.pk == opted_out and channel == "whatsapp":
                status = ConsentStatus.GRANTED
            if status != ConsentStatus.UNKNOWN:
                expected[(creator.pk, channel, status)] += 1
        if creator.consent_inbox == ConsentStatus.DENIED:
            expected[(creator.pk, "inbox", ConsentStatus.DENIED)] += 1
    assert recorded == expected

    devices = Device.objects.select_related("creator")
    assert devices.count() > 100
    assert all(d.creator.consent_push == ConsentStatus.GRANTED for d in devices)
    assert {d.platform for d in devices} >= {"android", "ios"}
    assert all(len(d.token) > 100 for d in devices)

    emails = set(Creator.objects.values_list("email", flat=True))
    assert all(s.channel == "email" and s.address in emails for s in Suppression.objects.all())


def test_the_same_seed_gives_the_same_creators():
    seed(creators=400, seed=3)
    first = snapshot()
    Creator.objects.all().delete()
    seed(creators=400, seed=3)
    assert snapshot() == first
    Creator.objects.all().delete()
    seed(creators=400, seed=4)
    assert snapshot() != first


def test_if_empty_loads_demo_data_once():
    output = seed(creators=300, seed=1, if_empty=True)
    assert "300 creators" in output
    assert Creator.objects.count() == 300
    output = seed(creators=300, seed=1, if_empty=True)
    assert "nothing to do" in output
    assert Creator.objects.count() == 300


def test_seeding_again_adds_creators_with_fresh_handles_and_tokens():
    seed(creators=500, seed=2)
    devices = Device.objects.count()
    seed(creators=500, seed=2)
    assert Creator.objects.count() == 1000
    assert Device.objects.count() > devices
    # The demo segments and the demo campaigns' static list are made once.
    assert Segment.objects.filter(kind=Segment.Kind.DYNAMIC).count() == 3
    assert Segment.objects.filter(kind=Segment.Kind.STATIC).count() == 1


def test_demo_segments_are_valid_dynamic_segments():
    seed(creators=200, seed=9)
    segments = Segment.objects.filter(kind=Segment.Kind.DYNAMIC).order_by("name")
    assert segments.count() == 3
    for segment in segments:
        assert segment.kind == Segment.Kind.DYNAMIC
        assert segment.description
        rules_parse(segment.rules)  # raises if the rules are not valid


def test_negative_count_is_refused():
    with pytest.raises(CommandError):
        seed(creators=-1)
