"""Every CSV Altavoz writes neutralises formula cells (OWASP CSV injection): the creator
export, the campaign stats and the program post-mortem; numbers stay numbers."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from common.csv import csv_cell_safe, csv_has_nul, csv_writer
from creators.models import Creator
from tests.support.factories import campaign_make, program_make
from tracking.models import Rollup

FORMULAS = ['=HYPERLINK("http://x.example","y")', "@SUM(1+1)", "+1+cmd", "-2+3", "\tx", "\rx"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_get_a_leading_quote(value):
    assert csv_cell_safe(value) == "'" + value


@pytest.mark.parametrize(
    "value", [-5, 3.5, Decimal("-12.50"), "-5", "+525512345678", "-0.25", "", "Ana", "a=b", None]
)
def test_numbers_and_plain_text_are_left_alone(value):
    assert csv_cell_safe(value) == value


def test_the_writer_neutralises_every_row():
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["=1+1", -5, "-5"])
    writer.writerows([["@x", "ok"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "-5", "-5"], ["'@x", "ok"]]


def test_nul_detection():
    assert csv_has_nul(["a", "b\x00c"])
    assert not csv_has_nul(["a", None, "b"])


def test_the_admin_creator_export_neutralises_formulas(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="ops", password="x", email="o@x.mx")
    client.force_login(user)
    creator = Creator.objects.create(
        handle="ana",
        name='=HYPERLINK("http://evil.example","clic")',
        category="@SUM(1+1)",
        tags=["-2+3", "vip"],
        phone="+525512345678",
    )
    response = client.post(
        reverse("admin:creators_creator_changelist"),
        {"action": "export_csv", "_selected_action": [creator.pk]},
    )
    text = b"".join(response.streaming_content).decode()
    row = list(csv.DictReader(io.StringIO(text)))[0]
    assert row["name"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row["category"] == "'@SUM(1+1)"
    assert row["tags"] == "'-2+3;vip"
    assert row["phone"] == "+525512345678"  # a plain number: unchanged
    assert row["followers"] == "0"


def test_the_post_mortem_csv_neutralises_formulas(db, role_client):
    program = program_make(name='=HYPERLINK("http://evil.example")')
    program.notes = "@SUM(A1:A9)"
    program.save(update_fields=["notes"])
    response = role_client("manager").get(f"/programs/{program.pk}/post-mortem.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["program", "name", '\'=HYPERLINK("http://evil.example")'] in rows
    assert ["notes", "notes", "'@SUM(A1:A9)"] in rows
    assert ["totals", "enrolments", "0"] in rows


def test_the_stats_csv_neutralises_formulas(db, client, django_user_model):
    campaign = campaign_make(name="Stats", channels=("inbox",), locales=("es-MX",))
    Rollup.objects.create(
        campaign=campaign,
        channel="inbox",
        locale="es-MX",
        variant="=1+2",
        hour=timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1),
        opened=1,
    )
    user = django_user_model.objects.create_user(username="analyst", password="x")
    user.groups.add(Group.objects.get(name="analyst"))
    client.force_login(user)
    response = client.get(f"/stats/campaigns/{campaign.pk}/stats.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    variants = {row["variant"] for row in rows}
    assert "'=1+2" in variants and "=1+2" not in variants
