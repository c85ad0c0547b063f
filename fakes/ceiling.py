"""The fakes' own ceiling: requests/s a bare aiohttp client gets from each HTTP fake.

    .venv/bin/python -m fakes.ceiling [--requests 20000] [--concurrency 64]
        [--latency-ms 0 100] [--slow-concurrency 500]

Starts the fakes in a subprocess (their own core) unless ``--control-url`` names running
ones, and drives each provider with valid requests over one keep-alive connection pool.
``ceiling_measure`` is importable so dispatch benchmarks can print the same figure in the
same run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from fakes.client import FakeProviders

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JSON = {"Content-Type": "application/json"}


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _fcm_token(fakes: FakeProviders) -> str:
    import google.auth.transport.requests
    from google.oauth2 import service_account

    with tempfile.TemporaryDirectory() as tmp:
        path = fakes.fcm_credentials_write(Path(tmp) / "sa.json")
        credentials = service_account.Credentials.from_service_account_file(
            str(path), scopes=[FCM_SCOPE]
        )
        credentials.refresh(google.auth.transport.requests.Request())
        return credentials.token


def _requests(fakes: FakeProviders, provider: str) -> tuple[str, dict[str, str], Any]:
    """URL, headers and a body factory (pre-encoded bytes: a cheap client) for ``provider``."""
    if provider == "twilio":
        pair = f"{fakes.twilio_account_sid}:{fakes.twilio_auth_token}".encode()
        url = f"{fakes.urls['twilio']}/2010-04-01/Accounts/{fakes.twilio_account_sid}/Messages.json"
        headers = {
            "Authorization": "Basic " + base64.b64encode(pair).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
        }

        def body(i: int) -> bytes:
            return urlencode(
                {
                    "To": f"whatsapp:+5215{i % 100_000_000:08d}",
                    "From": "whatsapp:+14155238886",
                    "ContentSid": "HX" + "a" * 32,
                    "ContentVariables": json.dumps({"1": f"creator {i}"}),
                }
            ).encode()

        return url, headers, body
    if provider == "sendgrid":
        url = f"{fakes.urls['sendgrid']}/v3/mail/send"
        headers = {"Authorization": f"Bearer {fakes.sendgrid_api_key}", **JSON}

        def body(i: int) -> bytes:
            return _json(
                {
                    "personalizations": [
                        {"to": [{"email": f"c{i}@x.example"}], "custom_args": {"d": str(i)}}
                    ],
                    "from": {"email": "creadores@altavoz.example"},
                    "subject": "Hola",
                    "content": [{"type": "text/html", "value": "<p>Hola</p>"}],
                }
            )

        return url, headers, body
    if provider == "fcm":
        url = f"{fakes.urls['fcm']}/v1/projects/{fakes.fcm_project_id}/messages:send"
        headers = {"Authorization": f"Bearer {_fcm_token(fakes)}", **JSON}

        def body(i: int) -> bytes:
            return _json(
                {
                    "message": {
                        "token": f"device-{i}",
                        "notification": {"title": "Hola", "body": "Nuevo reto"},
                        "data": {"delivery": str(i)},
                    }
                }
            )

        return url, headers, body
    raise ValueError(provider)


async def _drive(url: str, headers: dict[str, str], body: Any, n: int, concurrency: int):
    connector = aiohttp.TCPConnector(limit=concurrency)
    errors = 0
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
        counter = iter(range(n))

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                async with session.post(url, data=body(i)) as response:
                    await response.read()
                    if response.status >= 300:
                        errors += 1

        started = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        elapsed = time.perf_counter() - started
    return n / elapsed, errors


def ceiling_measure(
    fakes: FakeProviders,
    provider: str,
    *,
    requests: int = 20_000,
    concurrency: int = 64,
    latency_ms: float = 0.0,
) -> dict[str, Any]:
    """Requests/s the fake answers for ``provider`` at ``latency_ms`` (callbacks off)."""
    fakes.reset()
    fakes.set_behaviour(provider, latency_ms=latency_ms)
    if provider in {"twilio", "sendgrid"}:
        fakes.set_behaviour(provider, callbacks={"enabled": False})
    url, headers, body = _requests(fakes, provider)
    asyncio.run(_drive(url, headers, body, min(requests, 500), concurrency))  # warm up
    rate, errors = asyncio.run(_drive(url, headers, body, requests, concurrency))
    fakes.reset()
    return {
        "provider": provider,
        "latency_ms": latency_ms,
        "concurrency": concurrency,
        "requests": requests,
        "requests_per_s": round(rate),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fakes.ceiling", description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--slow-concurrency", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, nargs="*", default=[0.0, 100.0])
    parser.add_argument("--providers", nargs="*", default=["twilio", "sendgrid", "fcm"])
    parser.add_argument("--control-url", default=None)
    args = parser.parse_args(argv)
    fakes = (
        FakeProviders(control_url=args.control_url) if args.control_url else FakeProviders().start()
    )
    try:
        print(f"{'provider':9} {'latency':>8} {'conc':>5} {'requests':>9} {'req/s':>8} errors")
        for latency in args.latency_ms:
            for provider in args.providers:
                concurrency = args.concurrency if latency == 0 else args.slow_concurrency
                r = ceiling_measure(
                    fakes,
                    provider,
                    requests=args.requests,
                    concurrency=concurrency,
                    latency_ms=latency,
                )
                print(
                    f"{provider:9} {latency:>6g}ms {concurrency:>5} {r['requests']:>9} "
                    f"{r['requests_per_s']:>8} {r['errors']}",
                    flush=True,
                )
    finally:
        if not args.control_url:
            fakes.stop()


if __name__ == "__main__":
    main()
