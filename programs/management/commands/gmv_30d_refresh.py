"""`manage.py gmv_30d_refresh`: set every creator's gmv_30d from the metrics now (the beat
task does it daily; docs/metrics.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from programs.gmv import gmv_30d_refresh, gmv_window


class Command(BaseCommand):
    help = "Set every creator's GMV of the last 30 days from the imported daily gmv metrics."

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = gmv_window()
        changed = gmv_30d_refresh()
        self.stdout.write(f"gmv_30d: {changed:,} creators changed (window {first} to {last}).")
