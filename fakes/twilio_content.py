"""Fake Twilio Content API: `GET /v1/ContentAndApprovals` (paged as the contract's `meta` says),
seeded with a few WhatsApp templates in es-MX and en (one rejected), and control endpoints
that add templates and change their WhatsApp approval status.

Served on the Twilio fake's port: point `TWILIO_CONTENT_BASE_URL` at the Twilio fake's URL.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web

if TYPE_CHECKING:
    from fakes.core import Fakes

STATUSES = (
    "received",
    "pending",
    "approved",
    "rejected",
    "paused",
    "disabled",
    "unsubmitted",
    "in_appeal",
)
SEED_DATE = "2026-11-02T16:00:00Z"
REJECTION = (
    "INVALID_FORMAT. Facebook is not able to create template with templateName=promo_relampago "
    "due to the following error: Invalid parameter. More Details: variables can't be at the "
    "start or end of the template."
)


def _seed_template(
    sid: str,
    name: str,
    language: str,
    category: str,
    kind: str,
    content: dict[str, Any],
    variables: dict[str, str],
    status: str = "approved",
    rejection_reason: str = "",
) -> dict[str, Any]:
    return {
        "date_created": SEED_DATE,
        "date_updated": SEED_DATE,
        "sid": sid,
        "account_sid": None,  # filled with the fake's account
        "friendly_name": name,
        "language": language,
        "variables": variables,
        "types": {kind: content},
        "approval_requests": {
            "name": name,
            "category": category,
            "content_type": kind,
            "status": status,
            "rejection_reason": rejection_reason,
            "allow_category_change": False,
        },
    }


# The templates every fresh (or reset) fake lists: es-MX and en, one rejected, one pending.
SEED: tuple[dict[str, Any], ...] = (
    _seed_template(
        "HX" + "e5a1" + "0" * 27 + "1",
        "bienvenida_creadores",
        "es_MX",
        "MARKETING",
        "twilio/quick-reply",
        {
            "body": "¡Hola {{1}}! Te damos la bienvenida al programa de creadores de Altavoz. "
            "Tu nivel actual es {{2}}. ¿Quieres recibir tu primera misión?",
            "actions": [
                {"title": "Sí, quiero", "id": "mision_si"},
                {"title": "Más tarde", "id": "mision_despues"},
            ],
        },
        {"1": "Ana", "2": "Plata"},
    ),
    _seed_template(
        "HX" + "e5a1" + "0" * 27 + "2",
        "mision_nueva",
        "es_MX",
        "MARKETING",
        "twilio/call-to-action",
        {
            "body": "{{1}}, hay una misión nueva para ti: {{2}}. Tienes hasta el {{3}} para "
            "inscribirte.",
            "actions": [
                {"type": "URL", "title": "Ver misión", "url": "https://altavoz.mx/m/{{4}}"},
            ],
        },
        {"1": "Ana", "2": "Live de temporada", "3": "30 de noviembre", "4": "live-temporada"},
    ),
    _seed_template(
        "HX" + "e5a1" + "0" * 27 + "3",
        "welcome_creators",
        "en",
        "MARKETING",
        "twilio/quick-reply",
        {
            "body": "Hi {{1}}! Welcome to the Altavoz creator program. Your level is {{2}}. "
            "Would you like your first mission?",
            "actions": [
                {"title": "Yes, please", "id": "mision_si"},
                {"title": "Later", "id": "mision_despues"},
            ],
        },
        {"1": "Ana", "2": "Silver"},
    ),
    _seed_template(
        "HX" + "e5a1" + "0" * 27 + "4",
        "sample_shipped",
        "en",
        "UTILITY",
        "twilio/text",
        {"body": "{{1}}, your product sample is on its way. Tracking number: {{2}}."},
        {"1": "Ana", "2": "MX123"},
    ),
    _seed_template(
        "HX" + "e5a1" + "0" * 27 + "5",
        "promo_relampago",
        "es_MX",
        "MARKETING",
        "twilio/text",
        {"body": "{{1}}"},
        {"1": "¡Promo relámpago hoy!"},
        status="rejected",
        rejection_reason=REJECTION,
    ),
    _seed_template(
        "HX" + "e5a1" + "0" * 27 + "6",
        "recordatorio_muestra",
        "es_MX",
        "UTILITY",
        "twilio/text",
        {"body": "{{1}}, recuerda publicar tu video con la muestra antes del {{2}}."},
        {"1": "Ana", "2": "viernes"},
        status="pending",
    ),
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ContentStore:
    """The fake account's Content resources, in creation order."""

    def __init__(self, account_sid: str) -> None:
        self.account_sid = account_sid
        self.templates: dict[str, dict[str, Any]] = {}
        self.reset()

    def reset(self) -> None:
        self.templates = {}
        for template in SEED:
            self.templates[template["sid"]] = {
                **copy.deepcopy(template),
                "account_sid": self.account_sid,
            }

    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        """A template from the control API: `friendly_name`, `language`, `body` (or `types`),
        `variables`, `category`, `status`, `rejection_reason`, optional `sid`."""
        sid = str(data.get("sid") or "HX" + uuid.uuid4().hex)
        if not (sid.startswith("HX") and len(sid) == 34):
            raise ValueError("sid must be HX followed by 32 hex digits")
        status = str(data.get("status") or "approved")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        types = data.get("types") or {"twilio/text": {"body": str(data.get("body") or "")}}
        if not isinstance(types, dict):
            raise ValueError("types must be an object")
        kind = next(iter(types), "twilio/text")
        template = _seed_template(
            sid,
            str(data.get("friendly_name") or sid),
            str(data.get("language") or "es_MX"),
            str(data.get("category") or "MARKETING"),
            kind,
            types[kind],
            {str(k): str(v) for k, v in (data.get("variables") or {}).items()},
            status=status,
            rejection_reason=str(data.get("rejection_reason") or ""),
        )
        template["types"] = types
        template["account_sid"] = self.account_sid
        template["date_created"] = template["date_updated"] = _now()
        self.templates[sid] = template
        return template

    def update(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        """Change a template's WhatsApp approval: `status`, `rejection_reason`, `category`."""
        template = self.templates[sid]
        approval = template["approval_requests"]
        if "status" in data:
            if data["status"] not in STATUSES:
                raise ValueError(f"status must be one of {STATUSES}")
            approval["status"] = data["status"]
            if data["status"] == "approved":
                approval["rejection_reason"] = ""
        if "rejection_reason" in data:
            approval["rejection_reason"] = str(data["rejection_reason"] or "")
        if "category" in data:
            approval["category"] = str(data["category"])
        template["date_updated"] = _now()
        return template


def _error(code: int, status: int, message: str) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status)


def routes_add(app: web.Application, fakes: Fakes) -> None:
    """The Content API on the Twilio fake's app."""
    from fakes.core import failure_apply
    from fakes.twilio import _authorized, _coerce, _failure_response

    typed = fakes.contracts.twilio_content_list_typed_fields

    async def content_and_approvals(request: web.Request) -> web.StreamResponse:
        """Newest-created last, as Twilio lists them; `Page`/`PageSize`/`PageToken` paging
        with absolute `meta` URLs (the SDK requests `next_page_url` as given)."""
        await fakes.behaviours["twilio"].delay()
        if not _authorized(fakes, request):
            return _error(20003, 401, "Authenticate")
        drawn = fakes.behaviours["twilio"].failure_draw()
        if drawn:
            return await failure_apply(request, drawn[0], drawn[1], _failure_response)
        query = {name: request.query.getall(name) for name in request.query}
        doc = _coerce(query, frozenset(), typed)
        for violation in fakes.contracts.twilio_content_list_query.violations(doc):
            field = violation.path.split(".")[0] if violation.path else ""
            return _error(20001, 400, f"Invalid parameter {field}: {violation.message}")
        page_size, page = int(doc.get("PageSize", 50)), int(doc.get("Page", 0))
        found = list(fakes.twilio_contents.templates.values())
        start = page * page_size
        base = f"{fakes.settings.urls['twilio']}/v1/ContentAndApprovals"

        def page_url(number: int) -> str:
            query: dict[str, str | int] = {"PageSize": page_size, "Page": number}
            if number:
                query["PageToken"] = f"PT{number * page_size}"
            return f"{base}?{urlencode(query)}"

        body = {
            "contents": found[start : start + page_size],
            "meta": {
                "page": page,
                "page_size": page_size,
                "first_page_url": page_url(0),
                "previous_page_url": page_url(page - 1) if page > 0 else None,
                "next_page_url": page_url(page + 1) if start + page_size < len(found) else None,
                "url": page_url(page),
                "key": "contents",
            },
        }
        return web.Response(
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            content_type="application/json",
        )

    app.router.add_get("/v1/ContentAndApprovals", content_and_approvals)


def control_routes_add(app: web.Application, fakes: Fakes) -> None:
    """`/_control/twilio/content`: list, add, change the status of, and delete templates."""

    async def body_of(request: web.Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(
                text=json.dumps({"error": "a JSON object is expected"}),
                content_type="application/json",
            )
        return data

    async def contents_list(request: web.Request) -> web.Response:
        return web.json_response(list(fakes.twilio_contents.templates.values()))

    async def content_create(request: web.Request) -> web.Response:
        try:
            template = fakes.twilio_contents.create(await body_of(request))
        except ValueError as error:
            return web.json_response({"error": str(error)}, status=400)
        return web.json_response(template, status=201)

    async def content_update(request: web.Request) -> web.Response:
        sid = request.match_info["sid"]
        if sid not in fakes.twilio_contents.templates:
            return web.json_response({"error": f"no template {sid}"}, status=404)
        try:
            template = fakes.twilio_contents.update(sid, await body_of(request))
        except ValueError as error:
            return web.json_response({"error": str(error)}, status=400)
        return web.json_response(template)

    async def content_delete(request: web.Request) -> web.Response:
        removed = fakes.twilio_contents.templates.pop(request.match_info["sid"], None)
        return web.json_response({"deleted": removed is not None})

    app.router.add_get("/_control/twilio/content", contents_list)
    app.router.add_post("/_control/twilio/content", content_create)
    app.router.add_post("/_control/twilio/content/{sid}", content_update)
    app.router.add_delete("/_control/twilio/content/{sid}", content_delete)
