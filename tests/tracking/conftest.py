"""Tracking under test: a launched campaign whose deliveries were accepted by the providers."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from campaigns import fanout, services
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make

BASE = "https://altavoz.example"
TWILIO_TOKEN = "test-auth-token"


class SendGridSigner:
    """Signs Event Webhook bodies the way SendGrid does (ECDSA P-256 over timestamp + body)."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: str | None = None) -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        signature = self.key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp,
        }

    def post(self, client, events: list[dict], **extra):
        body = json.dumps(events).encode()
        return client.post(
            "/hooks/sendgrid/events",
            body,
            content_type="application/json",
            **{**self.headers(body), **extra},
        )


@pytest.fixture
def tracking_settings(settings):
    settings.PUBLIC_BASE_URL = BASE
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.TRACKING_DELIVERY_COUNTS_TTL = 0
    return settings


@pytest.fixture
def sendgrid_signer(tracking_settings) -> SendGridSigner:
    signer = SendGridSigner()
    tracking_settings.SENDGRID_WEBHOOK_PUBLIC_KEY = signer.public_key
    return signer


def sent_campaign(
    count: int = 10, channels=("email", "whatsapp", "push", "inbox"), sent_ago: int = 3600
) -> Campaign:
    """A launched campaign whose deliveries the providers accepted `sent_ago` seconds ago."""
    creators_make(count)
    campaign = campaign_make(channels=tuple(channels))
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    sent_at = timezone.now() - timedelta(seconds=sent_ago)
    Delivery.objects.filter(campaign=campaign).update(
        status=Delivery.Status.SENT, sent_at=sent_at, provider_message_id="pm"
    )
    return campaign


@pytest.fixture
def campaign(db, tracking_settings) -> Campaign:
    return sent_campaign()
