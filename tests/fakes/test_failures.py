"""Failure switches: rates, counts, durations, timeouts, disconnects and latency."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest

from fakes.client import FakeProviders, FakeProvidersError


def sendgrid_body(i: int) -> dict:
    return {
        "personalizations": [{"to": [{"email": f"u{i}@x.example"}]}],
        "from": {"email": "f@x.example"},
        "subject": "s",
        "content": [{"type": "text/plain", "value": "v"}],
    }


def blast(fakes, n: int, *, timeout: float = 5.0, concurrency: int = 50) -> Counter:
    async def run() -> Counter:
        url = f"{fakes.urls['sendgrid']}/v3/mail/send"
        headers = {"Authorization": f"Bearer {fakes.sendgrid_api_key}"}
        outcomes: Counter = Counter()
        gate = asyncio.Semaphore(concurrency)
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with aiohttp.ClientSession(headers=headers, timeout=client_timeout) as session:

            async def one(i: int) -> None:
                async with gate:
                    try:
                        async with session.post(url, json=sendgrid_body(i)) as response:
                            outcomes[response.status] += 1
                    except TimeoutError:
                        outcomes["timeout"] += 1
                    except aiohttp.ClientError:
                        outcomes["disconnect"] += 1

            await asyncio.gather(*[one(i) for i in range(n)])
        return outcomes

    return asyncio.run(run())


def test_seeded_failure_rate_fails_about_that_share(fake_providers):
    fake_providers.set_behaviour(
        "sendgrid", failure={"mode": "mixed", "rate": 0.3, "seed": 7, "hold_s": 2}
    )
    outcomes = blast(fake_providers, 400, timeout=1.0, concurrency=100)
    failed = outcomes[503] + outcomes[429] + outcomes["timeout"]
    assert outcomes[202] + failed == 400
    assert 0.22 * 400 < failed < 0.38 * 400, outcomes
    assert outcomes[503] and outcomes[429] and outcomes["timeout"], outcomes
    stats = fake_providers.stats()["outbox"]["sendgrid"]
    assert stats["accepted"] == outcomes[202]
    assert len(fake_providers.received("sendgrid", accepted=True)) == outcomes[202]


def test_failure_for_a_duration_then_healthy(fake_providers):
    fake_providers.set_behaviour(
        "sendgrid", failure={"mode": "5xx", "status": 500, "duration_s": 0.5}
    )
    assert blast(fake_providers, 5) == Counter({500: 5})
    time.sleep(0.6)
    assert blast(fake_providers, 5) == Counter({202: 5})
    assert fake_providers.behaviour("sendgrid")["sendgrid"]["failure"] is None


def test_timeout_holds_longer_than_the_client_waits(fake_providers):
    fake_providers.set_behaviour("sendgrid", failure={"mode": "timeout", "hold_s": 3, "count": 1})
    started = time.monotonic()
    assert blast(fake_providers, 1, timeout=0.5) == Counter({"timeout": 1})
    assert 0.45 < time.monotonic() - started < 2
    assert fake_providers.received("sendgrid", accepted=True) == []
    # accept=True: the provider took the message, then stalled (the ambiguous case)
    fake_providers.set_behaviour(
        "sendgrid", failure={"mode": "timeout", "hold_s": 3, "count": 1, "accept": True}
    )
    assert blast(fake_providers, 1, timeout=0.5) == Counter({"timeout": 1})
    [record] = fake_providers.received("sendgrid", accepted=True)
    assert record["outcome"] == "timeout-accepted"


def test_disconnect_drops_the_connection(fake_providers):
    fake_providers.set_behaviour("sendgrid", failure={"mode": "disconnect", "count": 2})
    assert blast(fake_providers, 3, concurrency=1) == Counter({"disconnect": 2, 202: 1})


def test_latency_is_applied_per_request_and_concurrently(fake_providers):
    fake_providers.set_behaviour("sendgrid", latency_ms=100)
    started = time.monotonic()
    assert blast(fake_providers, 1) == Counter({202: 1})
    assert time.monotonic() - started >= 0.1
    started = time.monotonic()
    assert blast(fake_providers, 200, concurrency=200) == Counter({202: 200})
    assert time.monotonic() - started < 1.5  # served in parallel, not 20 s in a row


def test_failure_switches_are_per_provider(fake_providers):
    fake_providers.set_behaviour("twilio", failure={"mode": "5xx"})
    assert blast(fake_providers, 3) == Counter({202: 3})


def test_bad_behaviour_is_refused(fake_providers):
    with pytest.raises(FakeProvidersError, match="failure.mode"):
        fake_providers.set_behaviour("sendgrid", failure={"mode": "explode"})
    with pytest.raises(FakeProvidersError, match="unknown provider"):
        fake_providers.set_behaviour("mailgun", latency_ms=1)


def test_missing_contracts_dir_is_a_loud_error(tmp_path):
    with pytest.raises(FakeProvidersError, match="provider contracts directory not found"):
        FakeProviders(contracts_dir=tmp_path / "absent").start()
    (tmp_path / "partial").mkdir()
    with pytest.raises(FakeProvidersError, match="twilio_api_v2010_messages.json"):
        FakeProviders(contracts_dir=tmp_path / "partial").start()
    with FakeProviders(contracts_dir=tmp_path / "absent", no_contracts=True) as fakes:
        assert fakes.info["contracts_dir"] is None
        assert blast(fakes, 1) == Counter({202: 1})


def test_outbox_page_lists_newest_first(fake_providers):
    blast(fake_providers, 3, concurrency=1)
    import urllib.request

    page = urllib.request.urlopen(fake_providers.urls["control"] + "/").read().decode()
    assert page.index("u2@x.example") < page.index("u1@x.example") < page.index("u0@x.example")
    assert "<script" not in page and "http" not in page.split("<body>")[0].replace(
        'http-equiv="refresh"', ""
    )
    fake_providers.reset()
    assert fake_providers.received() == []
