import os

from celery import Celery, signals
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# filesystem:// brokers use our transport, which outlives its folder going missing.
TRANSPORT_ALIASES["filesystem"] = "common.broker:Transport"

app = Celery("altavoz")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def worker_process_prepare(**_kwargs: object) -> None:
    """Each pool process loads the channel adapters before it takes its first task, then
    freezes what it has loaded out of the garbage collector's way (common/runtime.py)."""
    from channels.registry import adapters_import
    from common.runtime import gc_tune

    adapters_import()
    gc_tune()
