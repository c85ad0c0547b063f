"""Send test: render a campaign message for a sample creator and send it through the real
email or WhatsApp adapter to addresses typed in by an operator.

Nothing is recorded as a delivery (the `Outgoing` carries delivery id 0 and no tracking);
the send is audited as `campaign.test_send`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns.exceptions import CampaignIncomplete
from campaigns.models import Campaign, Message
from campaigns.rendering import MessageRenderer, PreviewLinks, campaign_context_build
from campaigns.selectors import campaign_sample_creator
from channels.base import Outcome, Outgoing, SendResult
from channels.registry import adapter_class, adapter_for

TEST_CHANNELS = ("email", "whatsapp")


@dataclass
class TestSendResult:
    address: str
    channel: str
    ok: bool
    detail: str


def _recipients(lines: str) -> list[tuple[str, str]]:
    out = []
    for line in lines.splitlines():
        address = line.strip()
        if address:
            out.append(("email" if "@" in address else "whatsapp", address))
    return out


async def _send(channel: str, items: list[Outgoing]) -> list[SendResult]:
    adapter = adapter_for(channel)
    try:
        return await adapter.send_batch(items)
    finally:
        await adapter.close()


def campaign_test_send(
    *, campaign: Campaign, locale: str, recipients: str, actor: User | None
) -> list[TestSendResult]:
    """One test message per typed address: an email address gets the email message, a phone
    number the WhatsApp one, each in `locale` (or the default language); of an A/B test,
    variant A's."""
    targets = _recipients(recipients)
    if not targets:
        raise CampaignIncomplete(_("Type at least one email address or phone number."))
    # With an A/B test, the first variant's message (A); else the message without a variant.
    variant = min(campaign.variant_weights or {"": 0})
    messages = {
        (message.channel, message.locale): message
        for message in Message.objects.filter(
            campaign=campaign, step=0, channel__in=TEST_CHANNELS, variant=variant
        )
    }
    creator = campaign_sample_creator(campaign=campaign)
    links = PreviewLinks(locale=locale)
    by_channel: dict[str, list[Outgoing]] = {}
    results: list[TestSendResult] = []
    for channel, address in targets:
        message = messages.get((channel, locale)) or messages.get(
            (channel, campaign.default_locale)
        )
        if message is None:
            results.append(
                TestSendResult(address, channel, False, _("No message on this channel."))
            )
            continue
        content = MessageRenderer(channel, message.fields, locale=message.locale).render(
            creator=creator, campaign=campaign_context_build(campaign), links=links
        )
        address_field = adapter_class(channel).address_field
        by_channel.setdefault(channel, []).append(
            Outgoing(
                delivery_id=0,
                creator_id=0,
                campaign_id=campaign.pk,
                locale=message.locale,
                content=content,
                email=address if address_field == "email" else "",
                phone=address if address_field == "phone" else "",
                categories=(f"campaign-{campaign.pk}", "test"),
            )
        )
    for channel, items in by_channel.items():
        sent = asyncio.run(_send(channel, items))
        for item, result in zip(items, sent, strict=True):
            ok = result.outcome == Outcome.ACCEPTED
            results.append(
                TestSendResult(
                    item.email or item.phone,
                    channel,
                    ok,
                    result.provider_message_id if ok else result.error_message or result.outcome,
                )
            )
    audit_record(
        actor=actor,
        action="campaign.test_send",
        target=campaign,
        detail={"to": [address for _channel, address in targets], "locale": locale},
    )
    return results
