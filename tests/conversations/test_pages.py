"""The ops pages of conversations: the inbox and its filters, the thread with the creator's
context, replies (free text in the window, a template outside it), canned answers, assign,
tags, close and reopen, the nav badge, and who may do what."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from audit.models import AuditEntry
from campaigns.models import Delivery
from conversations import services
from conversations.forms import CannedAnswerForm
from conversations.models import CannedAnswer, Conversation, Message
from creators.models import Creator
from programs.models import CreatorMetric, Enrolment, Program
from tests.conversations.conftest import inbound_params, reply_template
from tests.support.factories import campaign_make

SID = "HX" + "ab" * 16

pytestmark = pytest.mark.django_db


def _receive(**params: str) -> Message:
    """An inbound message filed as the webhook's worker files it."""
    webhook_id = services.inbound_webhook_store(params=inbound_params(**params))
    assert webhook_id is not None
    message = services.inbound_webhook_process(webhook_id=webhook_id)
    assert message is not None
    return message


def _thread(creator: Creator | None = None, **fields) -> Conversation:
    at = fields.pop("last_message_at", timezone.now())
    return Conversation.objects.create(
        creator=creator,
        phone=creator.phone if creator else fields.pop("phone", "+525500000000"),
        last_message_at=at,
        **fields,
    )


def _listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-conversation="(\d+)"', response.content.decode())]


# --- Inbox ---------------------------------------------------------------------------------------


def test_inbox_lists_threads_newest_first_with_unread_counts(role_client):
    now = timezone.now()
    old = _thread(phone="+525511111111", last_message_at=now - timedelta(hours=2), unread_count=3)
    new = _thread(phone="+525522222222", last_message_at=now, preview="¿cómo me inscribo?")
    response = role_client("analyst").get("/conversations/")
    assert response.status_code == 200
    assert _listed(response) == [new.pk, old.pk]
    html = response.content.decode()
    assert "¿cómo me inscribo?" in html
    assert '<span class="badge">3</span>' in html


def test_inbox_filters_by_assignee_status_tag_campaign_and_program(
    role_client, creator, creator_en
):
    manager = role_client("manager")
    editor_user = role_client("editor").user
    mine = _thread(creator, assignee=editor_user, tags=["muestra"], status="waiting")
    theirs = _thread(creator_en, status="closed")
    unknown = _thread(phone="+525533333333")
    campaign = campaign_make(name="Reto WhatsApp", channels=("whatsapp",))
    Delivery.objects.create(
        campaign=campaign, channel="whatsapp", creator=creator_en, locale="en", status="sent"
    )
    program = Program.objects.create(
        campaign=campaign_make(name="Misión diciembre", channels=("whatsapp",)),
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=30),
    )
    Enrolment.objects.create(program=program, creator=creator, source="auto")

    def listed(query: str) -> list[int]:
        response = manager.get(f"/conversations/?{query}")
        assert response.status_code == 200, response.content
        return _listed(response)

    assert set(listed("")) == {mine.pk, theirs.pk, unknown.pk}
    assert listed(f"assignee={editor_user.pk}") == [mine.pk]
    assert set(listed("assignee=none")) == {theirs.pk, unknown.pk}
    assert listed("status=closed") == [theirs.pk]
    assert listed("tag=Muestra") == [mine.pk]
    assert listed(f"campaign={campaign.pk}") == [theirs.pk]
    assert listed(f"program={program.pk}") == [mine.pk]
    Conversation.objects.filter(pk=unknown.pk).update(unread_count=2)
    assert listed("unread=on") == [unknown.pk]


@pytest.mark.parametrize(
    "query", ["status=nope", "campaign=abc", "campaign=99999999", "assignee=x", "page=zz"]
)
def test_inbox_answers_a_bad_filter_without_a_server_error(role_client, query):
    _thread()
    response = role_client("analyst").get(f"/conversations/?{query}")
    assert response.status_code in (200, 400)


def test_inbox_pages_and_its_queries_do_not_grow_with_the_threads(
    role_client, django_assert_max_num_queries
):
    client = role_client("editor")
    creators = Creator.objects.bulk_create(
        Creator(handle=f"c{index}", name=f"C {index}", phone=f"+5255{index:08d}")
        for index in range(120)
    )
    user = client.user
    Conversation.objects.bulk_create(
        Conversation(
            creator=creator,
            phone=creator.phone,
            assignee=user,
            tags=["x"],
            last_message_at=timezone.now() - timedelta(minutes=index),
        )
        for index, creator in enumerate(creators)
    )
    with django_assert_max_num_queries(12):
        response = client.get("/conversations/")
    assert len(_listed(response)) == 50
    with django_assert_max_num_queries(12):
        response = client.get("/conversations/?page=3&tag=x")
    assert len(_listed(response)) == 20


# --- Roles and the badge ------------------------------------------------------------------------


def test_analyst_reads_but_cannot_reply_or_change(role_client, creator, conversation_settings):
    conversation = _thread(creator)
    client = role_client("analyst")
    page = client.get(f"/conversations/{conversation.pk}/")
    assert page.status_code == 200
    assert b"reply-text-form" not in page.content and b"reply-template-form" not in page.content
    for action, data in (
        ("reply", {"content_sid": SID}),
        ("assign", {"assignee": ""}),
        ("tags", {"tags": "x"}),
        ("status", {"status": "closed"}),
    ):
        assert client.post(f"/conversations/{conversation.pk}/{action}/", data).status_code == 403
    assert client.get(f"/conversations/{conversation.pk}/canned/").status_code == 403
    assert not Message.objects.exists()


@pytest.mark.parametrize("role", ["agency"])
def test_agency_sees_nothing(role_client, creator, role):
    conversation = _thread(creator, unread_count=1)
    client = role_client(role)
    assert client.get("/conversations/").status_code == 403
    assert client.get(f"/conversations/{conversation.pk}/").status_code == 403
    assert client.get(f"/conversations/{conversation.pk}/messages/").status_code == 403
    assert b"conversations-unread" not in client.get("/agency/").content


def test_nav_badge_counts_unread_threads_and_reading_clears_it(role_client, creator, creator_en):
    unread = _thread(creator, unread_count=2)
    _thread(creator_en, unread_count=1)
    _thread(phone="+525544444444")
    analyst = role_client("analyst")
    assert re.search(rb'id="conversations-unread"[^>]*>2<', analyst.get("/").content)
    # An analyst reading does not mark the thread read; someone who can answer does.
    analyst.get(f"/conversations/{unread.pk}/")
    assert Conversation.objects.get(pk=unread.pk).unread_count == 2
    editor = role_client("editor")
    editor.get(f"/conversations/{unread.pk}/")
    assert Conversation.objects.get(pk=unread.pk).unread_count == 0
    assert re.search(rb'id="conversations-unread"[^>]*>1<', editor.get("/").content)


# --- Thread --------------------------------------------------------------------------------------


def test_thread_shows_messages_both_ways_campaign_deliveries_and_the_creator(
    role_client, creator, conversation_settings
):
    campaign = campaign_make(name="Reto WhatsApp", channels=("whatsapp",))
    delivery = Delivery.objects.create(
        campaign=campaign,
        channel="whatsapp",
        creator=creator,
        locale="es-MX",
        status="sent",
        sent_at=timezone.now() - timedelta(hours=3),
        provider_message_id="SM" + "1" * 32,
        first_delivered_at=timezone.now(),
        first_opened_at=timezone.now(),
    )
    _receive(body="¿cómo me inscribo?", OriginalRepliedMessageSid="SM" + "1" * 32)
    _receive(
        body="",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/media/ME1",
        MediaContentType0="image/jpeg",
    )
    _receive(body="", Latitude="19.432608", Longitude="-99.133209", Label="Zócalo")
    _receive(body="Sí quiero", ButtonPayload="join_yes", ButtonText="Sí quiero")
    Creator.objects.filter(pk=creator.pk).update(level=4, followers=12345, gmv_30d=Decimal("999"))
    CreatorMetric.objects.create(
        creator=creator, date=timezone.localdate(), metric="gmv", value=Decimal("1500.50")
    )
    program = Program.objects.create(
        campaign=campaign_make(name="Misión diciembre", channels=("whatsapp",)),
        starts_on=timezone.localdate() - timedelta(days=5),
        ends_on=timezone.localdate() + timedelta(days=25),
        metric="gmv",
        threshold=Decimal("3000"),
    )
    Enrolment.objects.create(program=program, creator=creator, source="auto")
    conversation = Conversation.objects.get(creator=creator)

    html = role_client("analyst").get(f"/conversations/{conversation.pk}/").content.decode()

    assert "Campaign “Reto WhatsApp”" in html  # the delivery, shown in place
    # The campaign's WhatsApp text as Ana got it (level 4 now, since it is rendered now).
    assert "Hola Ana, tu nivel es 4. https://shop.example/m/1" in html
    assert "¿cómo me inscribo?" in html
    assert "https://api.twilio.com/media/ME1" in html and "image/jpeg" in html
    assert "Zócalo" in html and "19.432608" in html
    assert "Button pressed" in html and "join_yes" in html
    assert "12,345" in html and "999.00" in html
    assert "Misión diciembre" in html and 'value="50"' in html  # 1,500.50 of 3,000
    assert re.search(r"Reto WhatsApp</a>.*?replied", html, re.S)
    assert "Free text can be sent for" in html
    assert f'data-delivery="{delivery.pk}"' in html


def test_thread_page_in_spanish_says_how_long_the_window_stays_open(role_client, creator):
    Creator.objects.filter(pk=creator.pk).update(
        whatsapp_window_open_until=timezone.now() + timedelta(hours=5, minutes=30)
    )
    conversation = _thread(creator)
    client = role_client("editor")
    client.cookies["django_language"] = "es-mx"
    html = client.get(f"/conversations/{conversation.pk}/", HTTP_ACCEPT_LANGUAGE="es-MX")
    text = html.content.decode()
    assert re.search(r"5\s+horas", text), text[:3000]


def test_thread_of_an_unknown_number_has_no_creator_panel(role_client):
    conversation = _thread(phone="+525555555555", profile_name="Desconocida")
    html = role_client("manager").get(f"/conversations/{conversation.pk}/").content.decode()
    assert "Desconocida" in html and "This number belongs to no creator yet." in html


def test_missing_thread_is_404(role_client):
    client = role_client("manager")
    assert client.get("/conversations/999999/").status_code == 404
    assert client.get(f"/conversations/{10**30}/").status_code == 404
    conversation = _thread()
    for answer in ("²", "-1", "x", str(10**30)):
        response = client.get(f"/conversations/{conversation.pk}/canned/?answer={answer}")
        assert response.status_code == 200, answer


# --- Replies and actions ------------------------------------------------------------------------


def _sent(fakes, phone: str) -> list[dict]:
    return fakes.received("twilio", accepted=True, recipient=f"whatsapp:{phone}")


def test_editor_replies_with_free_text_inside_the_window(
    role_client, creator, conversation_settings, fake_providers
):
    _receive(body="Hola")
    conversation = Conversation.objects.get(creator=creator)
    client = role_client("editor")
    response = client.post(f"/conversations/{conversation.pk}/reply/", {"body": "¡Hola Ana!"})
    assert response.status_code == 302
    (sent,) = _sent(fake_providers, creator.phone)
    assert sent["request"]["Body"] == "¡Hola Ana!"
    reply = Message.objects.get(direction="out")
    assert reply.sent_by == client.user and reply.status == "queued"
    assert AuditEntry.objects.filter(action="conversation.reply").count() == 1
    assert (
        "¡Hola Ana!" in client.get(f"/conversations/{conversation.pk}/messages/").content.decode()
    )


def test_outside_the_window_free_text_is_refused_and_a_template_goes(
    role_client, creator, conversation_settings, fake_providers
):
    reply_template(SID, variables=("1", "2"), name="recordatorio_viernes")
    reply_template("HX" + "ef" * 16, locale="en", name="friday_reminder")
    conversation = _thread(creator)
    client = role_client("manager")
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "reply-text-form" not in page and "reply-template-form" in page
    # The picker offers the approved templates in the creator's language, and their variables.
    assert "recordatorio_viernes" in page and "friday_reminder" not in page
    assert 'name="content_sid"' in page and "No template" not in page
    variables = client.get(
        f"/conversations/{conversation.pk}/template-variables/", {"content_sid": SID}
    ).content.decode()
    assert 'name="var_1"' in variables and 'name="var_2"' in variables
    options = client.get(
        f"/conversations/{conversation.pk}/templates/", {"template_q": "nada"}
    ).content.decode()
    assert "recordatorio_viernes" not in options
    for params in ({"template_q": "a\x00"}, {"content_sid": "HX\x00"}):
        for path in ("templates", "template-variables"):
            # Refused before the view, as every NUL is (never a 500).
            response = client.get(f"/conversations/{conversation.pk}/{path}/", params)
            assert response.status_code == 400
    refused = client.post(f"/conversations/{conversation.pk}/reply/", {"body": "hola"}, follow=True)
    assert "only accepts an approved template" in refused.content.decode()
    assert _sent(fake_providers, creator.phone) == []
    client.post(
        f"/conversations/{conversation.pk}/reply/",
        {"content_sid": SID, "var_1": "Ana", "var_2": "viernes"},
    )
    (sent,) = _sent(fake_providers, creator.phone)
    assert sent["request"]["ContentSid"] == SID
    message = Message.objects.get(direction="out")
    assert message.variables == {"1": "Ana", "2": "viernes"}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"body": "a", "content_sid": SID},
        {"content_sid": "HXnope"},
        {"content_sid": SID, "var_1": "Ana"},
        {"content_sid": SID, "var_1": "Ana", "var_2": "x", "var_3": "y"},
        {"content_sid": "HX" + "99" * 16, "var_1": "Ana"},
        {"content_sid": "HX" + "77" * 16, "var_1": "Ana"},
        {"body": "x" * 1601},
    ],
)
def test_a_bad_reply_is_explained_and_sends_nothing(
    role_client, creator, conversation_settings, fake_providers, data
):
    reply_template(SID, variables=("1", "2"))
    reply_template("HX" + "77" * 16, status="pending")
    _receive(body="Hola")
    conversation = Conversation.objects.get(creator=creator)
    response = role_client("editor").post(
        f"/conversations/{conversation.pk}/reply/", data, follow=True
    )
    assert response.status_code == 200
    assert 'class="flash-error"' in response.content.decode()
    assert not Message.objects.filter(direction="out").exists()


def test_assign_tag_close_and_reopen_are_audited(role_client, creator):
    conversation = _thread(creator)
    client = role_client("manager")
    url = f"/conversations/{conversation.pk}/"
    assert client.post(url + "assign/", {"assignee": client.user.pk}).status_code == 302
    assert client.post(url + "tags/", {"tags": "Muestra, envío , muestra"}).status_code == 302
    assert client.post(url + "status/", {"status": "closed"}).status_code == 302
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.tags, conversation.status) == (
        client.user,
        ["muestra", "envío"],
        "closed",
    )
    assert b"Reopen" in client.get(url).content
    client.post(url + "status/", {"status": "open"})
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "conversation.assign",
        "conversation.tag",
        "conversation.status",
        "conversation.status",
    ]
    assert client.post(url + "assign/", {"assignee": "999999"}).status_code == 400
    assert client.post(url + "status/", {"status": "gone"}).status_code == 400
    assert client.get(url + "assign/").status_code == 405


# --- Canned answers -----------------------------------------------------------------------------


def test_canned_answer_texts_are_checked_as_templates():
    form = CannedAnswerForm(
        {"title": "Roto", "body_es_mx": "Hola {{ creator.first_name ", "body_en": ""}
    )
    assert not form.is_valid() and "body_es_mx" in form.errors
    form = CannedAnswerForm(
        {"title": "Secreto", "body_es_mx": "{{ creator.__class__ }}", "body_en": ""}
    )
    assert not form.is_valid()
    form = CannedAnswerForm(
        {"title": "Portal", "body_es_mx": "Hola", "body_en": "Hi\nyour portal: {{ portal_url() }}"}
    )
    assert not form.is_valid()
    assert "Line 2: portal_url() makes a personal link" in str(form.errors["body_en"])


def test_canned_answer_is_rendered_for_the_creator_in_their_language(
    role_client, creator, creator_en
):
    form = CannedAnswerForm(
        {
            "title": "Cómo inscribirse",
            "body_es_mx": 'Hola {{ creator.first_name }}, aquí está la guía: {{ learn("inscripcion") }}',
            "body_en": 'Hi {{ creator.first_name }}, here is the guide: {{ learn("inscripcion") }}',
        }
    )
    assert form.is_valid(), form.errors
    answer = form.save()
    client = role_client("editor")
    spanish = _thread(creator)
    english = _thread(creator_en)
    html = client.get(f"/conversations/{spanish.pk}/canned/?answer={answer.pk}").content.decode()
    assert "Hola Ana, aquí está la guía:" in html and "/learn/inscripcion/?lang=es-MX" in html
    html = client.get(f"/conversations/{english.pk}/canned/?answer={answer.pk}").content.decode()
    assert "Hi Jo, here is the guide:" in html and "lang=en" in html
    assert client.get(f"/conversations/{spanish.pk}/canned/?answer=99999").status_code == 404
    Creator.objects.filter(pk=creator.pk).update(
        whatsapp_window_open_until=timezone.now() + timedelta(hours=1)
    )
    page = client.get(f"/conversations/{spanish.pk}/").content.decode()
    assert "Cómo inscribirse" in page  # offered in the picker beside the free text
    assert CannedAnswer.objects.count() == 1


def test_roles_give_conversation_permissions():
    assert (
        Group.objects.get(name="analyst").permissions.filter(codename="view_conversation").exists()
    )
    assert (
        not Group.objects.get(name="analyst")
        .permissions.filter(codename="change_conversation")
        .exists()
    )
    for role in ("editor", "manager"):
        assert (
            Group.objects.get(name=role).permissions.filter(codename="change_conversation").exists()
        )
    assert (
        not Group.objects.get(name="agency")
        .permissions.filter(content_type__app_label="conversations")
        .exists()
    )


def test_an_unknown_number_is_linked_to_a_creator_from_its_thread(role_client, creator):
    _receive(wa_id="5215599999999", body="Hola, soy Ana con otro número")
    unknown = Conversation.objects.get(creator__isnull=True)
    client = role_client("editor")
    page = client.get(f"/conversations/{unknown.pk}/").content.decode()
    assert 'id="link-form"' in page
    missing = client.post(f"/conversations/{unknown.pk}/link/", {"handle": "nadie"}, follow=True)
    assert "No creator has the handle nadie." in missing.content.decode()
    other = Creator.objects.create(handle="ana_2", name="Ana Dos", locale="es-MX")
    response = client.post(f"/conversations/{unknown.pk}/link/", {"handle": "@ana_2"})
    assert response.status_code == 302
    unknown.refresh_from_db()
    assert unknown.creator == other and response["Location"] == f"/conversations/{unknown.pk}/"
    assert AuditEntry.objects.filter(action="conversation.link").count() == 1
    assert (
        role_client("analyst")
        .post(f"/conversations/{unknown.pk}/link/", {"handle": "ana_lopez"})
        .status_code
        == 403
    )


def test_starter_canned_answers_pass_the_template_check_and_render(role_client, creator_en):
    from conversations.canned_defaults import DEFAULT_CANNED_ANSWERS, canned_answers_seed

    assert canned_answers_seed() == len(DEFAULT_CANNED_ANSWERS)
    assert canned_answers_seed() == 0  # by title, once
    conversation = _thread(creator_en)
    client = role_client("editor")
    for title, text in (("Gracias", "Thanks for writing, Jo!"), ("Cómo darse de baja", "STOP")):
        answer = CannedAnswer.objects.get(title=title)
        html = client.get(f"/conversations/{conversation.pk}/canned/?answer={answer.pk}")
        assert text in html.content.decode()
