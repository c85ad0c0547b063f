import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

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
