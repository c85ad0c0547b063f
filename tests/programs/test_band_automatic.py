"""Crossing a program band sends that band's message with no ops action: a metric import
records `band_reached`, the band's armed campaign picks it up in a real Celery worker, and
the fake Twilio gets the message, once per creator however often metrics arrive."""

from __future__ import annotations

import io
import time

import pytest

from campaigns.models import Campaign, TriggerMatch
from programs import metric_import, services
from programs.band_triggers import band_message_arm
from tests.campaigns.conftest import dispatch_rig  # noqa: F401  (the worker and the fakes)
from tests.support.factories import creators_make, program_make

pytestmark = pytest.mark.worker

HALFWAY = [
    {"channel": "whatsapp", "locale": locale, "body": "¡{{ creator.first_name }}, vas a la mitad!"}
    for locale in ("es-MX", "en")
]


def _import(lines: str) -> None:
    result = metric_import.creator_metrics_import_csv(
        file=io.BytesIO(("handle,date,metric,value\n" + lines).encode())
    )
    assert result.errors == []


def _bodies(rig) -> list[str]:
    return [entry["request"]["Body"] for entry in rig.fakes.received("twilio", accepted=True)]


def _wait(condition, rig, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} after {timeout}s; worker log:\n{rig.worker_log()}")


def test_crossing_a_band_sends_its_message_with_no_ops_action(dispatch_rig):  # noqa: F811
    ana, bea, _cris = creators_make(3)
    program = program_make()
    services.program_enrol_eligible(program=program)
    campaign = band_message_arm(program=program, band="halfway", messages=HALFWAY)
    assert campaign.status == Campaign.Status.SENDING
    dispatch_rig.worker_start()

    # ana reaches halfway (600 of 1,000), bea only starts.
    _import(f"{ana.handle},2026-11-02,gmv,600\n{bea.handle},2026-11-02,gmv,100\n")
    _wait(lambda: len(_bodies(dispatch_rig)) >= 1, dispatch_rig, 60, "no band message sent")
    assert _bodies(dispatch_rig) == [f"¡{ana.name.split()[0]}, vas a la mitad!"]

    # More metrics for ana (still halfway) and bea crossing into halfway: only bea is sent.
    _import(f"{ana.handle},2026-11-03,gmv,100\n{bea.handle},2026-11-03,gmv,450\n")
    _wait(lambda: len(_bodies(dispatch_rig)) >= 2, dispatch_rig, 60, "bea was not sent")
    time.sleep(3)
    assert sorted(_bodies(dispatch_rig)) == sorted(
        f"¡{creator.name.split()[0]}, vas a la mitad!" for creator in (ana, bea)
    )
    assert set(
        TriggerMatch.objects.filter(campaign=campaign).values_list("creator_id", "outcome")
    ) == {(ana.pk, "sent"), (bea.pk, "sent")}
