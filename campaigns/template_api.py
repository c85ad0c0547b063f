"""API: the WhatsApp template catalogue (docs/whatsapp-templates.md), read-only; syncing is the
beat task's and the templates page's job."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import StringConstraints

from accounts.permissions import api_permission_check
from campaigns.whatsapp_templates import whatsapp_templates_search
from channels.models import WhatsAppTemplate
from common.schemas import error_responses
from creators.models import Locale

router = Router(tags=["whatsapp-templates"])

# The approval statuses under their own name: the schema's components are named by class,
# and `WhatsAppTemplate.Status` would collide with the campaign's `Status`.
WhatsAppApproval = StrEnum(  # type: ignore[misc]
    "WhatsAppApproval", {member.name: member.value for member in WhatsAppTemplate.Status}
)


class WhatsAppTemplateOut(Schema):
    sid: str
    friendly_name: str
    language: str
    locale: str
    category: str
    body: str
    variables: dict[str, str]
    buttons: list[dict[str, str]]
    status: str
    rejection_reason: str
    synced_at: datetime


@router.get(
    "/whatsapp-templates",
    response={200: list[WhatsAppTemplateOut], **error_responses(400, 401, 403)},
)
def whatsapp_template_list_api(
    request: HttpRequest,
    q: Annotated[str, StringConstraints(max_length=200)] = "",
    locale: Locale | None = None,
    status: WhatsAppApproval | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[WhatsAppTemplate]:
    """The synced templates by name: `q` searches names, `locale` and `status` filter (e.g.
    `status=approved&locale=es-MX`: what the wizard offers for a Spanish message)."""
    api_permission_check(request, "campaigns.view_campaign")
    templates = whatsapp_templates_search(
        query=q, locale=locale or "", status=status.value if status else ""
    )
    return list(templates[:limit])
