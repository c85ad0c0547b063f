"""The audit log filters by person, local date range and object; links each row to its
object while it exists; pages; and answers bad filters with a 400, never a 500."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import audit_record
from tests.support.factories import client_for, segment_make, user_make

pytestmark = pytest.mark.django_db

MX = ZoneInfo("America/Mexico_City")


def _at(entry: AuditEntry, when: datetime) -> None:
    AuditEntry.objects.filter(pk=entry.pk).update(at=when)


@pytest.fixture
def manager_client():
    return client_for(user_make("gerente", role="manager"))


def _entries(response) -> set[int]:
    html = response.content.decode()
    return {int(part.split('"', 1)[0]) for part in html.split('data-entry="')[1:]}


def test_filters_by_person_and_by_the_system(manager_client):
    ana, beto = user_make("ana", role="editor"), user_make("beto", role="editor")
    by_ana = audit_record(actor=ana, action="segment.create", target_type="segment", target_id=1)
    by_beto = audit_record(actor=beto, action="segment.create", target_type="segment", target_id=2)
    by_system = audit_record(actor=None, action="signin.fail", target_type="user", target_id="")
    page = manager_client.get(reverse("audit-log"), {"person": ana.pk})
    assert page.status_code == 200 and _entries(page) == {by_ana.pk}
    page = manager_client.get(reverse("audit-log"), {"person": "system"})
    assert _entries(page) == {by_system.pk}
    everyone = manager_client.get(reverse("audit-log"))
    assert _entries(everyone) == {by_ana.pk, by_beto.pk, by_system.pk}
    # The person filter is a list of names, not an id box.
    assert '<select name="person"' in everyone.content.decode()
    assert ">ana</option>" in everyone.content.decode()


def test_date_range_is_local_days_both_included(manager_client, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    entries = {}
    for day, hour in ((1, 23), (2, 0), (3, 23), (4, 0)):
        entry = audit_record(actor=None, action="segment.update", target_type="segment")
        _at(entry, datetime(2026, 11, day, hour, 30, tzinfo=MX))
        entries[(day, hour)] = entry.pk
    page = manager_client.get(reverse("audit-log"), {"since": "2026-11-02", "until": "2026-11-03"})
    assert _entries(page) == {entries[(2, 0)], entries[(3, 23)]}


def test_filters_by_object_type_and_id(manager_client):
    segment = segment_make(name="Norte")
    other = segment_make(name="Sur")
    page = manager_client.get(reverse("audit-log"), {"type": "segment", "id": segment.pk})
    shown = AuditEntry.objects.filter(target_type="segment", target_id=str(segment.pk))
    assert _entries(page) == set(shown.values_list("pk", flat=True)) != set()
    assert not set(
        AuditEntry.objects.filter(target_id=str(other.pk)).values_list("pk", flat=True)
    ) & _entries(page)


def test_rows_link_to_objects_that_still_exist(manager_client):
    kept = segment_make(name="Se queda")
    gone = segment_make(name="Se va")
    gone_pk = gone.pk
    gone.delete()
    html = manager_client.get(reverse("audit-log"), {"type": "segment"}).content.decode()
    assert f'href="{kept.get_absolute_url()}" class="object-link"' in html
    assert f"/segments/{gone_pk}/" not in html
    assert "Se va" in html  # still listed, by its label, without a link


def test_user_rows_link_to_the_team_page_only_for_who_manages_people(manager_client):
    pepa = user_make("pepa", role="analyst")
    audit_record(actor=None, action="user.role_change", target=pepa)
    assert "/team/#user-" not in manager_client.get(reverse("audit-log")).content.decode()
    admin_page = client_for(user_make("jefa", role="admin")).get(reverse("audit-log"))
    assert f'href="/team/#user-{pepa.pk}"' in admin_page.content.decode()


def test_pages_of_fifty_keep_the_filters(manager_client):
    for _number in range(120):
        audit_record(actor=None, action="segment.update", target_type="segment", target_id=7)
    first = manager_client.get(reverse("audit-log"), {"type": "segment", "id": "7"})
    assert len(_entries(first)) == 50
    html = first.content.decode()
    assert "type=segment&amp;id=7&amp;page=2" in html or "id=7&amp;type=segment&amp;page=2" in html
    last = manager_client.get(reverse("audit-log"), {"type": "segment", "id": "7", "page": "3"})
    assert len(_entries(last)) == 20
    assert manager_client.get(reverse("audit-log"), {"page": "zzz"}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-13-45"},
        {"since": "2026-11-05", "until": "2026-11-01"},
        {"person": "999999"},
        {"person": "abc"},
        {"type": "nonsense"},
        {"id": "7"},
        {"id": "x" * 65, "type": "segment"},
    ],
)
def test_bad_filters_are_a_400_with_the_error(manager_client, query):
    audit_record(actor=None, action="segment.update", target_type="segment", target_id=7)
    response = manager_client.get(reverse("audit-log"), query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert manager_client.get(reverse("audit-export"), query).status_code == 400


@pytest.mark.parametrize("role", ["analyst", "editor", "agency"])
def test_other_roles_cannot_read_or_export(role):
    client = client_for(user_make(f"x-{role}", role=role))
    assert client.get(reverse("audit-log")).status_code == 403
    assert client.get(reverse("audit-export")).status_code == 403


def test_object_types_show_in_the_viewers_language(manager_client):
    entry = audit_record(actor=None, action="segment.update", target_type="segment")
    _at(entry, datetime.now(tz=MX) - timedelta(days=1))
    manager_client.cookies["django_language"] = "es-mx"
    html = manager_client.get(reverse("audit-log")).content.decode()
    assert "Segmento" in html or "segmento" in html


def test_object_types_without_a_model_of_that_name_read_in_words(manager_client):
    audit_record(actor=None, action="creator.import", target_type="import", target_id=1)
    html = manager_client.get(reverse("audit-log")).content.decode()
    assert '<option value="import">Creator import</option>' in html
    assert "<td>Creator import · " in html
