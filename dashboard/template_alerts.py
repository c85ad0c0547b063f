"""Tell campaign owners when WhatsApp stops a template their scheduled or running campaign
uses: a listener of the template sync (channels.whatsapp_templates), registered in
DashboardConfig.ready(), writing the agencies app's in-app notifications (and their email)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy

from agencies.services import notifications_create
from campaigns.whatsapp_templates import campaign_template_sids, campaigns_using_templates
from channels.models import WhatsAppTemplate
from common.system_messages import (
    SystemMessage,
    system_message_params_define,
    system_messages_define,
)

system_messages_define(
    {
        "notification.template_stopped": gettext_lazy(
            "WhatsApp template “%(template)s” is now %(status)s: campaign “%(campaign)s” "
            "cannot send it."
        )
    }
)
system_message_params_define(
    {
        "notification.template_stopped:status": lambda code: str(
            dict(WhatsAppTemplate.Status.choices).get(code, code)
        )
    }
)


def campaign_template_stopped_notify(*, templates: Sequence[WhatsAppTemplate]) -> int:
    """One notification per campaign and stopped template, to the campaign's owner; returns
    how many were written."""
    by_sid = {template.sid: template for template in templates}
    written = 0
    for campaign in campaigns_using_templates(sids=by_sid):
        if campaign.owner is None:
            continue
        for sid in sorted(set(campaign_template_sids(campaign=campaign)) & set(by_sid)):
            template = by_sid[sid]
            text = SystemMessage(
                "notification.template_stopped",
                template=template.friendly_name,
                status=template.status,
                campaign=campaign.name,
            )
            notifications_create(users=[campaign.owner], text=text, url=campaign.get_absolute_url())
            written += 1
    return written
