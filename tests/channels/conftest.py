"""The channels app's tests: Django settings pointed at the fake providers."""

from __future__ import annotations

import pytest


@pytest.fixture
def content_api(settings, fake_providers):
    """The fake Twilio (Content API included) as the app's Twilio, freshly seeded."""
    settings.TWILIO_ACCOUNT_SID = fake_providers.twilio_account_sid
    settings.TWILIO_AUTH_TOKEN = fake_providers.twilio_auth_token
    settings.TWILIO_BASE_URL = fake_providers.urls["twilio"]
    settings.TWILIO_CONTENT_BASE_URL = fake_providers.urls["twilio"]
    return fake_providers
