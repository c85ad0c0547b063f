"""Conversations under test: signed inbound webhooks (as Twilio signs them, with the SDK's own
RequestValidator), and the fake Twilio behind the WhatsApp adapter for what Altavoz sends."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.conf import settings
from twilio.request_validator import RequestValidator

from channels.models import WhatsAppTemplate
from creators.models import Creator

BASE = "https://altavoz.example"
WHATSAPP_FROM = "+14155238886"
INBOUND_PATH = "/hooks/twilio/inbound"

_sids = itertools.count(1)


def message_sid() -> str:
    return f"SM{next(_sids):032x}"


def inbound_params(*, wa_id: str = "5215512345678", body: str = "Hola", **extra: str) -> dict:
    """An incoming WhatsApp message's parameters, as in contracts/twilio_inbound_message.md."""
    sid = extra.pop("MessageSid", None) or message_sid()
    params = {
        "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": f"whatsapp:+{wa_id}",
        "To": f"whatsapp:{WHATSAPP_FROM}",
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "SmsStatus": "received",
        "NumMedia": "0",
        "NumSegments": "1",
        "ProfileName": "Ana López",
        "WaId": wa_id,
        "Forwarded": "false",
        "FrequentlyForwarded": "false",
        "ReferralNumMedia": "0",
        "MessageType": "text",
    }
    params.update(extra)
    return params


def signature(params: dict[str, str], path: str = INBOUND_PATH) -> str:
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        f"{settings.PUBLIC_BASE_URL}{path}", params
    )


def inbound_post(client, params: dict[str, str], *, signed: bool = True, **extra: Any):
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature(params)} if signed else {}
    return client.post(INBOUND_PATH, params, **headers, **extra)


@pytest.fixture
def conversation_settings(settings, fake_providers):
    """The adapter talks to the fake Twilio (callbacks off unless a test turns them on); the
    inbound webhook is filed in the request."""
    for key, value in fake_providers.settings_env().items():
        if key.startswith("TWILIO_"):
            setattr(settings, key, value)
    settings.TWILIO_WHATSAPP_FROM = WHATSAPP_FROM
    settings.PUBLIC_BASE_URL = BASE
    settings.CONVERSATIONS_INBOUND_QUEUE = False
    fake_providers.set_behaviour("twilio", callbacks={"enabled": False})
    return settings


@pytest.fixture
def creator(db) -> Creator:
    return Creator.objects.create(
        handle="ana_lopez",
        name="Ana López",
        phone="+525512345678",
        locale="es-MX",
        consent_whatsapp="granted",
        consent_email="granted",
    )


@pytest.fixture
def creator_en(db) -> Creator:
    return Creator.objects.create(
        handle="jo_smith",
        name="Jo Smith",
        phone="+525587654321",
        locale="en",
        consent_whatsapp="granted",
    )


# The dispatch rig (fakes, live server, real Celery worker) of the campaign tests.
from tests.campaigns.conftest import dispatch_rig  # noqa: E402, F401


def reply_template(
    sid: str,
    *,
    variables: tuple[str, ...] = ("1",),
    locale: str = "es-MX",
    name: str = "seguimiento",
    status: str = WhatsAppTemplate.Status.APPROVED,
) -> WhatsAppTemplate:
    """`sid` in the WhatsApp template catalogue (as a sync of the Content API leaves it), so a
    reply may send it: replies take only approved catalogue templates."""
    body = "Hola " + ", ".join(f"{{{{{key}}}}}" for key in variables)
    template, _created = WhatsAppTemplate.objects.update_or_create(
        sid=sid,
        defaults={
            "friendly_name": name,
            "language": locale.replace("-", "_"),
            "locale": locale,
            "body": body,
            "variables": {key: "x" for key in variables},
            "status": status,
        },
    )
    return template
