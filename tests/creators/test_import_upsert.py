"""Upsert on handle: new creators are created, existing ones updated, consent history kept."""

import io
from datetime import UTC, datetime
from decimal import Decimal

from creators.importer import creator_import_csv
from creators.models import ConsentChange, Creator
from tests.creators.csvfiles import creator_row, csv_bytes


def _import(rows, *, chunk_rows=10_000):
    return creator_import_csv(file=io.BytesIO(csv_bytes(rows)), chunk_rows=chunk_rows)


def _history(handle):
    return sorted(
        ConsentChange.objects.filter(creator__handle=handle).values_list(
            "channel", "status", "source"
        )
    )


def test_new_creator_gets_every_column_and_one_history_row_per_known_consent(db):
    result = _import([creator_row("ana_mx")])
    assert (result.created, result.updated, result.rejected) == (1, 0, 0)
    ana = Creator.objects.get(handle="ana_mx")
    assert (ana.name, ana.email, ana.phone, ana.state, ana.level) == (
        "Name ana_mx",
        "ana_mx@example.mx",
        "+525512345678",
        "JAL",
        2,
    )
    # gmv_30d comes from the gmv metrics only (programs/gmv.py): the file's column is ignored.
    assert (ana.followers, ana.gmv_30d, ana.category, ana.content_type) == (
        1500,
        Decimal("0"),
        "belleza",
        "video",
    )
    # A date without a zone is midnight in the creator's zone (Mexico City is UTC-6).
    assert ana.joined_at == datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
    assert ana.last_active_at == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    assert (ana.consent_email, ana.consent_whatsapp, ana.consent_push, ana.consent_inbox) == (
        "granted",
        "denied",
        "unknown",
        "granted",
    )
    assert _history("ana_mx") == [("email", "granted", "import"), ("whatsapp", "denied", "import")]


def test_existing_creator_is_updated_and_only_changed_consent_is_recorded(db):
    _import([creator_row("ana_mx")])
    result = _import(
        [
            creator_row(
                "ana_mx",
                name="Ana Nueva",
                level="5",
                consent_email="sí",  # unchanged: granted
                consent_whatsapp="TRUE",  # denied -> granted
                consent_push="0",  # unknown -> denied
            ),
            creator_row("beto"),
        ],
    )
    assert (result.created, result.updated, result.rejected) == (1, 1, 0)
    ana = Creator.objects.get(handle="ana_mx")
    assert (ana.name, ana.level) == ("Ana Nueva", 5)
    assert (ana.consent_email, ana.consent_whatsapp, ana.consent_push) == (
        "granted",
        "granted",
        "denied",
    )
    assert _history("ana_mx") == [
        ("email", "granted", "import"),
        ("push", "denied", "import"),
        ("whatsapp", "denied", "import"),
        ("whatsapp", "granted", "import"),
    ]


def test_blank_cells_keep_what_the_creator_already_has(db):
    _import([creator_row("ana_mx")])
    blanks = dict.fromkeys(
        ["email", "phone", "state", "level", "tags", "consent_email", "consent_whatsapp"], ""
    )
    _import([creator_row("ana_mx", **blanks)])
    ana = Creator.objects.get(handle="ana_mx")
    assert (ana.email, ana.phone, ana.state, ana.level, ana.tags) == (
        "ana_mx@example.mx",
        "+525512345678",
        "JAL",
        2,
        ["vip", "beta"],
    )
    assert (ana.consent_email, ana.consent_whatsapp) == ("granted", "denied")
    assert len(_history("ana_mx")) == 2


def test_inbox_consent_is_left_alone(db):
    Creator.objects.create(handle="ana_mx", name="Ana", consent_inbox="denied")
    _import([creator_row("ana_mx")])
    assert Creator.objects.get(handle="ana_mx").consent_inbox == "denied"


def test_duplicate_handle_in_a_later_chunk_is_rejected(db):
    rows = [creator_row(f"user_{n}") for n in range(5)] + [creator_row("user_1", name="Again")]
    result = _import(rows, chunk_rows=2)
    assert (result.created, result.updated, result.rejected) == (5, 0, 1)
    assert [(e["line"], e["field"]) for e in result.errors] == [(7, "handle")]
    assert Creator.objects.get(handle="user_1").name == "Name user_1"


def test_naive_datetimes_use_the_creators_zone(db):
    _import(
        [creator_row("tj", timezone="America/Tijuana", joined_at="2024-01-15T09:30:00")],
    )
    # Tijuana is UTC-8 in January.
    assert Creator.objects.get().joined_at == datetime(2024, 1, 15, 17, 30, tzinfo=UTC)


def test_tags_are_split_trimmed_and_deduplicated(db):
    _import([creator_row("ana_mx", tags=' vip ;"top" ; vip;a\\b;; éxito')])
    assert Creator.objects.get().tags == ["vip", '"top"', "a\\b", "éxito"]


def test_text_with_tabs_and_backslashes_survives_copy(db):
    _import([creator_row("ana_mx", name="Ana\tla \\ de\nTJ", category="mo\\da")])
    ana = Creator.objects.get()
    assert (ana.name, ana.category) == ("Ana\tla \\ de\nTJ", "mo\\da")
