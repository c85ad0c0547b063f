"""The admin shows each segment's live count and refuses bad rules with the path."""

from creators.models import Creator
from segments.models import Segment
from segments.services import segment_create


def test_changelist_and_change_page_show_the_live_count(admin_client):
    for n in range(3):
        Creator.objects.create(handle=f"h{n}", name="H", level=n)
    segment = segment_create(name="Level 1+", rules={"field": "level", "op": "gte", "value": 1})
    assert "2" in admin_client.get("/admin/segments/segment/").content.decode()
    page = admin_client.get(f"/admin/segments/segment/{segment.pk}/change/").content.decode()
    assert "@h1" in page and "@h2" in page


def test_bad_rules_are_shown_as_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/segments/segment/add/",
        {
            "name": "Bad",
            "kind": "dynamic",
            "description": "",
            "rules": '{"all": [{"field": "level", "op": "gte", "value": "x"}]}',
            "handles": "",
        },
    )
    assert response.status_code == 200
    assert "all[0].value: expected a whole number" in response.content.decode()
    assert not Segment.objects.exists()


def test_static_segment_added_with_handles(admin_client):
    Creator.objects.create(handle="ana", name="Ana")
    response = admin_client.post(
        "/admin/segments/segment/add/",
        {
            "name": "List",
            "kind": "static",
            "description": "",
            "rules": "{}",
            "handles": "ana\nghost",
        },
        follow=True,
    )
    assert response.status_code == 200
    segment = Segment.objects.get()
    assert segment.kind == Segment.Kind.STATIC
    assert list(segment.members.values_list("handle", flat=True)) == ["ana"]
    assert "ghost" in response.content.decode()
