"""The control API (``/_control/...``) and the dev outbox pages (``/``, ``/outbox/{id}``:
fakes/outbox_page.py)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from fakes import twilio_content
from fakes.core import Fakes, json_response
from fakes.inbound import InboundError, inbound_send
from fakes.outbox_page import outbox_detail_html, outbox_list_html
from fakes.state import PROVIDERS, BehaviourError


def _bool(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in {"1", "true", "yes"}


def _providers(name: str | None) -> list[str]:
    if not name or name == "all":
        return list(PROVIDERS)
    if name not in PROVIDERS:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"unknown provider {name!r}; one of {PROVIDERS}"}),
            content_type="application/json",
        )
    return [name]


def _outbox_query(fakes: Fakes, query: Any, *, newest_first: bool) -> list[dict[str, Any]]:
    provider = query.get("provider") or None
    if provider:
        _providers(provider)
    return fakes.outbox.query(
        provider=provider,
        recipient=query.get("recipient") or None,
        accepted=_bool(query.get("accepted")),
        outcome=query.get("outcome") or None,
        after=int(query["after"]) if query.get("after") else None,
        limit=int(query["limit"]) if query.get("limit") else None,
        newest_first=newest_first,
    )


def app_build(fakes: Fakes) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        limit = int(request.query.get("limit") or 200)
        query = {**request.query, "limit": str(limit)}
        records = _outbox_query(fakes, query, newest_first=True)
        text = outbox_list_html(
            records,
            templates=fakes.twilio_contents.templates,
            stats=fakes.outbox.stats,
            provider=request.query.get("provider") or None,
        )
        return web.Response(text=text, content_type="text/html")

    async def message(request: web.Request) -> web.Response:
        number = int(request.match_info["id"])
        found = fakes.outbox.query(after=number - 1, limit=1)
        if not found or found[0]["id"] != number:
            raise web.HTTPNotFound(text=f"No outbox record #{number} (it may have been reset).")
        text = outbox_detail_html(found[0], templates=fakes.twilio_contents.templates)
        return web.Response(text=text, content_type="text/html")

    async def health(request: web.Request) -> web.Response:
        return json_response({"ok": True, "urls": fakes.settings.urls})

    async def config(request: web.Request) -> web.Response:
        return json_response(fakes.config())

    async def behaviour_get(request: web.Request) -> web.Response:
        names = _providers(request.query.get("provider"))
        return json_response({n: fakes.behaviours[n].to_json() for n in names})

    async def behaviour_set(request: web.Request) -> web.Response:
        try:
            data = await request.json()
        except ValueError:
            return json_response({"error": "body must be JSON"}, 400)
        if not isinstance(data, dict):
            return json_response({"error": "body must be a JSON object"}, 400)
        names = _providers(data.get("provider"))
        try:
            for name in names:
                fakes.behaviours[name].update(data)
        except (BehaviourError, TypeError, ValueError) as error:
            return json_response({"error": str(error)}, 400)
        return json_response({n: fakes.behaviours[n].to_json() for n in names})

    async def behaviour_clear(request: web.Request) -> web.Response:
        for name in _providers(request.query.get("provider")):
            fakes.behaviour_reset(name)
        return json_response({"ok": True})

    async def outbox(request: web.Request) -> web.Response:
        newest = request.query.get("order") == "desc"
        return json_response(_outbox_query(fakes, request.query, newest_first=newest))

    async def outbox_clear(request: web.Request) -> web.Response:
        fakes.outbox.reset()
        return json_response({"ok": True})

    async def stats(request: web.Request) -> web.Response:
        return json_response(
            {
                "outbox": {p: dict(c) for p, c in fakes.outbox.stats.items()},
                "callbacks_pending": fakes.callbacks.pending,
                "callbacks_sent": len(fakes.callbacks.log),
            }
        )

    async def callbacks(request: web.Request) -> web.Response:
        provider = request.query.get("provider")
        rows = [e for e in fakes.callbacks.log if not provider or e["provider"] == provider]
        return json_response(rows)

    async def reset(request: web.Request) -> web.Response:
        fakes.reset()
        return json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_get(r"/outbox/{id:\d+}", message)
    app.router.add_get("/_control/health", health)
    app.router.add_get("/_control/config", config)
    app.router.add_get("/_control/behaviour", behaviour_get)
    app.router.add_post("/_control/behaviour", behaviour_set)
    app.router.add_delete("/_control/behaviour", behaviour_clear)
    app.router.add_get("/_control/outbox", outbox)
    app.router.add_delete("/_control/outbox", outbox_clear)
    app.router.add_get("/_control/stats", stats)
    app.router.add_get("/_control/callbacks", callbacks)
    app.router.add_post("/_control/reset", reset)
    twilio_content.control_routes_add(app, fakes)
    inbound_routes_add(app, fakes)
    return app


def inbound_routes_add(app: web.Application, fakes: Fakes) -> None:
    """The inbound simulator's control routes (docs/fakes.md, "Inbound simulator")."""

    async def twilio_inbound(request: web.Request) -> web.Response:
        """A number "replies": a signed incoming-message webhook is POSTed to the app."""
        try:
            data = await request.json()
        except ValueError:
            return json_response({"error": "body must be JSON"}, 400)
        if not isinstance(data, dict):
            return json_response({"error": "body must be a JSON object"}, 400)
        s = fakes.settings
        try:
            entry = await inbound_send(
                data=data,
                account_sid=s.twilio_account_sid,
                auth_token=s.twilio_auth_token,
                default_url=s.twilio_inbound_url,
                rewrite=fakes.behaviours["twilio"].callbacks.get("rewrite"),
            )
        except InboundError as error:
            return json_response({"error": str(error)}, 400)
        fakes.inbound_record(entry)
        return json_response(entry)

    async def twilio_inbound_log(request: web.Request) -> web.Response:
        return json_response(list(fakes.inbound_log))

    app.router.add_post("/_control/twilio/inbound", twilio_inbound)
    app.router.add_get("/_control/twilio/inbound", twilio_inbound_log)
