"""The demo's campaigns (`manage.py seed_demo`): two finished campaigns on email, WhatsApp and
push, a sequence still waiting for its follow-ups and an armed triggered campaign.

Each is created, checked and launched through the services. The demo has no worker and no
provider while it seeds, so the finished runs are fanned out here, in process, and each
claimed delivery is settled as the provider's acceptance would settle it (a demo message
id); then their times are moved back to when the demo says they were sent. Opens, clicks
and replies are added above this app (tracking and conversations demos).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from campaigns import fanout, sequences, services
from campaigns.dispatch import deliveries_claim, deliveries_settle
from campaigns.models import Campaign, Delivery, SequenceStep
from campaigns.runs import campaign_finish_if_done
from campaigns.triggers import campaign_trigger_set
from channels.base import Outcome, SendResult
from channels.demo import MISION_NUEVA_SID
from segments.models import Segment

DEMO_PREFIX = "Demo · "
SHOP_URL = "https://shop.example.com/ofertas-navidad"
GUIDE_URL = "https://altavoz.example.com/guia-live"


def _email(subject: str, heading: str, text: str, url: str, cta: str) -> dict[str, str]:
    return {
        "subject": subject,
        "html": (
            f"<h1>{heading}</h1><p>Hola {{{{ creator.first_name }}}},</p><p>{text}</p>"
            f'<p><a href="{url}">{cta}</a></p>'
        ),
        "text": f"Hola {{{{ creator.first_name }}}},\n\n{text}\n\n{cta}: {url}",
    }


def _whatsapp_template(mission: str, slug: str) -> dict[str, object]:
    """The approved `mision_nueva` template (channels/demo.py): WhatsApp reaches creators
    outside the 24-hour window only with a template."""
    return {
        "content_sid": MISION_NUEVA_SID,
        "variables": {
            "1": "{{ creator.first_name }}",
            "2": mission,
            "3": "domingo",
            "4": slug,
        },
    }


FINISHED: tuple[dict, ...] = (
    {
        "name": "Ofertas de fin de semana",
        "kind": Campaign.Kind.ANNOUNCEMENT,
        "days_ago": 6,
        "messages": [
            {
                "channel": "email",
                "locale": "es-MX",
                **_email(
                    "Las ofertas de este fin de semana",
                    "Ofertas de fin de semana",
                    "Elegimos 20 productos con comisión doble hasta el domingo.",
                    SHOP_URL,
                    "Ver los productos",
                ),
            },
            {
                "channel": "email",
                "locale": "en",
                **_email(
                    "This weekend's deals",
                    "Weekend deals",
                    "We picked 20 products with double commission until Sunday.",
                    SHOP_URL,
                    "See the products",
                ),
            },
            {
                "channel": "whatsapp",
                "locale": "es-MX",
                **_whatsapp_template("comisión doble en 20 productos", "ofertas-fin-de-semana"),
                "body": "Hola {{ creator.first_name }}, este fin de semana hay comisión doble "
                f"en 20 productos: {SHOP_URL}",
            },
            {
                "channel": "whatsapp",
                "locale": "en",
                "body": "Hi {{ creator.first_name }}, double commission on 20 products this "
                f"weekend: {SHOP_URL}",
            },
            {
                "channel": "push",
                "locale": "es-MX",
                "title": "Comisión doble 🔥",
                "body": "20 productos hasta el domingo",
            },
            {
                "channel": "push",
                "locale": "en",
                "title": "Double commission 🔥",
                "body": "20 products until Sunday",
            },
        ],
    },
    {
        "name": "Aprende a vender en LIVE",
        "kind": Campaign.Kind.EDUCATION,
        "days_ago": 2,
        "messages": [
            {
                "channel": "email",
                "locale": "es-MX",
                **_email(
                    "Tu guía para vender en LIVE",
                    "Vende en LIVE",
                    "Una guía de 10 minutos para preparar tu primera transmisión.",
                    GUIDE_URL,
                    "Leer la guía",
                ),
            },
            {
                "channel": "whatsapp",
                "locale": "es-MX",
                **_whatsapp_template("aprende a vender en LIVE", "guia-live"),
            },
        ],
    },
)


@dataclass
class DemoCampaigns:
    finished: list[Campaign] = field(default_factory=list)
    sequence: Campaign | None = None
    triggered: Campaign | None = None

    @property
    def created(self) -> int:
        return len(self.finished) + (self.sequence is not None) + (self.triggered is not None)


def _accept_all(campaign: Campaign, *, sent_at_from, spread_minutes: int) -> int:
    """Settle the run's deliveries as accepted (what a provider's 2xx does), then date them
    from `sent_at_from` over `spread_minutes` minutes, as a paced send would."""
    later = timezone.now() + timedelta(days=2)  # past any quiet hours or local send time
    accepted = 0
    while claimed := deliveries_claim(
        campaign_id=campaign.pk, run=campaign.last_run, limit=1000, now=later
    ):
        results = [
            SendResult(
                item.id, Outcome.ACCEPTED, provider_message_id=f"demo-{item.channel}-{item.id}"
            )
            for item in claimed
        ]
        deliveries_settle(claimed={item.id: item for item in claimed}, results=results)
        accepted += len(results)
    # Demo history: the run went out over a few minutes, some days ago.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET created_at = %s, updated_at = %s, "
            "sent_at = %s + ((id %% %s) * interval '1 minute') "
            "WHERE campaign_id = %s AND run = %s",
            [
                sent_at_from,
                sent_at_from,
                sent_at_from,
                spread_minutes,
                campaign.pk,
                campaign.last_run,
            ],
        )
    return accepted


def _finished_create(spec: dict, *, segment: Segment) -> Campaign:
    campaign = services.campaign_create(
        owner=None,
        name=DEMO_PREFIX + spec["name"],
        kind=spec["kind"],
        segment=segment,
        messages=spec["messages"],
    )
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    launched = timezone.now() - timedelta(days=spec["days_ago"], hours=3)
    _accept_all(campaign, sent_at_from=launched, spread_minutes=12)
    campaign_finish_if_done(campaign_id=campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(
        launched_at=launched, finished_at=launched + timedelta(minutes=15)
    )
    campaign.refresh_from_db()
    return campaign


def _sequence_create(*, segment: Segment) -> Campaign:
    """Sent yesterday; two follow-ups still to come (no opener yet gets a push, then a
    WhatsApp nudge to who has not clicked)."""
    campaign = services.campaign_create(
        owner=None,
        name=DEMO_PREFIX + "Misión de diciembre con seguimiento",
        kind=Campaign.Kind.ANNOUNCEMENT,
        segment=segment,
        messages=[
            {
                "channel": "email",
                "locale": "es-MX",
                **_email(
                    "La misión de diciembre ya empezó",
                    "Misión de diciembre",
                    "Vende 5,000 pesos antes del 24 y gana un kit de iluminación.",
                    SHOP_URL,
                    "Inscribirme",
                ),
            }
        ],
    )
    sequences.sequence_step_save(
        campaign=campaign,
        channel="push",
        wait_minutes=2 * 24 * 60,
        condition=SequenceStep.Condition.NOT_OPENED,
        messages=[
            {"locale": "es-MX", "title": "¿Ya viste la misión?", "body": "Quedan pocos días"},
            {"locale": "en", "title": "Seen the mission?", "body": "Only a few days left"},
        ],
    )
    sequences.sequence_step_save(
        campaign=campaign,
        channel="whatsapp",
        wait_minutes=4 * 24 * 60,
        condition=SequenceStep.Condition.NOT_CLICKED,
        messages=[{"locale": "es-MX", **_whatsapp_template("la misión de diciembre", "diciembre")}],
    )
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    launched = timezone.now() - timedelta(days=1)
    _accept_all(campaign, sent_at_from=launched, spread_minutes=5)
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=launched)
    campaign.refresh_from_db()
    return campaign


def _triggered_create(*, segment: Segment) -> Campaign:
    """Armed: each creator's first sale gets a congratulation on WhatsApp and in the inbox."""
    campaign = services.campaign_create(
        owner=None,
        name=DEMO_PREFIX + "Felicitación por la primera venta",
        kind=Campaign.Kind.ANNOUNCEMENT,
        segment=segment,
        messages=[
            {
                "channel": "whatsapp",
                "locale": "es-MX",
                "body": "¡Felicidades por tu primera venta, {{ creator.first_name }}! 🎉",
            },
            {
                "channel": "inbox",
                "locale": "es-MX",
                "title": "¡Tu primera venta!",
                "body": "Así se empieza. Mira la guía para tu primer LIVE.",
            },
            {
                "channel": "inbox",
                "locale": "en",
                "title": "Your first sale!",
                "body": "That's how it starts. Read the guide for your first LIVE.",
            },
        ],
    )
    campaign_trigger_set(campaign=campaign, trigger={"event": "sale_made", "repeat": "once"})
    return services.campaign_launch(campaign=campaign)


@transaction.atomic
def campaigns_demo_create(*, segment: Segment) -> DemoCampaigns:
    """The demo campaigns, once (none when a demo campaign exists already)."""
    result = DemoCampaigns()
    if Campaign.objects.filter(name__startswith=DEMO_PREFIX).exists():
        return result
    result.finished = [_finished_create(spec, segment=segment) for spec in FINISHED]
    result.sequence = _sequence_create(segment=segment)
    result.triggered = _triggered_create(segment=segment)
    return result
