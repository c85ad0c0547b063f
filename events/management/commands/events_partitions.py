from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from events.partitions import event_partitions_ensure, event_partitions_list, event_partitions_prune


class Command(BaseCommand):
    help = (
        "Make the event table's monthly partitions ahead (EVENTS_PARTITIONS_AHEAD_MONTHS) and "
        "drop those past EVENTS_RETENTION_DAYS, as the daily beat task does; --list shows them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Only list the partitions.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["list"]:
            for name in event_partitions_ensure():
                self.stdout.write(f"made {name}")
            outcome = event_partitions_prune()
            for name in outcome.partitions_dropped:
                self.stdout.write(f"dropped {name}")
            self.stdout.write(
                f"deleted {outcome.default_rows_deleted} old rows of the default partition, "
                f"{outcome.keys_deleted} idempotency keys"
            )
        for partition in event_partitions_list():
            self.stdout.write(
                f"{partition.name}  {partition.start:%Y-%m-%d} – {partition.end:%Y-%m-%d}"
            )
