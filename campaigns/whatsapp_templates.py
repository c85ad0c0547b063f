"""Campaign messages and the WhatsApp template catalogue (channels.WhatsAppTemplate).

- `whatsapp_template_errors`: at save, a message's `content_sid` must name a catalogued
  template that Meta has not stopped, and its `variables` must be exactly the template's
  placeholders (called from `services.message_fields_validate`). The wizard offers only
  templates in the message's language; the API may pick another one on purpose.
- `whatsapp_template_send_errors`: the same line/cause errors for a template sent at once (a
  conversation's reply), which must also be approved.
- `whatsapp_template_body_render`: the approved body with the variables filled (the preview).
- `campaign_templates_launch_check`: a launch check refusing a campaign any of whose WhatsApp
  messages uses a template that is not approved (registered in CampaignsConfig.ready).
- `campaigns_using_templates`: the scheduled or running campaigns that use given templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from campaigns.exceptions import WhatsAppTemplateNotApproved
from campaigns.models import Campaign, Message
from channels.models import WhatsAppTemplate
from channels.whatsapp_templates import PLACEHOLDER


def _variable_keys(template: WhatsAppTemplate) -> list[str]:
    return [str(key) for key in template.variables]


def whatsapp_template_errors(*, locale: str, fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Line/cause errors for a WhatsApp message's template and variables (empty: fine)."""
    sid = str(fields.get("content_sid") or "").strip()
    if not sid:
        return []
    template = WhatsAppTemplate.objects.filter(sid=sid).first()
    if template is None:
        cause = _(
            "There is no WhatsApp template %(sid)s in the catalogue: pick one from the list "
            "(or sync the templates if it was just created at Twilio)."
        ) % {"sid": sid}
        return [_error("content_sid", 1, cause)]
    errors = []
    if template.status in WhatsAppTemplate.STOPPED:
        cause = _("The template “%(name)s” is %(status)s at WhatsApp; pick an approved one.") % {
            "name": template.friendly_name,
            "status": template.get_status_display(),
        }
        errors.append(_error("content_sid", 1, cause))
    variables = fields.get("variables") or {}
    if not isinstance(variables, dict):
        return errors  # message_fields_validate reports that
    expected = _variable_keys(template)
    given = [str(key) for key in variables]
    for line, key in enumerate(given, start=1):
        if key not in expected:
            cause = _(
                "The template “%(name)s” has no variable {{%(key)s}}; its variables are: "
                "%(expected)s."
            ) % {
                "name": template.friendly_name,
                "key": key,
                "expected": ", ".join(f"{{{{{name}}}}}" for name in expected) or _("none"),
            }
            errors.append(_error("variables", line, cause))
    missing = [key for key in expected if key not in given]
    for offset, key in enumerate(missing, start=1):
        cause = _("The template “%(name)s” needs a value for {{%(key)s}}: add “%(key)s=…”.") % {
            "name": template.friendly_name,
            "key": key,
        }
        errors.append(_error("variables", len(given) + offset, cause))
    return errors


def whatsapp_template_send_errors(
    *, sid: str, variables: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Line/cause errors for sending `sid` now (a thread's reply): the checks of
    `whatsapp_template_errors`, and the template must be approved, not merely not stopped."""
    errors = whatsapp_template_errors(
        locale="", fields={"content_sid": sid, "variables": dict(variables)}
    )
    template = WhatsAppTemplate.objects.filter(sid=sid.strip()).first()
    if template is not None and not template.approved and template.status not in template.STOPPED:
        cause = _("The template “%(name)s” is %(status)s at WhatsApp; pick an approved one.") % {
            "name": template.friendly_name,
            "status": template.get_status_display(),
        }
        errors.insert(0, _error("content_sid", 1, cause))
    return errors


def whatsapp_template_unapproved(*, sid: str) -> bool:
    """True when `sid` is in the catalogue but WhatsApp has not approved it (or stopped it)."""
    return (
        WhatsAppTemplate.objects.filter(sid=sid.strip())
        .exclude(status=WhatsAppTemplate.Status.APPROVED)
        .exists()
    )


def _error(field: str, line: int, cause: str) -> dict[str, Any]:
    message = _("Line %(line)d: %(cause)s") % {"line": line, "cause": cause}
    return {"field": field, "line": line, "cause": cause, "message": message}


def whatsapp_template_body_render(
    *, template: WhatsAppTemplate, variables: Mapping[str, Any]
) -> str:
    """The template's body with each `{{n}}` replaced by the message's (rendered) value."""

    def value(match: Any) -> str:
        name = match.group(1)
        return str(variables[name]) if name in variables else match.group(0)

    return PLACEHOLDER.sub(value, template.body)


def whatsapp_templates_search(
    *, query: str = "", locale: str = "", status: str = ""
) -> QuerySet[WhatsAppTemplate]:
    """Templates by name: `query` in the name (or the exact SID), of `locale` and `status`
    when given (the templates page and the API)."""
    templates = WhatsAppTemplate.objects.order_by("friendly_name", "sid")
    if query.strip():
        templates = templates.filter(
            Q(friendly_name__icontains=query.strip()) | Q(sid__iexact=query.strip())
        )
    if locale:
        templates = templates.filter(locale=locale)
    if status:
        templates = templates.filter(status=status)
    return templates


def whatsapp_templates_for_picker(*, locale: str, query: str = "") -> QuerySet[WhatsAppTemplate]:
    """Approved templates in `locale` whose name contains `query`, by name."""
    templates = WhatsAppTemplate.objects.filter(
        locale=locale, status=WhatsAppTemplate.Status.APPROVED
    )
    if query.strip():
        templates = templates.filter(friendly_name__icontains=query.strip())
    return templates.order_by("friendly_name")


def picker_context(*, locale: str, query: str, selected: str) -> dict[str, Any]:
    """The wizard's template options: approved templates in the message's language matching
    `query`, and the selected one (shown even when filtered out or no longer approved)."""
    options = list(whatsapp_templates_for_picker(locale=locale, query=query)[:50])
    chosen = WhatsAppTemplate.objects.filter(sid=selected).first() if selected else None
    if chosen is not None and chosen not in options:
        options.insert(0, chosen)
    return {
        "options": options,
        "selected": selected,
        "unknown_selected": bool(selected) and chosen is None,
        "template_q": query,
        "locale": locale,
    }


def campaign_template_sids(*, campaign: Campaign) -> list[str]:
    """The template SIDs of the campaign's WhatsApp messages (every step and language)."""
    sids = Message.objects.filter(
        campaign=campaign, channel="whatsapp", fields__has_key="content_sid"
    ).values_list("fields__content_sid", flat=True)
    return sorted({str(sid) for sid in sids if sid})


def campaign_templates_get(*, campaign: Campaign) -> list[dict[str, Any]]:
    """Each template the campaign uses: its SID and catalogue row (None when unknown)."""
    sids = campaign_template_sids(campaign=campaign)
    known = {t.sid: t for t in WhatsAppTemplate.objects.filter(sid__in=sids)}
    return [{"sid": sid, "template": known.get(sid)} for sid in sids]


def campaign_templates_launch_check(*, campaign: Campaign, actor: Any) -> None:
    """Refuse to launch while a WhatsApp message uses a template that is not approved."""
    for item in campaign_templates_get(campaign=campaign):
        template = item["template"]
        if template is None or not template.approved:
            raise WhatsAppTemplateNotApproved(
                sid=item["sid"],
                name=template.friendly_name if template else "",
                status=template.get_status_display() if template else _("not in the catalogue"),
            )


def campaigns_using_templates(*, sids: Iterable[str]) -> QuerySet[Campaign]:
    """Scheduled or running campaigns with a WhatsApp message naming one of `sids`."""
    running = (Campaign.Status.SCHEDULED, Campaign.Status.SENDING, Campaign.Status.PAUSED)
    return (
        Campaign.objects.filter(
            status__in=running,
            messages__channel="whatsapp",
            messages__fields__content_sid__in=list(sids),
        )
        .select_related("owner")
        .distinct()
    )
