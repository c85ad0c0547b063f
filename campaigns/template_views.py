"""The WhatsApp template catalogue in the ops UI: the templates page ("Sync now"), the wizard's
template picker (htmx), and the campaign page's section about its templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import Campaign
from campaigns.views import CHANGE, VIEW, permission_needed
from campaigns.whatsapp_templates import (
    campaign_templates_get,
    picker_context,
    whatsapp_templates_search,
)
from channels.models import WhatsAppTemplate
from channels.whatsapp_templates import whatsapp_templates_sync
from common.exceptions import AltavozError
from creators.models import Locale


@require_GET
@permission_needed(VIEW)
def whatsapp_template_list(request: HttpRequest) -> HttpResponse:
    """Every catalogued template with its approval, language, category and body; `q` searches
    names, `status` and `locale` filter."""
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    locale = request.GET.get("locale", "")
    if status not in WhatsAppTemplate.Status.values:
        status = ""
    if locale not in Locale.values:
        locale = ""
    templates = whatsapp_templates_search(query=query, locale=locale, status=status)
    page = Paginator(templates, 50).get_page(request.GET.get("page"))
    last = WhatsAppTemplate.objects.order_by("-synced_at").values_list("synced_at", flat=True)
    return render(
        request,
        "campaigns/whatsapp_templates.html",
        {
            "page": page,
            "q": query,
            "status": status,
            "locale": locale,
            "statuses": WhatsAppTemplate.Status.choices,
            "locales": Locale.choices,
            "synced_at": last.first(),
        },
    )


@require_POST
@permission_needed(CHANGE)
def whatsapp_templates_sync_now(request: HttpRequest) -> HttpResponse:
    """ "Sync now": read Twilio's Content API in the request (a few pages) and say what changed."""
    try:
        result = whatsapp_templates_sync()
    except AltavozError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Synced %(seen)d templates from Twilio: %(created)d new, %(stopped)d stopped.")
            % {"seen": result.seen, "created": result.created, "stopped": len(result.stopped)},
        )
    return redirect("whatsapp-template-list")


@require_GET
@permission_needed(CHANGE)
def whatsapp_template_picker(request: HttpRequest) -> HttpResponse:
    """htmx: the picker's options for the message's language, searched by name."""
    locale = request.GET.get("locale", "")
    if locale not in Locale.values:
        return HttpResponse(status=400)
    context = picker_context(
        locale=locale,
        query=request.GET.get("template_q", "").strip()[:200],
        selected=request.GET.get("content_sid", "").strip()[:64],
    )
    return render(request, "campaigns/_template_options.html", context)


def campaign_templates_section(request: HttpRequest, campaign: Campaign) -> str:
    """The campaign page's notice of WhatsApp templates that are not approved (a page section,
    registered in CampaignsConfig): empty while every template is approved."""
    problems = [
        item
        for item in campaign_templates_get(campaign=campaign)
        if item["template"] is None or not item["template"].approved
    ]
    if not problems:
        return ""
    return render_to_string(
        "campaigns/_campaign_templates.html",
        {"problems": problems, "campaign": campaign},
        request=request,
    )
