"""Tell campaign owners when WhatsApp stops a template their scheduled or running campaign
uses: a listener of the template sync (channels.whatsapp_templates), registered in
DashboardConfig.ready(), writing the agencies app's in-app notifications (and their email)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from agencies.services import notifications_create
from campaigns.whatsapp_templates import campaign_template_sids, campaigns_using_templates
from channels.models import WhatsAppTemplate


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
            text = _(
                "WhatsApp template “%(template)s” is now %(status)s: campaign “%(campaign)s” "
                "cannot send it."
            ) % {
                "template": template.friendly_name,
                "status": template.get_status_display(),
                "campaign": campaign.name,
            }
            notifications_create(users=[campaign.owner], text=text, url=campaign.get_absolute_url())
            written += 1
    return written
