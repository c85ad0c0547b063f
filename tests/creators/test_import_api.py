"""POST /api/creators/import: bearer token, multipart `file`, the importer's report as JSON."""

from django.core.files.uploadedfile import SimpleUploadedFile

from creators.columns import HEADER
from creators.models import Creator
from tests.creators.csvfiles import creator_row, csv_bytes


def _upload(content: bytes) -> dict:
    return {"file": SimpleUploadedFile("creators.csv", content, content_type="text/csv")}


def test_import_needs_a_token(client, db):
    response = client.post("/api/creators/import", _upload(csv_bytes([creator_row("ana")])))
    assert response.status_code == 401
    assert not Creator.objects.exists()


def test_import_returns_counts_and_errors(api_client):
    Creator.objects.create(handle="beto", name="Beto")
    content = csv_bytes([creator_row("ana"), creator_row("beto"), creator_row("caro", phone="12")])
    response = api_client.post("/api/creators/import", _upload(content))
    assert response.status_code == 200
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "rejected": 1,
        "errors": [
            {
                "line": 4,
                "field": "phone",
                "message": response.json()["errors"][0]["message"],
            }
        ],
    }
    assert set(Creator.objects.values_list("handle", flat=True)) == {"ana", "beto"}


def test_wrong_header_is_a_400_with_a_message(api_client):
    header = tuple(name for name in HEADER if name != "email")
    response = api_client.post(
        "/api/creators/import", _upload(csv_bytes([creator_row("ana")], header=header))
    )
    assert response.status_code == 400
    assert "email" in response.json()["detail"]
    assert not Creator.objects.exists()


def test_import_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/creators/import"]
