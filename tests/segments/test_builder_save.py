"""The builder saves a nested rule tree that counts exactly what the equivalent ORM filter does,
refuses a bad tree with the parser's message while keeping it, and audits each change."""

import html
import json

from django.db.models import Q

from audit.models import AuditEntry
from creators.models import Creator
from segments.models import Segment
from segments.selectors import segment_count

NESTED = {
    "all": [
        {"field": "level", "op": "gte", "value": 2},
        {
            "any": [
                {"field": "state", "op": "eq", "value": "JAL"},
                {"field": "consent_whatsapp", "op": "eq", "value": "granted"},
            ]
        },
        {"not": {"field": "tags", "op": "contains", "value": "beta"}},
    ]
}


def _equivalent_count() -> int:
    """The same audience written by hand with the ORM, tags checked in Python."""
    rows = Creator.objects.filter(
        Q(level__gte=2) & (Q(state="JAL") | Q(consent_whatsapp="granted"))
    ).values_list("tags", flat=True)
    return sum(1 for tags in rows if "beta" not in tags)


def test_nested_tree_round_trips_to_the_equivalent_count(role_client, varied_creators):
    client = role_client("editor")
    response = client.post(
        "/segments/new/",
        {"name": "Jalisco or WhatsApp, level 2+", "kind": "dynamic", "rules": json.dumps(NESTED)},
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/segments/{segment.pk}/"
    assert segment.kind == Segment.Kind.DYNAMIC
    assert segment.rules == NESTED
    assert segment.created_by == client.user
    expected = _equivalent_count()
    assert 0 < expected < len(varied_creators)
    assert segment_count(segment) == expected
    page = client.get(segment.get_absolute_url()).content.decode()
    assert f'data-testid="segment-count">{expected}<' in page


def test_bad_tree_is_refused_with_the_path_and_kept(role_client, varied_creators):
    bad = json.dumps({"all": [{"any": [{"field": "level", "op": "gte", "value": "x"}]}]})
    response = role_client("editor").post(
        "/segments/new/", {"name": "Bad", "kind": "dynamic", "rules": bad}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "all[0].any[0].value: expected a whole number" in page
    assert json.loads(response.context["form"]["rules"].value()) == json.loads(bad)
    assert not Segment.objects.exists()
    assert not AuditEntry.objects.exists()


def test_name_is_required(role_client, db):
    response = role_client("editor").post(
        "/segments/new/", {"name": "  ", "kind": "dynamic", "rules": '{"all": []}'}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Segment.objects.exists()


def test_invalid_json_is_refused(role_client, db):
    response = role_client("editor").post(
        "/segments/new/", {"name": "X", "kind": "dynamic", "rules": '{"all": ['}
    )
    assert response.status_code == 400
    assert "The rules are not valid JSON" in response.content.decode()


def test_create_and_edit_are_audited(role_client, varied_creators):
    client = role_client("manager")
    client.post("/segments/new/", {"name": "Top", "kind": "dynamic", "rules": json.dumps(NESTED)})
    segment = Segment.objects.get()
    response = client.post(
        f"/segments/{segment.pk}/edit/",
        {
            "name": "Top levels",
            "description": "Level 5+",
            "rules": '{"field": "level", "op": "gte", "value": 5}',
        },
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Top levels"
    assert segment.rules == {"field": "level", "op": "gte", "value": 5}
    assert segment_count(segment) == Creator.objects.filter(level__gte=5).count()
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "target_id"))
    assert entries == [
        ("segment.create", client.user.pk, str(segment.pk)),
        ("segment.update", client.user.pk, str(segment.pk)),
    ]


def test_edit_with_a_bad_tree_keeps_the_saved_rules(role_client, varied_creators):
    client = role_client("editor")
    client.post("/segments/new/", {"name": "Top", "kind": "dynamic", "rules": json.dumps(NESTED)})
    segment = Segment.objects.get()
    response = client.post(
        f"/segments/{segment.pk}/edit/",
        {"name": "Top", "rules": '{"not": {"field": "nope", "op": "eq", "value": 1}}'},
    )
    assert response.status_code == 400
    assert 'not.field: unknown field "nope"' in html.unescape(response.content.decode())
    segment.refresh_from_db()
    assert segment.rules == NESTED
    assert not AuditEntry.objects.filter(action="segment.update").exists()


def test_builder_page_offers_fields_ops_and_words(role_client, db):
    response = role_client("editor").get("/segments/new/")
    assert response.status_code == 200
    fields = {field["name"]: field for field in response.context["builder_fields"]}
    assert [op for op, _label in fields["level"]["ops"]][:2] == ["eq", "ne"]
    assert "contains" not in [op for op, _label in fields["level"]["ops"]]
    assert ("JAL", "Jalisco") in [tuple(choice) for choice in fields["state"]["choices"]]
    assert fields["last_active_at"]["kind"] == "datetime"
    page = response.content.decode()
    assert 'id="builder-fields"' in page and 'id="builder-strings"' in page
    assert "Add rule" in page and 'name="rules"' in page
