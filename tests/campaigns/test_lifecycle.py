"""The campaign state machine, as a table: which status may follow which, and which service
each status allows (campaigns/lifecycle.py, through the services that use it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import resend, services
from campaigns.exceptions import CampaignStateError
from campaigns.lifecycle import campaign_transition
from campaigns.models import Campaign, CampaignTransition
from segments.services import segment_create

S = Campaign.Status
STATUSES = [S.DRAFT, S.SCHEDULED, S.SENDING, S.PAUSED, S.SENT, S.CANCELLED]

# Written out here rather than read from lifecycle.TRANSITIONS, so a change there shows up.
MOVES = {
    S.DRAFT: {S.SCHEDULED, S.SENDING, S.CANCELLED},
    S.SCHEDULED: {S.SENDING, S.PAUSED, S.CANCELLED},
    S.SENDING: {S.SENT, S.PAUSED, S.SCHEDULED, S.CANCELLED},
    S.PAUSED: {S.SENDING, S.SCHEDULED, S.CANCELLED},
    S.SENT: {S.SENDING},
    S.CANCELLED: set(),
}

# What each service does to a campaign in each status: the status it ends in, or None when
# the service is refused there (CampaignStateError, nothing changed).
SERVICES = {
    "launch": {S.DRAFT: S.SENDING, S.SCHEDULED: S.SENDING},
    "schedule": {S.DRAFT: S.SCHEDULED, S.SCHEDULED: S.SCHEDULED},
    "pause": {S.SCHEDULED: S.PAUSED, S.SENDING: S.PAUSED},
    "resume": {S.PAUSED: S.SENDING},  # no schedule to go back to, no run in flight
    "cancel": {S.DRAFT: S.CANCELLED, S.SCHEDULED: S.CANCELLED, S.SENDING: S.CANCELLED}
    | {S.PAUSED: S.CANCELLED},
    "edit": {S.DRAFT: S.DRAFT, S.SCHEDULED: S.SCHEDULED, S.PAUSED: S.PAUSED},
    "resend": {S.SCHEDULED: S.SCHEDULED, S.SENDING: S.SENDING, S.PAUSED: S.PAUSED}
    | {S.SENT: S.SENT},  # nothing to re-send here: the status stays
}


def _call(service: str, campaign: Campaign) -> None:
    if service == "launch":
        services.campaign_launch(campaign=campaign)
    elif service == "schedule":
        services.campaign_schedule(campaign=campaign, send_at=timezone.now() + timedelta(hours=1))
    elif service == "pause":
        services.campaign_pause(campaign=campaign)
    elif service == "resume":
        services.campaign_resume(campaign=campaign)
    elif service == "cancel":
        services.campaign_cancel(campaign=campaign)
    elif service == "edit":
        services.campaign_message_set(
            campaign=campaign,
            channel="inbox",
            locale="es-MX",
            fields={"title": "Nueva misión", "body": "Hola {{ creator.first_name }}"},
        )
    else:
        resend.deliveries_resend(campaign=campaign, delivery_ids=[])


def _campaign(status: str) -> Campaign:
    campaign = services.campaign_create(
        owner=None,
        name=f"Misión {status}",
        kind=Campaign.Kind.MISSION,
        segment=segment_create(
            name=f"Audiencia {status}",
            rules={"all": [{"field": "level", "op": "gte", "value": 0}]},
        ),
        messages=[{"channel": "inbox", "locale": "es-MX", "title": "Misión", "body": "Hola"}],
    )
    # Put it in the status under test directly: the table is about what happens from there.
    Campaign.objects.filter(pk=campaign.pk).update(status=status, last_run=1)
    return Campaign.objects.get(pk=campaign.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("to_status", STATUSES)
@pytest.mark.parametrize("from_status", STATUSES)
def test_transition_table(from_status, to_status):
    campaign = _campaign(from_status)
    if to_status in MOVES[from_status]:
        campaign_transition(campaign=campaign, to_status=to_status, actor=None, note="prueba")
        assert campaign.status == to_status
        row = CampaignTransition.objects.get(campaign=campaign)
        assert (row.from_status, row.to_status, row.note) == (from_status, to_status, "prueba")
    else:
        with pytest.raises(CampaignStateError):
            campaign_transition(campaign=campaign, to_status=to_status, actor=None)
        assert campaign.status == from_status
        assert not CampaignTransition.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_service_allowed_or_refused_by_status(service, status, settings):
    settings.REQUIRE_APPROVAL = False
    campaign = _campaign(status)
    expected = SERVICES[service].get(status)
    if expected is None:
        with pytest.raises(CampaignStateError) as refused:
            _call(service, campaign)
        assert campaign.name in str(refused.value)
        assert Campaign.objects.get(pk=campaign.pk).status == status
        assert not CampaignTransition.objects.filter(campaign=campaign).exists()
        return
    _call(service, campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == expected
    moves = list(
        CampaignTransition.objects.filter(campaign=campaign).values_list("from_status", "to_status")
    )
    assert moves == ([] if expected == status else [(status, expected)])


@pytest.mark.django_db
def test_resend_is_refused_before_any_run():
    campaign = _campaign(S.SENT)
    Campaign.objects.filter(pk=campaign.pk).update(last_run=0)
    campaign.refresh_from_db()
    with pytest.raises(CampaignStateError):
        resend.deliveries_resend(campaign=campaign, delivery_ids=[])
