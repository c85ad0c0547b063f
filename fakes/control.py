"""The control API (``/_control/...``) and the dev outbox page (``/``)."""

from __future__ import annotations

import html
import json
import time
from typing import Any

from aiohttp import web

from fakes.core import Fakes, json_response
from fakes.inbound import InboundError, inbound_send
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


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Altavoz fake providers: outbox</title>
<meta http-equiv="refresh" content="5">
<style>
body{{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}}th{{background:#f4f4f4}}
.no{{color:#b00}}.ok{{color:#070}}pre{{margin:0;white-space:pre-wrap;max-width:60rem;
max-height:8rem;overflow:auto;font-size:12px}}nav a{{margin-right:1rem}}
</style></head><body>
<h1>Fake providers: outbox</h1>
<nav>{nav}</nav>
<p>{stats}</p>
<table><thead><tr><th>#</th><th>when</th><th>provider</th><th>outcome</th><th>recipients</th>
<th>provider id</th><th>request</th></tr></thead><tbody>
{rows}
</tbody></table>
<p>Newest first, {shown} shown. JSON: <a href="/_control/outbox">/_control/outbox</a></p>
</body></html>"""


def _row(record: dict[str, Any]) -> str:
    accepted = record.get("accepted")
    body = json.dumps(record.get("request"), ensure_ascii=False, indent=1, default=str)
    if len(body) > 4000:
        body = body[:4000] + "\n…"
    if record.get("error"):
        body = json.dumps(record["error"], ensure_ascii=False) + "\n" + body
    return (
        f"<tr><td>{record['id']}</td>"
        f"<td>{time.strftime('%H:%M:%S', time.localtime(record['at']))}</td>"
        f"<td>{html.escape(record['provider'])}</td>"
        f'<td class="{"ok" if accepted else "no"}">{html.escape(str(record.get("outcome")))}</td>'
        f"<td>{html.escape(', '.join(map(str, record.get('recipients', [])[:5])))}</td>"
        f"<td>{html.escape(str(record.get('provider_id') or ''))}</td>"
        f"<td><pre>{html.escape(body)}</pre></td></tr>"
    )


def app_build(fakes: Fakes) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        limit = int(request.query.get("limit") or 200)
        query = {**request.query, "limit": str(limit)}
        records = _outbox_query(fakes, query, newest_first=True)
        nav = '<a href="/">all</a>' + "".join(
            f'<a href="/?provider={p}">{p}</a>' for p in PROVIDERS
        )
        stats = " · ".join(
            f"{p}: {fakes.outbox.stats[p]['accepted']} accepted, "
            f"{fakes.outbox.stats[p]['rejected']} rejected"
            for p in PROVIDERS
        )
        text = PAGE.format(
            nav=nav,
            stats=html.escape(stats),
            rows="\n".join(map(_row, records)),
            shown=len(records),
        )
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

    async def reset(request: web.Request) -> web.Response:
        fakes.reset()
        return json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_get("/_control/health", health)
    app.router.add_get("/_control/config", config)
    app.router.add_get("/_control/behaviour", behaviour_get)
    app.router.add_post("/_control/behaviour", behaviour_set)
    app.router.add_delete("/_control/behaviour", behaviour_clear)
    app.router.add_get("/_control/outbox", outbox)
    app.router.add_delete("/_control/outbox", outbox_clear)
    app.router.add_get("/_control/stats", stats)
    app.router.add_get("/_control/callbacks", callbacks)
    app.router.add_post("/_control/twilio/inbound", twilio_inbound)
    app.router.add_get("/_control/twilio/inbound", twilio_inbound_log)
    app.router.add_post("/_control/reset", reset)
    return app
