"""The conversations API: the inbox with its filters, a creator's thread (messages both ways,
newest last, campaign deliveries in place), replying (409 for free text outside the window),
and `whatsapp_window_open_until` on the creator."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from campaigns.models import Delivery
from conversations import services
from conversations.models import Conversation
from creators.models import Creator
from programs.models import Enrolment
from tests.conversations.conftest import inbound_params, inbound_post, reply_template
from tests.support.factories import program_make
from tests.tracking.conftest import sent_campaign

pytestmark = pytest.mark.django_db

TEMPLATE = "HX" + "ab" * 16


def test_creator_shows_its_window(api_client, client, conversation_settings, creator):
    assert api_client.get("/api/creators/ana_lopez").json()["whatsapp_window_open_until"] is None
    inbound_post(client, inbound_params())
    shown = api_client.get("/api/creators/ana_lopez").json()["whatsapp_window_open_until"]
    until = datetime.fromisoformat(shown)
    assert timezone.now() + timedelta(hours=23) < until <= timezone.now() + timedelta(hours=24)


def test_thread_newest_last_with_deliveries_in_place(api_client, client, conversation_settings):
    campaign = sent_campaign(2, channels=("whatsapp",), sent_ago=600)
    delivery = Delivery.objects.filter(campaign=campaign).select_related("creator").first()
    creator = delivery.creator
    inbound_post(client, inbound_params(wa_id="521" + creator.phone[3:], body="¡Me interesa!"))
    body = api_client.post(
        f"/api/creators/{creator.handle}/conversation",
        {"body": "¡Qué bien! Te inscribo."},
        content_type="application/json",
    )
    assert body.status_code == 201, body.json()
    assert body.json()["direction"] == "out" and body.json()["status"] == "queued"
    thread = api_client.get(f"/api/creators/{creator.handle}/conversation").json()
    assert thread["creator"] == creator.handle
    assert thread["window_open_until"] is not None
    messages = thread["messages"]
    assert [(m["direction"], m["delivery_id"]) for m in messages] == [
        ("out", delivery.pk),
        ("in", delivery.pk),
        ("out", None),
    ]
    assert messages[1]["body"] == "¡Me interesa!"
    assert messages[2]["body"] == "¡Qué bien! Te inscribo."
    ats = [m["at"] for m in messages]
    assert ats == sorted(ats)


def test_free_text_outside_the_window_is_409(
    api_client, conversation_settings, creator, fake_providers
):
    response = api_client.post(
        "/api/creators/ana_lopez/conversation", {"body": "hola"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "24 hours" in response.json()["detail"]
    assert fake_providers.received("twilio") == []
    reply_template(TEMPLATE)
    template = api_client.post(
        "/api/creators/ana_lopez/conversation",
        {"content_sid": TEMPLATE, "variables": {"1": "Ana"}},
        content_type="application/json",
    )
    assert template.status_code == 201
    assert template.json()["content_sid"] == TEMPLATE


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"body": "hola", "content_sid": TEMPLATE},
        {"content_sid": "HX1"},
        {"body": "  "},
        {"x": 1},
    ],
)
def test_invalid_reply_is_400(api_client, conversation_settings, creator, payload):
    response = api_client.post(
        "/api/creators/ana_lopez/conversation", payload, content_type="application/json"
    )
    assert response.status_code == 400


def test_a_template_not_in_the_catalogue_or_not_approved_is_refused(
    api_client, conversation_settings, creator, fake_providers
):
    def post(variables):
        return api_client.post(
            "/api/creators/ana_lopez/conversation",
            {"content_sid": TEMPLATE, "variables": variables},
            content_type="application/json",
        )

    unknown = post({"1": "Ana"})
    assert unknown.status_code == 400
    assert unknown.json()["path"] == "content_sid"
    assert unknown.json()["errors"][0]["line"] == 1
    reply_template(TEMPLATE, variables=("1", "2"))
    wrong = post({"1": "Ana"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "variables"
    assert "{{2}}" in wrong.json()["detail"] and wrong.json()["detail"].startswith("Line 2: ")
    reply_template(TEMPLATE, variables=("1", "2"), status="paused")
    paused = post({"1": "Ana", "2": "hoy"})
    assert paused.status_code == 409
    assert "Paused" in paused.json()["errors"][0]["cause"]
    assert fake_providers.received("twilio") == []


def test_unknown_creator_is_404(api_client):
    assert api_client.get("/api/creators/nadie/conversation").status_code == 404
    response = api_client.post(
        "/api/creators/nadie/conversation", {"body": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_roles(role_client, conversation_settings, creator):
    from django.test import Client

    from accounts.services import api_token_create

    analyst = role_client("analyst")
    token = api_token_create(user=analyst.user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/creators/ana_lopez/conversation").status_code == 200
    assert api.get("/api/conversations").status_code == 200
    response = api.post(
        "/api/creators/ana_lopez/conversation",
        {"content_sid": TEMPLATE},
        content_type="application/json",
    )
    assert response.status_code == 403
    agency = role_client("agency")
    agency_api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=agency.user)}")
    assert agency_api.get("/api/conversations").status_code == 403


def test_inbox_filters(api_client, client, conversation_settings, django_user_model):
    campaign = sent_campaign(3, channels=("whatsapp",), sent_ago=600)
    creators = list(Creator.objects.order_by("id"))
    for creator in creators:
        inbound_post(client, inbound_params(wa_id="521" + creator.phone[3:], body=creator.handle))
    inbound_post(client, inbound_params(wa_id="14155550100", body="unknown"))
    program = program_make(name="Programa filtro")
    Enrolment.objects.create(program=program, creator=creators[2], source="link")
    first, second, third = (Conversation.objects.get(creator=c) for c in creators)
    ops = django_user_model.objects.create_user(username="lucia")
    services.conversation_assign(conversation=first, actor=None, assignee=ops)
    services.conversation_tags_set(conversation=second, actor=None, tags=["Muestra", "urgente"])
    services.conversation_close(conversation=third, actor=None)

    def handles(query: str) -> list:
        response = api_client.get(f"/api/conversations{query}")
        assert response.status_code == 200, response.json()
        return [item["creator"] for item in response.json()["items"]]

    everything = handles("")
    assert everything[0] is None  # the unknown number wrote last: newest first
    assert set(everything) == {None, *(c.handle for c in creators)}
    assert handles("?assignee=lucia") == [creators[0].handle]
    assert handles("?assignee=nobody") == []
    assert handles("?tag=muestra") == [creators[1].handle]
    assert handles("?status=closed") == [creators[2].handle]
    assert set(handles(f"?campaign={campaign.pk}")) == {c.handle for c in creators}
    assert handles(f"?program={program.pk}") == [creators[2].handle]
    assert handles("?limit=2&offset=1") == everything[1:3]
    page = api_client.get("/api/conversations?limit=1").json()
    assert page["count"] == 4 and page["items"][0]["unread_count"] == 1
    assert api_client.get("/api/conversations?status=nope").status_code == 400


def test_a_thread_without_messages_is_not_in_the_inbox(api_client, conversation_settings, creator):
    services.conversation_start(creator=creator)
    assert api_client.get("/api/conversations").json() == {"count": 0, "items": []}
