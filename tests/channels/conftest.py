"""Adapters against the loopback fake providers: the real SDKs, only the base URLs change."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from channels.base import Outgoing, SendResult
from channels.registry import adapter_for
from fakes.client import FakeProviders

WHATSAPP_FROM = "+14155238886"
# Shorter than the fakes hold a "timeout" (hold_s), so the adapter gives up reading.
READ_TIMEOUT = 0.5


@dataclass
class ProviderRig:
    fakes: FakeProviders

    def send(self, channel: str, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        """One batch through the channel's configured adapter, as dispatch sends it."""

        async def run() -> list[SendResult]:
            adapter = adapter_for(channel)
            try:
                return await adapter.send_batch(outgoing)
            finally:
                await adapter.close()

        return asyncio.run(run())


@pytest.fixture
def provider_rig(fake_providers, settings, tmp_path) -> ProviderRig:
    credentials = fake_providers.fcm_credentials_write(tmp_path / "fcm-service-account.json")
    for key, value in fake_providers.settings_env(credentials).items():
        if key not in ("EMAIL_HOST", "EMAIL_PORT"):
            setattr(settings, key, value)
    settings.TWILIO_WHATSAPP_FROM = WHATSAPP_FROM
    settings.EMAIL_PROVIDER = "sendgrid"
    settings.CHANNEL_READ_TIMEOUT = READ_TIMEOUT
    settings.CHANNEL_CONNECT_TIMEOUT = 2.0
    return ProviderRig(fake_providers)


def outgoing_make(delivery_id: int = 1, **fields: Any) -> Outgoing:
    values: dict[str, Any] = {
        "creator_id": delivery_id,
        "campaign_id": 7,
        "locale": "es-MX",
        "content": {},
        "name": "Luz Ramírez",
        **fields,
    }
    return Outgoing(delivery_id=delivery_id, **values)


def closed_port_url() -> str:
    """A loopback URL where nothing listens: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
