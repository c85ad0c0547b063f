"""Retargeting: a static segment of the creators a campaign reached in a given way (clicked,
opened but did not click, did not open, was not reached), built in one `INSERT … SELECT`.

Every run and step of the campaign counts, per creator:

- reached: a delivery the provider accepted (status `sent`) that did not bounce, drop or fail
  afterwards (no failure event, the `fail` dedupe key of tracking/services.py);
- clicked: a human click on any of their deliveries (`first_clicked_at`);
- opened, not clicked: a human open (`first_opened_at`) and no human click;
- not opened: reached, and neither a human open nor a human click (machine opens and bot
  clicks do not count, as in the rates);
- not reached: none of their deliveries reached them (refused, bounced, unknown, cancelled,
  capped, still pending) and none was opened or clicked (which proves it arrived), holdout
  creators aside: they were kept out on purpose.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from campaigns import drafting
from campaigns import services as campaign_services
from campaigns.models import Campaign, Delivery, Message
from common.exceptions import AltavozError
from segments.models import Segment, SegmentMember
from tracking.models import Event
from tracking.services import KEY_FAIL

CHOICES: dict[str, object] = {
    "clicked": gettext_lazy("Clicked"),
    "opened_not_clicked": gettext_lazy("Opened, did not click"),
    "not_opened": gettext_lazy("Did not open"),
    "not_reached": gettext_lazy("Not reached"),
}


class RetargetChoiceUnknown(AltavozError):
    def __init__(self) -> None:
        super().__init__(_("Choose who to retarget: clicked, opened, did not open or not reached."))


def _reached_sql() -> str:
    events = connection.ops.quote_name(Event._meta.db_table)
    return (
        "(d.status = 'sent' AND NOT EXISTS (SELECT 1 FROM "
        f"{events} e WHERE e.delivery_id = d.id AND e.dedupe_key = '{KEY_FAIL}'))"
    )


def _having(choice: str) -> str:
    opened = "bool_or(d.first_opened_at IS NOT NULL)"
    clicked = "bool_or(d.first_clicked_at IS NOT NULL)"
    reached = f"bool_or({_reached_sql()})"
    if choice == "clicked":
        return clicked
    if choice == "opened_not_clicked":
        return f"{opened} AND NOT {clicked}"
    if choice == "not_opened":
        return f"{reached} AND NOT {opened} AND NOT {clicked}"
    if choice == "not_reached":
        return (
            f"NOT {reached} AND NOT {opened} AND NOT {clicked} AND bool_or(d.status <> 'holdout')"
        )
    raise RetargetChoiceUnknown


def retarget_creator_ids_sql(*, choice: str) -> str:
    """SQL selecting `creator_id` of the campaign's creators in `choice` (one `%s`: the
    campaign id). One grouped scan of the campaign's deliveries."""
    deliveries = connection.ops.quote_name(Delivery._meta.db_table)
    return (
        f"SELECT d.creator_id FROM {deliveries} d WHERE d.campaign_id = %s "
        f"GROUP BY d.creator_id HAVING {_having(choice)}"
    )


def retarget_segment_name(*, campaign: Campaign, choice: str) -> str:
    label = str(CHOICES[choice])
    when = date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    max_length = Segment._meta.get_field("name").max_length or 150
    room = max_length - len(label) - len(when) - 6
    return f"{campaign.name[:room]} · {label} ({when})"


@transaction.atomic
def retarget_segment_create(*, campaign: Campaign, choice: str, actor: User | None) -> Segment:
    """A static segment of the campaign's creators in `choice`, named after the campaign and
    the choice, filled set-based (the creators never travel through Python), audited."""
    if choice not in CHOICES:
        raise RetargetChoiceUnknown
    segment = Segment.objects.create(
        name=retarget_segment_name(campaign=campaign, choice=choice),
        kind=Segment.Kind.STATIC,
        rules={},
        description=_("Retargeting of campaign “%(campaign)s”: %(choice)s.")
        % {"campaign": campaign.name, "choice": CHOICES[choice]},
        created_by=actor,
    )
    members = connection.ops.quote_name(SegmentMember._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {members} (segment_id, creator_id) "
            f"SELECT %s, picked.creator_id FROM ({retarget_creator_ids_sql(choice=choice)}) "
            "AS picked",
            [segment.pk, campaign.pk],
        )
        count = cursor.rowcount
    audit_record(
        actor=actor,
        action="segment.create",
        target=segment,
        detail={"members": count, "campaign": campaign.pk},
    )
    return segment


def _messages_to_copy(campaign: Campaign) -> list[dict[str, object]]:
    """The campaign's own messages (not its sequence steps'), one per channel × language: the
    A/B winner's, else the one without a variant, else the first variant's."""
    picked: dict[tuple[str, str], Message] = {}
    for message in campaign.messages.filter(step=0).order_by("variant"):
        key = (message.channel, message.locale)
        best = picked.get(key)
        if (
            best is None
            or message.variant == campaign.winner_variant
            and best.variant != campaign.winner_variant
        ):
            picked[key] = message
    return [
        {"channel": channel, "locale": locale, **message.fields}
        for (channel, locale), message in sorted(picked.items())
    ]


@transaction.atomic
def retarget_follow_up_create(*, campaign: Campaign, choice: str, actor: User) -> Campaign:
    """A new draft campaign to the retargeting segment of `choice`, with the same channels,
    kind, market, language and messages as `campaign` (to be edited): the wizard goes on
    from its audience step."""
    segment = retarget_segment_create(campaign=campaign, choice=choice, actor=actor)
    max_length = Campaign._meta.get_field("name").max_length or 150
    follow_up = campaign_services.campaign_create(
        owner=actor,
        name=(_("Follow-up: %(campaign)s") % {"campaign": campaign.name})[:max_length],
        kind=campaign.kind,
        market=campaign.market,
        default_locale=campaign.default_locale,
        transactional=campaign.transactional,
        segment=segment,
        messages=_messages_to_copy(campaign),
    )
    if campaign.channels:
        follow_up = drafting.campaign_audience_set(
            campaign=follow_up, segment=segment, channels=list(campaign.channels)
        )
    audit_record(
        actor=actor,
        action="campaign.create",
        target=follow_up,
        detail={"campaign": campaign.pk},
    )
    return follow_up
