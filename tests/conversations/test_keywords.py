"""A message that is only an opt-out keyword denies WhatsApp consent (history source
`whatsapp_keyword`) and gets one confirmation in the creator's language; an opt-in keyword
grants it back. No later campaign sends that creator WhatsApp."""

from __future__ import annotations

import time

import pytest

from campaigns import services as campaign_services
from campaigns.models import Campaign, Delivery
from conversations.keywords import keyword_of
from conversations.models import Message
from creators.models import ConsentChange, Creator
from tests.conversations.conftest import inbound_params, inbound_post
from tests.support.factories import campaign_make, creators_make


@pytest.mark.parametrize(
    "text",
    [
        "BAJA",
        "baja ",
        "Baja.",
        " ¡Baja! ",
        "bája",
        "STOP",
        "stop",
        "Unsubscribe",
        "CANCELAR",
        "alto",
        "dar  de baja",
    ],
)
def test_opt_out_keywords_match_whatever_the_case_accents_and_punctuation(text):
    assert keyword_of(text) == "opt_out"


@pytest.mark.parametrize("text", ["ALTA", "alta.", "Start", "START!"])
def test_opt_in_keywords(text):
    assert keyword_of(text) == "opt_in"


@pytest.mark.parametrize(
    "text", ["baja la música", "no me quiero dar de baja", "stop it please", "", "¿baja?x", "bajas"]
)
def test_a_keyword_inside_a_sentence_is_not_a_keyword(text):
    assert keyword_of(text) == ""


def test_custom_keyword_list_from_settings(settings):
    settings.WHATSAPP_OPT_OUT_KEYWORDS = ["SALIR"]
    assert keyword_of("salir") == "opt_out"
    assert keyword_of("baja") == ""


def _to(fakes, phone: str) -> list[dict]:
    return fakes.received("twilio", accepted=True, recipient=f"whatsapp:{phone}")


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["BAJA", "baja ", "Baja."])
def test_baja_denies_consent_with_history_and_one_confirmation(
    client, conversation_settings, fake_providers, creator, text
):
    params = inbound_params(body=text)
    inbound_post(client, params)
    inbound_post(client, params)  # Twilio's retry changes nothing
    creator.refresh_from_db()
    assert creator.consent_whatsapp == "denied"
    change = ConsentChange.objects.get(creator=creator)
    assert (change.channel, change.status, change.source) == (
        "whatsapp",
        "denied",
        "whatsapp_keyword",
    )
    sent = _to(fake_providers, creator.phone)
    assert len(sent) == 1
    assert sent[0]["request"]["Body"].startswith("Listo, ya no te enviaremos mensajes")
    assert Message.objects.get(direction="in").keyword == "opt_out"
    confirmation = Message.objects.get(direction="out")
    assert confirmation.status == "queued" and confirmation.provider_sid.startswith("SM")


@pytest.mark.django_db
def test_confirmation_in_the_creators_language_and_alta_restores(
    client, conversation_settings, fake_providers, creator_en
):
    inbound_post(client, inbound_params(wa_id="5215587654321", body="Stop"))
    creator_en.refresh_from_db()
    assert creator_en.consent_whatsapp == "denied"
    inbound_post(client, inbound_params(wa_id="5215587654321", body="START"))
    creator_en.refresh_from_db()
    assert creator_en.consent_whatsapp == "granted"
    assert list(
        ConsentChange.objects.filter(creator=creator_en)
        .order_by("recorded_at", "id")
        .values_list("status", "source")
    ) == [("denied", "whatsapp_keyword"), ("granted", "whatsapp_keyword")]
    bodies = [entry["request"]["Body"] for entry in _to(fake_providers, creator_en.phone)]
    assert sorted(bodies) == sorted(
        [
            "Done: we will not message you on WhatsApp anymore. Reply START to undo.",
            "Welcome back: you will get our WhatsApp messages again. Reply STOP to stop.",
        ]
    )


@pytest.mark.django_db
def test_ordinary_reply_changes_no_consent(client, conversation_settings, fake_providers, creator):
    inbound_post(client, inbound_params(body="No me llegó la muestra, ¿me ayudan?"))
    creator.refresh_from_db()
    assert creator.consent_whatsapp == "granted"
    assert not ConsentChange.objects.exists()
    assert _to(fake_providers, creator.phone) == []


@pytest.mark.worker
def test_no_later_campaign_sends_whatsapp_after_baja(dispatch_rig, client):
    """Real worker dispatch: the creator who wrote BAJA gets the confirmation and nothing else."""
    from django.conf import settings

    settings.CONVERSATIONS_INBOUND_QUEUE = False
    creators = creators_make(4)
    quitter = creators[1]
    inbound_post(client, inbound_params(wa_id="52" + quitter.phone[3:], body="Baja."))
    quitter.refresh_from_db()
    assert quitter.consent_whatsapp == "denied"

    campaign = campaign_make(channels=("whatsapp",))
    dispatch_rig.worker_start()
    campaign_services.campaign_launch(campaign=campaign)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.SENT:
            break
        time.sleep(0.5)
    assert campaign.status == Campaign.Status.SENT, dispatch_rig.worker_log()
    assert not Delivery.objects.filter(campaign=campaign, creator=quitter).exists()
    assert Delivery.objects.filter(campaign=campaign, status="sent").count() == 3
    to_quitter = _to(dispatch_rig.fakes, quitter.phone)
    assert len(to_quitter) == 1  # the confirmation only
    assert "ya no te enviaremos" in to_quitter[0]["request"]["Body"]
    for other in Creator.objects.exclude(pk=quitter.pk):
        assert len(_to(dispatch_rig.fakes, other.phone)) == 1
