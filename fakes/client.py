"""Drive the fake providers from tests and benchmarks (another process, plain HTTP).

fakes = FakeProviders().start()          # a subprocess on free ports
fakes.urls["twilio"]                     # base URLs; fakes.settings_env() for Django
fakes.set_behaviour("twilio", failure={"mode": "5xx", "rate": 0.3, "seed": 1})
fakes.received("sendgrid", accepted=True)
fakes.reset(); fakes.stop()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from fakes.contracts import REPO_ROOT


class FakeProvidersError(RuntimeError):
    """The fakes did not start, or a control request failed."""


class FakeProviders:
    def __init__(
        self,
        *,
        contracts_dir: str | os.PathLike[str] | None = None,
        no_contracts: bool = False,
        extra_args: list[str] | tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        control_url: str | None = None,
    ) -> None:
        """``control_url`` attaches to fakes already running (e.g. ``make run``'s)."""
        self.contracts_dir = contracts_dir
        self.no_contracts = no_contracts
        self.extra_args = list(extra_args)
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._control_url = control_url
        if control_url:
            self.info = self._request("GET", "/_control/config")

    # lifecycle ---------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> FakeProviders:
        self._tmp = tempfile.TemporaryDirectory(prefix="altavoz-fakes-")
        ready = Path(self._tmp.name) / "ready.json"
        log = Path(self._tmp.name) / "fakes.log"
        cmd = [sys.executable, "-m", "fakes", "--ready-file", str(ready)]
        cmd += ["--control-port", "0", "--twilio-port", "0", "--sendgrid-port", "0"]
        cmd += ["--fcm-port", "0", "--smtp-port", "0"]
        if self.no_contracts:
            cmd.append("--no-contracts")
        elif self.contracts_dir:
            cmd += ["--contracts-dir", str(self.contracts_dir)]
        cmd += self.extra_args
        env = {**os.environ, **(self.env or {})}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self.process.poll() is not None:
                output = log.read_text(errors="replace")
                raise FakeProvidersError(
                    f"fake providers exited with {self.process.returncode}:\n{output}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise FakeProvidersError("fake providers did not start in time")
            time.sleep(0.02)
        self.info = json.loads(ready.read_text())
        self._control_url = self.info["urls"]["control"]
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> FakeProviders:
        return self if self.info else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # what to point clients at ------------------------------------------------------------
    @property
    def urls(self) -> dict[str, str]:
        return self.info["urls"]

    @property
    def twilio_account_sid(self) -> str:
        return self.info["twilio"]["account_sid"]

    @property
    def twilio_auth_token(self) -> str:
        return self.info["twilio"]["auth_token"]

    @property
    def sendgrid_api_key(self) -> str:
        return self.info["sendgrid"]["api_key"]

    @property
    def sendgrid_public_key(self) -> str:
        return self.info["sendgrid"]["webhook_public_key"]

    @property
    def fcm_project_id(self) -> str:
        return self.info["fcm"]["project_id"]

    @property
    def smtp_address(self) -> tuple[str, int]:
        return self.info["smtp"]["host"], self.info["smtp"]["port"]

    def fcm_credentials_write(self, path: str | os.PathLike[str]) -> Path:
        """Write the fake's service-account JSON (token_uri → the fake) for google-auth."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.info["fcm"]["service_account"], indent=2))
        target.chmod(0o600)
        return target

    def settings_env(
        self, fcm_credentials_file: str | os.PathLike[str] | None = None
    ) -> dict[str, str]:
        """Env vars / Django settings that point Altavoz at these fakes."""
        env = dict(self.info.get("env") or {})
        if fcm_credentials_file:
            env["FCM_CREDENTIALS_FILE"] = str(fcm_credentials_file)
        return env

    # control API ---------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: Any = None, query: dict | None = None):
        if not self._control_url:
            raise FakeProvidersError("fake providers are not started")
        url = self._control_url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise FakeProvidersError(f"{method} {path}: {error.code} {error.read()!r}") from error

    def set_behaviour(self, provider: str = "all", **behaviour: Any) -> dict[str, Any]:
        """Merge a behaviour (latency_ms, failure, recipient_errors, undeliverable, callbacks)."""
        return self._request("POST", "/_control/behaviour", {"provider": provider, **behaviour})

    def behaviour(self, provider: str = "all") -> dict[str, Any]:
        return self._request("GET", "/_control/behaviour", query={"provider": provider})

    def clear_behaviour(self, provider: str = "all") -> None:
        self._request("DELETE", "/_control/behaviour", query={"provider": provider})

    def received(
        self,
        provider: str | None = None,
        *,
        accepted: bool | None = None,
        recipient: str | None = None,
        outcome: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        query = {
            "provider": provider,
            "accepted": None if accepted is None else str(accepted).lower(),
            "recipient": recipient,
            "outcome": outcome,
            "after": after,
            "limit": limit,
        }
        return self._request("GET", "/_control/outbox", query=query)

    def whatsapp_reply(self, number: str, **message: Any) -> dict[str, Any]:
        """Make ``number`` "reply" (``body``, ``button_payload``/``button_text``, ``media``,
        ``original_replied_message_sid``, ``url``…): a signed webhook is POSTed to the app;
        returns what was sent and the app's answer (docs/fakes.md, "Inbound simulator")."""
        return self._request("POST", "/_control/twilio/inbound", {"from": number, **message})

    def whatsapp_replies(self) -> list[dict[str, Any]]:
        return self._request("GET", "/_control/twilio/inbound")

    def stats(self) -> dict[str, Any]:
        return self._request("GET", "/_control/stats")

    def callbacks(self, provider: str | None = None) -> list[dict[str, Any]]:
        return self._request("GET", "/_control/callbacks", query={"provider": provider})

    def reset(self) -> None:
        """Forget behaviours, the outbox, the callback log and pending callbacks."""
        self._request("POST", "/_control/reset", {})

    def wait_for(self, predicate, timeout: float = 10.0, interval: float = 0.05):
        """Poll ``predicate(self)`` until it returns something truthy; return that."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(interval)
