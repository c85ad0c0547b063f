from celery import shared_task

from events.partitions import event_partitions_maintain


@shared_task
def event_partitions_maintain_task() -> None:
    """Daily (beat): make next months' partitions, drop those past the retention."""
    event_partitions_maintain()
