"""Bind the sockets, build the apps and serve all fakes from one asyncio loop."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
from pathlib import Path
from typing import Any

from aiohttp import web

from fakes import control, fcm, sendgrid, smtp, twilio
from fakes.callbacks import EventWebhookSigner
from fakes.contracts import Contracts
from fakes.core import Fakes, Settings
from fakes.fcm_auth import ServiceAccount

log = logging.getLogger("fakes")
DEFAULT_PORTS = {"control": 8100, "twilio": 8101, "sendgrid": 8102, "fcm": 8103, "smtp": 1025}


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(f"fake providers: cannot bind {host}:{port}: {error}") from error
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def _keys(settings: Settings, token_uri: str) -> tuple[EventWebhookSigner, ServiceAccount]:
    state = settings.state_dir
    if state is None:
        signer = EventWebhookSigner()
        account = ServiceAccount(project_id=settings.fcm_project_id, token_uri=token_uri)
        return signer, account
    state.mkdir(parents=True, exist_ok=True)
    pem = state / "sendgrid-webhook-key.pem"
    if pem.exists():
        signer = EventWebhookSigner.from_pem(pem.read_bytes())
    else:
        signer = EventWebhookSigner()
        pem.write_bytes(signer.private_pem())
        pem.chmod(0o600)
    (state / "sendgrid-webhook-public-key.txt").write_text(signer.public_key_b64 + "\n")
    sa_path = state / "fcm-service-account.json"
    if sa_path.exists():
        account = ServiceAccount.from_file(sa_path)
        account.token_uri = token_uri
        account.project_id = settings.fcm_project_id
    else:
        account = ServiceAccount(project_id=settings.fcm_project_id, token_uri=token_uri)
    account.write(sa_path)
    return signer, account


def settings_env(fakes: Fakes) -> dict[str, str]:
    """Django settings (env vars) that point Altavoz at these fakes."""
    s = fakes.settings
    env = {
        "TWILIO_BASE_URL": s.urls["twilio"],
        "TWILIO_CONTENT_BASE_URL": s.urls["twilio"],
        "TWILIO_ACCOUNT_SID": s.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": s.twilio_auth_token,
        "SENDGRID_BASE_URL": s.urls["sendgrid"],
        "SENDGRID_API_KEY": s.sendgrid_api_key,
        "SENDGRID_WEBHOOK_PUBLIC_KEY": fakes.signer.public_key_b64,
        "FCM_BASE_URL": s.urls["fcm"],
        "FCM_PROJECT_ID": s.fcm_project_id,
    }
    if "smtp" in s.urls:
        host, port = s.urls["smtp"].removeprefix("smtp://").rsplit(":", 1)
        env.update({"EMAIL_HOST": host, "EMAIL_PORT": port})
    if s.state_dir is not None:
        env["FCM_CREDENTIALS_FILE"] = str((s.state_dir / "fcm-service-account.json").resolve())
    return env


class Server:
    def __init__(self, settings: Settings, contracts: Contracts, ports: dict[str, int]) -> None:
        self.settings = settings
        self.contracts = contracts
        self.ports = {**DEFAULT_PORTS, **ports}
        self.fakes: Fakes | None = None
        self._runners: list[web.AppRunner] = []
        self._smtp: asyncio.AbstractServer | None = None

    async def start(self) -> Fakes:
        host = self.settings.host
        socks = {name: _bind(host, port) for name, port in self.ports.items()}
        bound = {name: sock.getsockname()[1] for name, sock in socks.items()}
        urls = {name: f"http://{host}:{port}" for name, port in bound.items() if name != "smtp"}
        urls["fcm_token"] = f"{urls['fcm']}/token"
        urls["smtp"] = f"smtp://{host}:{bound['smtp']}"
        self.settings.urls = urls
        signer, account = _keys(self.settings, urls["fcm_token"])
        fakes = Fakes(self.settings, self.contracts, signer=signer, service_account=account)
        self.fakes = fakes
        await fakes.callbacks.start()
        builders = {
            "control": control.app_build,
            "twilio": twilio.app_build,
            "sendgrid": sendgrid.app_build,
            "fcm": fcm.app_build,
        }
        for name, build in builders.items():
            runner = web.AppRunner(build(fakes), access_log=None, handle_signals=False)
            await runner.setup()
            await web.SockSite(runner, socks[name], shutdown_timeout=0.5).start()
            self._runners.append(runner)
        smtp_sock = socks["smtp"]
        loop = asyncio.get_running_loop()
        handler = smtp.SinkHandler(fakes)
        from aiosmtpd.smtp import SMTP

        self._smtp = await loop.create_server(
            lambda: SMTP(handler, hostname="fake-smtp.altavoz.local"), sock=smtp_sock
        )
        if self.settings.state_dir is not None:
            env_file = self.settings.state_dir / "fakes.env"
            env_file.write_text("".join(f"{k}={v}\n" for k, v in settings_env(fakes).items()))
        return fakes

    async def stop(self) -> None:
        if self._smtp:
            self._smtp.close()
        for runner in self._runners:
            await runner.cleanup()
        if self.fakes:
            await self.fakes.callbacks.stop()


async def serve(
    settings: Settings,
    contracts: Contracts,
    ports: dict[str, int],
    ready_file: str | None = None,
) -> None:
    server = Server(settings, contracts, ports)
    fakes = await server.start()
    info: dict[str, Any] = {**fakes.config(), "env": settings_env(fakes), "pid": os.getpid()}
    if ready_file:
        tmp = Path(ready_file + ".tmp")
        tmp.write_text(json.dumps(info))
        tmp.replace(ready_file)
    contracts_note = (
        f"contracts from {contracts.directory}"
        if contracts.enabled
        else "WITHOUT contract validation (--no-contracts)"
    )
    print(
        "fake providers up, "
        + contracts_note
        + "\n"
        + "\n".join(f"  {name:9} {url}" for name, url in settings.urls.items())
        + f"\n  outbox    {settings.urls['control']}/",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()
