"""A worker process freezes what it loaded and collects its young generation less often."""

from __future__ import annotations

import gc

import pytest
from celery import signals

import config.celery  # noqa: F401  (connects the worker_process_init handler)


@pytest.fixture
def gc_restored():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_worker_process_init_freezes_and_raises_the_young_threshold(settings, gc_restored):
    settings.WORKER_GC_GEN0_THRESHOLD = 12_345
    gc.unfreeze()
    assert gc.get_freeze_count() == 0

    signals.worker_process_init.send(sender=None)

    assert gc.get_threshold()[0] == 12_345
    # Everything loaded so far (Django, the SDKs, the adapters) is out of the collector's scans.
    assert gc.get_freeze_count() > 10_000
