"""Dispatch under test: the fakes, the live server their callbacks reach, a real worker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakes.client import FakeProviders
from tests.support.worker import WorkerProcess, broker_flush, stack_stop, worker_env

WHATSAPP_FROM = "+14155238886"


@dataclass
class DispatchRig:
    fakes: FakeProviders
    env: dict[str, str]
    tmp_path: Path
    workers: list[WorkerProcess]

    def worker_start(self, **overrides: str) -> WorkerProcess:
        log = self.tmp_path / f"worker-{len(self.workers)}.log"
        worker = WorkerProcess(worker_env(**{**self.env, **overrides}), log).start()
        self.workers.append(worker)
        return worker

    def worker_log(self) -> str:
        return "\n".join(
            worker.log_path.read_text(errors="replace")[-4000:] for worker in self.workers
        )


@pytest.fixture
def dispatch_rig(
    transactional_db, fake_providers, live_server, settings, tmp_path
) -> Iterator[DispatchRig]:
    """Settings of this process and of the workers point at the fakes; callbacks reach the
    live server, which shares the test database with the workers."""
    credentials = fake_providers.fcm_credentials_write(tmp_path / "fcm-service-account.json")
    env = {
        **fake_providers.settings_env(credentials),
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "PUBLIC_BASE_URL": live_server.url,
        "EMAIL_PROVIDER": "sendgrid",
        "PROVIDER_RATE_LIMITS": "twilio=0,sendgrid=0,fcm=0,smtp=0,inbox=0",
        "DISPATCH_PARALLELISM": "2",
    }
    for key, value in env.items():
        if key not in ("PROVIDER_RATE_LIMITS", "DISPATCH_PARALLELISM", "EMAIL_PORT"):
            setattr(settings, key, value)
    settings.PROVIDER_RATE_LIMITS = {"twilio": 0, "sendgrid": 0, "fcm": 0, "smtp": 0, "inbox": 0}
    fake_providers.set_behaviour("twilio", callbacks={"enabled": False})
    fake_providers.set_behaviour(
        "sendgrid", callbacks={"enabled": False, "url": f"{live_server.url}/hooks/sendgrid/events"}
    )
    broker_flush()
    rig = DispatchRig(fake_providers, env, tmp_path, [])
    try:
        yield rig
    finally:
        stack_stop(rig.workers, fake_providers)
