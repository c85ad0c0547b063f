"""Band messages with no ops click: a band's triggered campaign (docs/triggers.md).

`band_message_arm` makes a campaign that listens for `band_reached` with this program and
band in its props (the event a metric import records when a creator's progress reaches a band
for the first time, programs/band_events.py) and arms it: from then on every creator who
crosses into the band gets its message, once. Creators already in the band when it is armed
crossed before: `band_message_send` (one click) reaches them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns import services as campaign_services
from campaigns import triggers
from campaigns.models import Campaign
from programs.exceptions import ProgramInvalid
from programs.models import Band, Program

BAND_EVENT = "band_reached"


def band_trigger(*, program: Program, band: str) -> dict[str, Any]:
    """The trigger of `band`'s automatic message in `program`."""
    return {
        "event": BAND_EVENT,
        "where": {
            "all": [
                {"field": "program", "op": "eq", "value": program.pk},
                {"field": "band", "op": "eq", "value": band},
            ]
        },
        "repeat": "once",
    }


@transaction.atomic
def band_message_arm(
    *, program: Program, band: str, messages: list[dict[str, Any]], actor: User | None = None
) -> Campaign:
    """Create and arm the campaign that sends `messages` to each creator reaching `band`."""
    if band not in Band.values:
        raise ProgramInvalid(_("Unknown band."))
    if not program.threshold:
        raise ProgramInvalid(_("Bands need a goal threshold."))
    parent = program.campaign
    campaign = campaign_services.campaign_create(
        owner=actor,
        name=f"{parent.name} — {Band(band).label} ({_('automatic')})"[:200],
        kind=parent.kind,
        market=parent.market,
        default_locale=parent.default_locale,
        messages=messages,
    )
    triggers.campaign_trigger_set(
        campaign=campaign, trigger=band_trigger(program=program, band=band), actor=actor
    )
    audit_record(
        actor=actor,
        action="program.band_message_armed",
        target=program,
        detail={"band": band, "campaign": campaign.pk},
    )
    return campaign_services.campaign_launch(campaign=campaign, actor=actor)
