import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("altavoz")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def channel_adapters_import(**_kwargs: object) -> None:
    """Each pool process loads the channel adapters before it takes its first task."""
    from channels.registry import adapters_import

    adapters_import()
