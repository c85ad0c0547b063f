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


def test_import_returns_counts_errors_and_warnings(api_client):
    Creator.objects.create(handle="beto", name="Beto")
    content = csv_bytes(
        [
            creator_row("ana"),
            creator_row("beto"),
            creator_row("caro", phone="12"),  # 4: lands with its email, without the phone
            creator_row("dani", phone="12", email=""),  # 5: no usable contact: refused
        ]
    )
    response = api_client.post("/api/creators/import", _upload(content))
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["rejected"]) == (2, 1, 1)
    assert body["encoding"] == "utf-8"
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(5, "phone"), (5, None)]
    assert [(w["line"], w["field"]) for w in body["warnings"]] == [(4, "phone")]
    assert all(problem["message"] for problem in body["errors"] + body["warnings"])
    assert set(Creator.objects.values_list("handle", flat=True)) == {"ana", "beto", "caro"}
    assert Creator.objects.get(handle="caro").phone == ""


def test_messages_follow_the_request_language(api_client):
    content = csv_bytes([creator_row("caro", email="nope")])
    english = api_client.post("/api/creators/import", _upload(content), HTTP_ACCEPT_LANGUAGE="en")
    spanish = api_client.post(
        "/api/creators/import", _upload(content), HTTP_ACCEPT_LANGUAGE="es-MX"
    )
    assert english.json()["warnings"][0]["message"] == "Not a valid email address."
    assert spanish.json()["warnings"][0]["message"] != english.json()["warnings"][0]["message"]


def test_header_without_a_contact_column_is_a_400_with_a_message(api_client):
    header = tuple(name for name in HEADER if name not in ("email", "phone"))
    response = api_client.post(
        "/api/creators/import", _upload(csv_bytes([creator_row("ana")], header=header))
    )
    assert response.status_code == 400
    assert "email" in response.json()["detail"] and "phone" in response.json()["detail"]
    assert not Creator.objects.exists()


def test_header_of_handle_and_email_is_enough(api_client):
    content = b"Email,HANDLE\nana@example.mx,@Ana\n"
    response = api_client.post("/api/creators/import", _upload(content))
    assert response.status_code == 200 and response.json()["created"] == 1
    creator = Creator.objects.get()
    assert (creator.handle, creator.email, creator.name) == ("ana", "ana@example.mx", "")


def test_import_result_schema_documents_warnings(api_client):
    schema = api_client.get("/api/openapi.json").json()
    out = schema["components"]["schemas"]["ImportOut"]
    assert {"warnings", "errors", "encoding"} <= set(out["properties"])
    assert "left out" in out["properties"]["warnings"]["description"]
    assert "cp1252" in out["properties"]["encoding"]["description"]


def test_import_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/creators/import"]
