"""The campaign state machine: which status may follow which, what each status allows, and
the one function that changes a campaign's status.

`draft → scheduled → sending → sent`, plus `paused` and `cancelled` (docs/dispatch.md).
Every service that acts on a campaign first asks `campaign_action_check` (a refusal names the
campaign, its status and the action: `CampaignStateError`, HTTP 409 in the API), and moves the
status only through `campaign_transition`, which refuses a move `TRANSITIONS` does not list
and records who made it and when (a `CampaignTransition` row and an audit entry).

The services live beside their subject: campaigns/services.py (launch, schedule, pause,
resume, cancel), drafting.py (the wizard), approvals.py (REQUIRE_APPROVAL), resend.py and
runs.py (a run finishing).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import User
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from audit.services import audit_record
from campaigns import policies
from campaigns.exceptions import CampaignIncomplete, CampaignStateError
from campaigns.models import Campaign, CampaignTransition, Message
from common.system_messages import SystemMessage, system_messages_define

Status = Campaign.Status

# The notes the system writes on a campaign's history, shown in the viewer's language.
system_messages_define(
    {
        "campaign.settled": gettext_lazy("All deliveries settled"),
        "campaign.scheduled_start": gettext_lazy("Started by its schedule"),
        "campaign.armed": gettext_lazy("Armed: each matching event sends"),
        "campaign.queued_start": gettext_lazy("Started by a firing queued behind the last run"),
        "campaign.resend": ngettext_lazy(
            "Re-send of %(count)d delivery", "Re-send of %(count)d deliveries", "count"
        ),
    }
)

# The statuses a campaign may move to from each status.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SCHEDULED, Status.SENDING, Status.CANCELLED}),
    Status.SCHEDULED: frozenset({Status.SENDING, Status.PAUSED, Status.CANCELLED}),
    # back to `scheduled`: a recurring campaign's run finished, it waits for its next firing
    Status.SENDING: frozenset({Status.SENT, Status.PAUSED, Status.SCHEDULED, Status.CANCELLED}),
    # `scheduled`: a paused schedule that had no run in progress
    Status.PAUSED: frozenset({Status.SENDING, Status.SCHEDULED, Status.CANCELLED}),
    Status.SENT: frozenset({Status.SENDING}),  # a re-send of failed or unknown deliveries
    Status.CANCELLED: frozenset(),
}


class Action(StrEnum):
    """What can be done to a campaign; `ACTIONS` says in which statuses."""

    EDIT = "edit"  # messages and sending policies
    EDIT_DRAFT = "edit_draft"  # the wizard's basics, audience and schedule plan
    LAUNCH = "launch"
    SCHEDULE = "schedule"
    START_SCHEDULED = "start_scheduled"  # beat firing the campaign's schedule
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    FINISH = "finish"  # a run's deliveries are all settled
    RESEND = "resend"  # also needs a run (`last_run > 0`)
    SUBMIT = "submit"  # for approval; also needs no pending request
    APPROVE = "approve"  # also needs a pending request
    REJECT = "reject"  # also needs a pending request


@dataclass(frozen=True)
class ActionRule:
    allowed: frozenset[str]  # the statuses the action is allowed in
    verb: Promise  # the end of the refusal: "Campaign “X” is Sent: it cannot be <verb>."


ACTIONS: dict[Action, ActionRule] = {
    Action.EDIT: ActionRule(
        frozenset({Status.DRAFT, Status.SCHEDULED, Status.PAUSED}), gettext_lazy("edited")
    ),
    Action.EDIT_DRAFT: ActionRule(frozenset({Status.DRAFT}), gettext_lazy("edited")),
    Action.LAUNCH: ActionRule(
        frozenset({Status.DRAFT, Status.SCHEDULED}), gettext_lazy("launched")
    ),
    Action.SCHEDULE: ActionRule(
        frozenset({Status.DRAFT, Status.SCHEDULED}), gettext_lazy("scheduled")
    ),
    Action.START_SCHEDULED: ActionRule(frozenset({Status.SCHEDULED}), gettext_lazy("launched")),
    Action.PAUSE: ActionRule(frozenset({Status.SENDING, Status.SCHEDULED}), gettext_lazy("paused")),
    Action.RESUME: ActionRule(frozenset({Status.PAUSED}), gettext_lazy("resumed")),
    Action.CANCEL: ActionRule(
        frozenset({Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.PAUSED}),
        gettext_lazy("cancelled"),
    ),
    Action.FINISH: ActionRule(frozenset({Status.SENDING}), gettext_lazy("finished")),
    Action.RESEND: ActionRule(
        frozenset({Status.SCHEDULED, Status.SENDING, Status.PAUSED, Status.SENT}),
        gettext_lazy("re-sent"),
    ),
    Action.SUBMIT: ActionRule(frozenset({Status.DRAFT}), gettext_lazy("submitted for approval")),
    Action.APPROVE: ActionRule(frozenset({Status.DRAFT}), gettext_lazy("approved")),
    Action.REJECT: ActionRule(frozenset({Status.DRAFT}), gettext_lazy("rejected")),
}


def campaign_refusal(*, campaign: Campaign, action: Action) -> CampaignStateError:
    """The error refusing `action` to the campaign in its current status (for the caller to
    raise, also when a condition beyond the status refuses it)."""
    return CampaignStateError(
        campaign.name, campaign.get_status_display(), str(ACTIONS[action].verb)
    )


def campaign_action_allowed(*, campaign: Campaign, action: Action) -> bool:
    return campaign.status in ACTIONS[action].allowed


def campaign_action_check(*, campaign: Campaign, action: Action) -> None:
    """Refuse `action` unless the campaign's status allows it."""
    if not campaign_action_allowed(campaign=campaign, action=action):
        raise campaign_refusal(campaign=campaign, action=action)


def campaign_transition(
    *, campaign: Campaign, to_status: str, actor: User | None, note: str | SystemMessage = ""
) -> None:
    """Move the campaign to `to_status` (the caller saves it): a `CampaignTransition` row and an
    audit entry say who did it and when. A move `TRANSITIONS` does not list is refused. A
    person's note is kept as written; the system's (a `SystemMessage`) as its code."""
    if to_status not in TRANSITIONS[campaign.status]:
        raise CampaignStateError(
            campaign.name,
            campaign.get_status_display(),
            _("moved to “%(status)s”") % {"status": Status(to_status).label},
        )
    CampaignTransition.objects.create(
        campaign=campaign,
        from_status=campaign.status,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note="" if isinstance(note, SystemMessage) else note,
        note_message=note.as_json() if isinstance(note, SystemMessage) else {},
    )
    stored_note = note.as_json() if isinstance(note, SystemMessage) else note
    audit_record(
        actor=actor,
        action=f"campaign.{to_status}",
        target=campaign,
        detail={
            "from": campaign.status,
            "to": to_status,
            **({"note": stored_note} if note else {}),
        },
    )
    campaign.status = to_status


def campaign_launchable_check(*, campaign: Campaign) -> None:
    """Refuse (CampaignIncomplete) a campaign that could not start: no segment, no channel, a
    channel or A/B variant without a message in the default language, or invalid policies."""
    if campaign.segment_id is None and not campaign.trigger:
        raise CampaignIncomplete(_("Choose a segment before launching."))
    if not campaign.channels:
        raise CampaignIncomplete(_("Write at least one message before launching."))
    present = set(
        Message.objects.filter(campaign=campaign, step=0).values_list("channel", "locale")
    )
    missing = [
        channel
        for channel in campaign.channels
        if (channel, campaign.default_locale) not in present
    ]
    if missing:
        raise CampaignIncomplete(
            _(
                "Each channel needs a message in the default language (%(locale)s); missing: %(channels)s."
            )
            % {"locale": campaign.default_locale, "channels": ", ".join(missing)}
        )
    policies.campaign_policies_validate(campaign)
    variants = Message.objects.filter(campaign=campaign, step=0, locale=campaign.default_locale)
    for variant in campaign.variant_weights or {}:
        lacking = [
            channel
            for channel in campaign.channels
            if not variants.filter(channel=channel, variant=variant).exists()
        ]
        if lacking:
            raise CampaignIncomplete(
                _("Variant %(variant)s needs a message in the default language on: %(channels)s.")
                % {"variant": variant, "channels": ", ".join(lacking)}
            )
