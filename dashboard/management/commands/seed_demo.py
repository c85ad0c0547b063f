"""`manage.py seed_demo`: the demo's data, from each app's own demo module.

It lives in the top app because it seeds several apps (creators, then segments built on
them); each app's `demo.py` knows its own rows.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from conversations.canned_defaults import canned_answers_seed
from conversations.demo import conversations_demo_create
from creators.demo import DEFAULT_CREATORS, DEFAULT_SEED, creators_seed_demo
from creators.models import Creator
from programs.demo import creator_metrics_demo_create
from segments.demo import segments_demo_create


class Command(BaseCommand):
    help = (
        "Load realistic demo creators (Mexican states and time zones, long-tailed followers "
        "and GMV, consent per channel, push devices) and a few demo segments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--creators",
            type=int,
            default=DEFAULT_CREATORS,
            help=f"how many creators to add (default {DEFAULT_CREATORS:,})",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when there are creators already (load demo data once)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="random seed: the same seed gives the same creators (default %(default)s)",
        )

    def handle(self, *args: Any, creators: int, if_empty: bool, seed: int, **options: Any) -> None:
        if creators < 0:
            raise CommandError("--creators must be zero or more.")
        if if_empty and Creator.objects.exists():
            self.stdout.write("Demo data: creators exist already, nothing to do.")
            return
        started = timezone.now()
        result = creators_seed_demo(count=creators, seed=seed)
        metrics = creator_metrics_demo_create()
        result.segments = segments_demo_create()
        conversations = conversations_demo_create()
        canned_answers_seed()
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {result.creators:,} creators, {result.devices:,} devices, "
                f"{result.consent_changes:,} consent records, {result.suppressions:,} "
                f"suppressions, {metrics:,} daily metrics, {result.segments} segments, "
                f"{conversations} WhatsApp "
                f"conversations in {seconds:.1f} s."
            )
        )
