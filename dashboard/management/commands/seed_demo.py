"""`manage.py seed_demo`: the demo's data, from each app's own demo module.

It lives in the top app because it seeds several apps (creators, then segments built on
them, then campaigns to a static list of them, their tracking and replies); each app's
`demo.py` knows its own rows. Everything past the creators is made once, whatever the
number of creators, so a second run or a larger ALTAVOZ_DEMO_CREATORS adds no second set.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agencies.demo import agencies_demo_create
from campaigns.demo import SHOP_URL, campaigns_demo_create
from channels.demo import whatsapp_template_demo_create
from conversations.canned_defaults import canned_answers_seed
from conversations.demo import conversations_demo_create, replies_demo_create
from creators.demo import DEFAULT_CREATORS, DEFAULT_SEED, creators_seed_demo
from creators.models import Creator
from education.demo import education_demo_create
from markets.demo import playbooks_demo_create
from programs.demo import creator_metrics_demo_create, program_demo_create
from segments.demo import segment_demo_audience_create, segments_demo_create
from tracking.demo import tracking_demo_create


class Command(BaseCommand):
    help = (
        "Load realistic demo creators (Mexican states and time zones, long-tailed followers "
        "and GMV, consent per channel, push devices), demo segments and WhatsApp "
        "conversations, and once: an education library, a program with a leaderboard, an "
        "agency script in review, playbooks of two markets, finished campaigns with opens, "
        "clicks and replies, a sequence and a triggered campaign."
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
        lessons = education_demo_create()
        deliverables = agencies_demo_create()
        playbooks = playbooks_demo_create()
        campaigns, hits, replies, enrolled = 0, 0, 0, 0
        if Creator.objects.exists():
            whatsapp_template_demo_create()
            audience = segment_demo_audience_create()
            demo = campaigns_demo_create(segment=audience)
            campaigns = demo.created
            sent = [*demo.finished, *([demo.sequence] if demo.sequence else [])]
            hits = tracking_demo_create(campaigns=sent, url=SHOP_URL, seed=seed)
            replies = replies_demo_create(campaign_ids=[campaign.pk for campaign in sent])
            enrolled = program_demo_create(segment=audience)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {result.creators:,} creators, {result.devices:,} devices, "
                f"{result.consent_changes:,} consent records, {result.suppressions:,} "
                f"suppressions, {metrics:,} daily metrics, {result.segments} segments, "
                f"{conversations} WhatsApp "
                f"conversations, {lessons} lessons, {deliverables} agency deliverables, "
                f"{playbooks} playbooks, {campaigns} campaigns with {hits:,} tracking events "
                f"and {replies} replies, {enrolled:,} creators in a program "
                f"in {seconds:.1f} s."
            )
        )
