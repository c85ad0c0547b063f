"""Read what the fakes received, keyed by Altavoz delivery id."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlsplit

from fakes.client import FakeProviders


def delivery_ids_received(fakes: FakeProviders, provider: str) -> Counter[int]:
    """How many times each delivery reached `provider` and was accepted."""
    seen: Counter[int] = Counter()
    for entry in fakes.received(provider, accepted=True):
        request = entry["request"]
        if provider == "twilio":
            callback = request.get("StatusCallback")
            callback = callback[-1] if isinstance(callback, list) else callback
            seen[int(parse_qs(urlsplit(callback).query)["d"][0])] += 1
        elif provider == "sendgrid":
            for personalization in request["personalizations"]:
                seen[int(personalization["custom_args"]["delivery_id"])] += 1
        elif provider == "fcm":
            seen[int(request["message"]["data"]["delivery_id"])] += 1
    return seen
