"""“Adapt for MX”: a playbook becomes a draft campaign for Mexico with the playbook's
channels, its step offsets as the campaign's schedule plan (`AdaptedCampaign.steps`), an
es-MX message skeleton per channel (valid templates, placeholders in brackets), and the
localisation tasks as required items of the campaign's readiness checklist.

While any of those items is open, the campaign does not launch (`adaptation_enforce`,
registered with campaigns.launch_checks by MarketsConfig.ready)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns.models import Campaign
from campaigns.services import campaign_create
from markets.exceptions import AdaptationNotReady, MeasurementPlanLocked
from markets.models import HOME_MARKET, AdaptedCampaign, Market, Playbook
from programs.models import ManualChecklistItem
from programs.readiness import manual_item_add

LOCALE = "es-MX"
# Template syntax a purpose typed into a playbook must not bring into a skeleton.
_TEMPLATE_CHARS = re.compile(r"[{}%#<>]")


def _purposes(playbook: Playbook, channel: str) -> str:
    found = [
        f"{_TEMPLATE_CHARS.sub('', step['purpose']) or '—'} (día {step['day']})"
        for step in playbook.steps
        if step["channel"] == channel
    ]
    return "; ".join(found)


def message_skeleton(*, playbook: Playbook, channel: str) -> dict[str, Any]:
    """Placeholder fields in Mexican Spanish; each bracket is for the editor to replace."""
    purposes = _purposes(playbook, channel)
    body = (
        f"Hola {{{{ creator.first_name }}}}: [escribe aquí el mensaje — {purposes}; "
        "ejemplos locales, montos en MXN]"
    )
    if channel == "email":
        return {
            "subject": f"[Asunto] {{{{ creator.first_name }}}}, {purposes}",
            "html": f"<p>Hola {{{{ creator.first_name }}}}:</p><p>[escribe aquí el correo — "
            f"{purposes}; ejemplos locales, montos en MXN]</p>",
            "text": body,
        }
    if channel == "whatsapp":
        return {"body": body}
    if channel == "push":
        return {"title": "[Título corto]", "body": body}
    return {"title": "[Título]", "body": body, "cta_label": "[Ver más]"}


def localisation_tasks(*, source: Market, target: Market) -> list[str]:
    zones = ", ".join(target.time_zones[:4]) + ("…" if len(target.time_zones) > 4 else "")
    return [
        _(
            "Localise the language: rewrite the skeletons in %(language)s (the playbook is from %(market)s, in %(source)s)."
        )
        % {
            "language": target.default_language,
            "market": source.name,
            "source": source.default_language,
        },
        _(
            "Localise the currency: amounts, prizes and thresholds in %(currency)s (the playbook used %(source)s)."
        )
        % {"currency": target.currency, "source": source.currency},
        _("Localise the examples: Mexican creators, products, dates and holidays."),
        _("Localise the time zones: plan the send and each step's day for %(zones)s.")
        % {"zones": zones},
        _(
            "Localise the legal wording: privacy notice, contest terms and consumer-protection rules for %(market)s."
        )
        % {"market": target.name},
    ]


@transaction.atomic
def playbook_adapt(
    *, playbook: Playbook, actor: User | None, market: str = HOME_MARKET
) -> AdaptedCampaign:
    target = Market.objects.get(code=market)
    campaign = campaign_create(
        owner=actor,
        name=f"{playbook.title[:180]} · {target.code}",
        kind=playbook.kind,
        market=target.code,
        default_locale=LOCALE,
        messages=[
            {
                "channel": channel,
                "locale": LOCALE,
                **message_skeleton(playbook=playbook, channel=channel),
            }
            for channel in playbook.channels
        ],
    )
    adapted = AdaptedCampaign.objects.create(
        playbook=playbook,
        campaign=campaign,
        steps=[dict(step) for step in playbook.steps],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    for label in localisation_tasks(source=playbook.market, target=target):
        manual_item_add(campaign=campaign, label=label, required=True, actor=actor)
    audit_record(
        actor=actor,
        action="playbook.adapt",
        target=playbook,
        detail={"campaign": campaign.pk, "market": target.code, "steps": adapted.steps},
    )
    return adapted


def adaptation_enforce(*, campaign: Campaign, actor: User | None) -> None:
    """An adapted campaign launches only once its required checklist items are done."""
    if not AdaptedCampaign.objects.filter(campaign=campaign).exists():
        return
    open_items = list(
        ManualChecklistItem.objects.filter(
            campaign=campaign, required=True, done=False
        ).values_list("label", flat=True)
    )
    if open_items:
        raise AdaptationNotReady(open_items)


@transaction.atomic
def adaptation_plan_record(
    *,
    adapted: AdaptedCampaign,
    actor: User | None,
    hypothesis: str,
    outcome_metric: str,
    minimum_detectable_effect: Decimal,
    planned_holdout_percent: Decimal,
) -> AdaptedCampaign:
    """Record what the adapted campaign should move, by how much, against which holdout, while
    it is a draft; the holdout share becomes the campaign's (docs/outcomes.md)."""
    campaign = Campaign.objects.select_for_update().get(pk=adapted.campaign_id)
    if campaign.status != Campaign.Status.DRAFT:
        raise MeasurementPlanLocked()
    adapted.hypothesis, adapted.outcome_metric = hypothesis, outcome_metric
    adapted.minimum_detectable_effect = minimum_detectable_effect
    adapted.planned_holdout_percent = planned_holdout_percent
    adapted.save(
        update_fields=[
            "hypothesis",
            "outcome_metric",
            "minimum_detectable_effect",
            "planned_holdout_percent",
        ]
    )
    campaign.holdout_percent = planned_holdout_percent
    campaign.save(update_fields=["holdout_percent"])
    audit_record(
        actor=actor,
        action="playbook.adapt.plan",
        target=campaign,
        detail={
            "hypothesis": hypothesis,
            "metric": outcome_metric,
            "minimum_detectable_effect": str(minimum_detectable_effect),
            "holdout_percent": str(planned_holdout_percent),
        },
    )
    return adapted
