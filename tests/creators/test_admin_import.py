"""The admin's Import CSV view runs the importer and shows its report; actions work."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from creators.models import ConsentChange, Creator
from tests.creators.csvfiles import creator_row, csv_bytes


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="ops", password="x", email="o@x.mx")
    client.force_login(user)
    return client


def test_changelist_links_to_the_import_view(staff_client):
    Creator.objects.create(handle="ana", name="Ana")
    response = staff_client.get(reverse("admin:creators_creator_changelist"))
    assert response.status_code == 200
    assert reverse("admin:creators_creator_import") in response.content.decode()


def test_changelist_filters_and_search_work(staff_client):
    Creator.objects.create(handle="ana", name="Ana", level=3, state="JAL")
    Creator.objects.create(handle="beto", name="Beto", level=1, state="NLE")
    url = reverse("admin:creators_creator_changelist")
    response = staff_client.get(
        url, {"level": 3, "state": "JAL", "consent_inbox__exact": "granted"}
    )
    assert [c.handle for c in response.context["cl"].result_list] == ["ana"]
    response = staff_client.get(url, {"q": "bet"})
    assert [c.handle for c in response.context["cl"].result_list] == ["beto"]


def test_upload_shows_the_report_with_line_errors_and_warnings(staff_client):
    content = csv_bytes(
        [
            creator_row("ana"),
            creator_row("beto", email="nope"),  # 3: lands with its phone, without the email
            creator_row("Bad Handle!"),  # 4: refused
        ]
    )
    response = staff_client.post(
        reverse("admin:creators_creator_import"),
        {"file": SimpleUploadedFile("c.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong id="import-created">2</strong>' in html
    assert '<strong id="import-rejected">1</strong>' in html
    assert "<td>4</td><td><code>handle</code></td>" in html
    assert "<td>3</td><td><code>email</code></td>" in html.split('id="import-warnings"')[1]
    assert Creator.objects.get(handle="beto").email == ""


def test_upload_with_a_bad_header_shows_the_message(staff_client):
    response = staff_client.post(
        reverse("admin:creators_creator_import"),
        {"file": SimpleUploadedFile("c.csv", b"handle,name\nana,Ana\n")},
    )
    assert response.status_code == 400
    assert "email" in response.content.decode() and "phone" in response.content.decode()
    assert not Creator.objects.exists()


def test_export_action_writes_the_import_format(staff_client):
    Creator.objects.create(handle="ana", name="Ana", consent_email="granted", tags=["vip", "x"])
    response = staff_client.post(
        reverse("admin:creators_creator_changelist"),
        {"action": "export_csv", "_selected_action": [Creator.objects.get().pk]},
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("handle,name,email,phone")
    assert lines[1].startswith("ana,Ana,")
    assert lines[1].endswith(",yes,,,vip;x")


def test_mark_opted_out_denies_every_channel_and_records_it(staff_client):
    ana = Creator.objects.create(handle="ana", name="Ana", consent_email="granted")
    staff_client.post(
        reverse("admin:creators_creator_changelist"),
        {"action": "mark_opted_out", "_selected_action": [ana.pk]},
    )
    ana.refresh_from_db()
    assert {ana.consent_for(ch) for ch in ("email", "whatsapp", "push", "inbox")} == {"denied"}
    assert ConsentChange.objects.filter(creator=ana, source="admin", status="denied").count() == 4


def test_creator_change_page_shows_history_inline(staff_client):
    ana = Creator.objects.create(handle="ana", name="Ana")
    ConsentChange.objects.create(creator=ana, channel="email", status="granted", source="import")
    response = staff_client.get(reverse("admin:creators_creator_change", args=[ana.pk]))
    assert response.status_code == 200
    assert "CSV import" in response.content.decode() or "import" in response.content.decode()
