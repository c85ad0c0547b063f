"""Each channel's adapter declares what dispatch prepares for it; `EMAIL_PROVIDER` picks the
email provider's module."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from channels.email_sendgrid import SendGridEmailAdapter
from channels.email_smtp import SmtpEmailAdapter
from channels.registry import adapter_class, provider_for


@pytest.mark.parametrize(
    ("email_provider", "adapter", "provider"),
    [("sendgrid", SendGridEmailAdapter, "sendgrid"), ("smtp", SmtpEmailAdapter, "smtp")],
)
def test_email_provider_setting_picks_the_adapter_and_its_rate_limit(
    settings, email_provider, adapter, provider
):
    settings.EMAIL_PROVIDER = email_provider
    assert adapter_class("email") is adapter
    assert provider_for("email") == provider


def test_unknown_email_provider_says_which_ones_exist(settings):
    settings.EMAIL_PROVIDER = "mailgun"
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PROVIDER='mailgun'.*sendgrid"):
        adapter_class("email")


@pytest.mark.parametrize(
    ("channel", "provider", "address_field", "device_tokens", "unsubscribe"),
    [
        ("email", "sendgrid", "email", False, True),
        ("whatsapp", "twilio", "phone", False, False),
        ("push", "fcm", "", True, False),
        ("inbox", "inbox", "", False, False),
    ],
)
def test_adapters_declare_what_dispatch_prepares(
    settings, channel, provider, address_field, device_tokens, unsubscribe
):
    settings.EMAIL_PROVIDER = "sendgrid"
    adapter = adapter_class(channel)
    assert adapter.code == channel
    assert (
        adapter.provider,
        adapter.address_field,
        adapter.needs_device_tokens,
        adapter.needs_unsubscribe_links,
    ) == (provider, address_field, device_tokens, unsubscribe)
