"""The dev outbox pages of the control port: every message the fakes received, shown as the
person would see it. An email as a mail client shows it (subject, from, to, the HTML in a
sandboxed iframe, the plain text in its own tab); a WhatsApp message and a push notification
in a phone frame. Links stay as the app sent them (its tracking redirects), so clicking one
goes through the app like a creator's click. No external assets, no scripts."""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fakes.state import PROVIDERS

URL = re.compile(r"https?://[^\s<>\"']+")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
CHANNELS = {"sendgrid": "email", "smtp": "email", "twilio": "whatsapp", "fcm": "push"}


@dataclass
class Shown:
    """One record as a person reads it."""

    channel: str  # email, whatsapp, push or "" (a request with nothing to show)
    sender: str = ""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    html: str = ""
    text: str = ""
    title: str = ""
    image: str = ""
    link: str = ""
    media: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    template: str = ""

    @property
    def summary(self) -> str:
        return self.subject or self.title or self.text or self.template


def _address(value: Any) -> str:
    if isinstance(value, dict):
        email, name = value.get("email", ""), value.get("name")
        return f"{name} <{email}>" if name else str(email)
    return str(value or "")


def _last(value: Any) -> str:
    """A form parameter as the fake stores it (a value, or a list when repeated)."""
    if isinstance(value, list):
        return str(value[-1]) if value else ""
    return "" if value is None else str(value)


def _sendgrid(request: dict[str, Any]) -> Shown:
    personalizations = [p for p in request.get("personalizations") or [] if isinstance(p, dict)]
    parts = {
        part.get("type"): part.get("value", "")
        for part in request.get("content") or []
        if isinstance(part, dict)
    }
    subject = request.get("subject") or next(
        (p["subject"] for p in personalizations if p.get("subject")), ""
    )
    return Shown(
        channel="email",
        sender=_address(request.get("from")),
        recipients=[_address(to) for p in personalizations for to in p.get("to") or []],
        subject=str(subject),
        html=str(parts.get("text/html") or ""),
        text=str(parts.get("text/plain") or ""),
    )


def _smtp(request: dict[str, Any]) -> Shown:
    headers = request.get("headers") or {}
    return Shown(
        channel="email",
        sender=str(headers.get("From") or request.get("mail_from") or ""),
        recipients=[str(to) for to in request.get("rcpt_tos") or []],
        subject=str(headers.get("Subject") or ""),
        html=str(request.get("html") or ""),
        text=str(request.get("text") or ""),
    )


def _fill(text: str, variables: dict[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: str(variables.get(m.group(1), m.group(0))), text)


def _twilio(request: dict[str, Any], templates: dict[str, Any]) -> Shown:
    shown = Shown(
        channel="whatsapp",
        sender=_last(request.get("From")).removeprefix("whatsapp:"),
        recipients=[_last(request.get("To")).removeprefix("whatsapp:")],
        text=_last(request.get("Body")),
        media=[str(url) for url in request.get("MediaUrl") or [] if url],
    )
    sid = _last(request.get("ContentSid"))
    if sid:
        try:
            variables = json.loads(_last(request.get("ContentVariables")) or "{}")
        except ValueError:
            variables = {}
        variables = variables if isinstance(variables, dict) else {}
        template = templates.get(sid) or {}
        types = template.get("types") or {}
        content: dict[str, Any] = next(iter(types.values()), {}) if isinstance(types, dict) else {}
        shown.template = f"{template.get('friendly_name') or sid} ({sid})"
        if content.get("body"):  # a template is what WhatsApp delivers, not the Body
            shown.text = _fill(str(content["body"]), variables)
        for action in content.get("actions") or []:
            shown.buttons.append(
                {
                    "title": _fill(str(action.get("title") or ""), variables),
                    "url": _fill(str(action.get("url") or ""), variables),
                }
            )
    return shown


def _fcm(request: dict[str, Any]) -> Shown:
    message = request.get("message") or {}
    notification = message.get("notification") or {}
    data = message.get("data") or {}
    token = str(message.get("token") or message.get("topic") or message.get("condition") or "")
    return Shown(
        channel="push",
        sender="Altavoz",
        recipients=[token[:24] + "…" if len(token) > 24 else token],
        title=str(notification.get("title") or ""),
        text=str(notification.get("body") or ""),
        image=str(notification.get("image") or ""),
        link=str(data.get("link") or ""),
    )


def record_shown(record: dict[str, Any], *, templates: dict[str, Any]) -> Shown:
    """What a record's request shows to the person it went to."""
    request = record.get("request")
    if not isinstance(request, dict):
        return Shown(channel="")
    provider = record.get("provider")
    if provider == "sendgrid":
        return _sendgrid(request)
    if provider == "smtp":
        return _smtp(request)
    if provider == "twilio":
        return _twilio(request, templates)
    if provider == "fcm":
        return _fcm(request)
    return Shown(channel="")


# --- HTML -------------------------------------------------------------------------------------

STYLE = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;
margin:0;color:#1d2430;background:#f5f6f8}
header.top{background:#1d2430;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1.5rem;
align-items:center;flex-wrap:wrap}header.top h1{font-size:1.05rem;margin:0}
header.top a{color:#c9d4ff;text-decoration:none}header.top a.on{color:#fff;font-weight:600;
border-bottom:2px solid #fff}main{padding:1rem 1.5rem;max-width:80rem}
.stats{color:#5b6575;margin:.2rem 0 1rem}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden;
box-shadow:0 1px 2px #0001}td,th{border-bottom:1px solid #eceef2;padding:.5rem .7rem;
text-align:left;vertical-align:top}th{background:#fafbfc;font-weight:600;color:#5b6575}
tr:hover td{background:#fafcff}a{color:#2754d6}
.badge{display:inline-block;padding:0 .5rem;border-radius:99px;font-size:12px;
background:#e8ecf6}.badge.email{background:#e6efff}.badge.whatsapp{background:#dcf8c6}
.badge.push{background:#ffe9d6}.no{color:#b3261e}.ok{color:#1b7a33}.muted{color:#5b6575}
.empty{background:#fff;padding:2rem;border-radius:8px;text-align:center;color:#5b6575}
.mail{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;max-width:56rem}
.mail .head{padding:1rem 1.2rem;border-bottom:1px solid #eceef2}
.mail h2{margin:0 0 .5rem;font-size:1.3rem}.mail dl{display:grid;
grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:0}.mail dt{color:#5b6575}
.mail dd{margin:0}.tabs input{display:none}.tabs label{display:inline-block;
padding:.5rem 1rem;cursor:pointer;color:#5b6575;border-bottom:2px solid transparent}
.tabs input:checked+label{color:#1d2430;border-color:#2754d6;font-weight:600}
.pane{display:none;border-top:1px solid #eceef2}
#tab-html:checked~.pane-html,#tab-text:checked~.pane-text{display:block}
iframe{width:100%;height:36rem;border:0;display:block;background:#fff}
.pane-text pre{white-space:pre-wrap;margin:0;padding:1.2rem;font:14px/1.5 ui-monospace,monospace}
.phone{width:320px;height:600px;border:12px solid #111;border-radius:38px;background:#111;
overflow:hidden;position:relative;box-shadow:0 8px 24px #0003}
.screen{height:100%;border-radius:26px;overflow:hidden;display:flex;flex-direction:column}
.wa-bar{background:#075e54;color:#fff;padding:.9rem .9rem .7rem;font-weight:600}
.wa-bar small{display:block;font-weight:400;opacity:.8}
.wa-chat{flex:1;background:#efeae2;padding:.8rem;overflow:auto}
.bubble{background:#fff;border-radius:0 8px 8px 8px;padding:.45rem .6rem .3rem;
max-width:85%;box-shadow:0 1px 1px #0002;white-space:pre-wrap;word-wrap:break-word}
.bubble time{display:block;text-align:right;font-size:11px;color:#667781}
.bubble img{max-width:100%;border-radius:6px}
.wa-button{background:#fff;border-radius:8px;margin-top:.25rem;max-width:85%;text-align:center;
padding:.45rem;color:#027eb5;box-shadow:0 1px 1px #0002}
.lock{flex:1;background:linear-gradient(160deg,#3b4b8f,#a5526d);color:#fff;padding:1rem .7rem}
.lock .clock{text-align:center;font-size:3.2rem;font-weight:200;margin:1.2rem 0 1.6rem}
.notif{display:block;background:#ffffffe6;color:#1d2430;border-radius:16px;padding:.6rem .75rem;
text-decoration:none}.notif .app{font-size:12px;color:#5b6575;display:flex;gap:.4rem;
align-items:center}.notif .icon{width:18px;height:18px;border-radius:5px;background:#2754d6;
color:#fff;font-size:11px;display:inline-flex;align-items:center;justify-content:center}
.notif img{max-width:100%;border-radius:8px;margin-top:.4rem}
.detail{display:flex;gap:2rem;flex-wrap:wrap;align-items:flex-start}
.detail .mail{flex:1 1 36rem;min-width:min(100%,36rem)}
header.top nav{display:flex;gap:1rem}
.facts{min-width:18rem;flex:1}.facts dl{display:grid;grid-template-columns:max-content 1fr;
gap:.2rem .8rem;margin:0 0 1rem}.facts dt{color:#5b6575}.facts dd{margin:0;word-break:break-all}.facts pre{background:#fff;padding:.8rem;border-radius:8px;
white-space:pre-wrap;max-height:30rem;overflow:auto;font-size:12px}
"""


def _page(title: str, body: str, *, refresh: bool = False, provider: str | None = None) -> str:
    nav = "".join(
        f'<a href="/{"?provider=" + p if p else ""}"{" class=on" if p == (provider or "") else ""}>'
        f"{p or 'all'}</a>"
        for p in ("", *PROVIDERS)
    )
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>{meta}<style>{STYLE}</style></head><body>"
        '<header class="top"><h1>Fake providers · outbox</h1>'
        f"<nav>{nav}</nav></header><main>{body}</main></body></html>"
    )


def _linkify(text: str) -> str:
    """Escaped text with its URLs as links that open in a new tab."""
    out, last = [], 0
    for match in URL.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        url = match.group(0)
        out.append(
            f'<a href="{html.escape(url)}" target="_blank" rel="noopener">{html.escape(url)}</a>'
        )
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(record: dict[str, Any], fmt: str = "%H:%M:%S") -> str:
    return time.strftime(fmt, time.localtime(record["at"]))


def _recipients(shown: Shown, limit: int = 3) -> str:
    names = ", ".join(shown.recipients[:limit])
    more = len(shown.recipients) - limit
    return names + (f" (+{more} more)" if more > 0 else "")


def outbox_list_html(
    records: list[dict[str, Any]],
    *,
    templates: dict[str, Any],
    stats: dict[str, Any],
    provider: str | None,
) -> str:
    summary = " · ".join(
        f"{p}: {stats[p]['accepted']} accepted, {stats[p]['rejected']} rejected" for p in PROVIDERS
    )
    rows = []
    for record in records:
        shown = record_shown(record, templates=templates)
        channel = shown.channel or record["provider"]
        outcome = html.escape(str(record.get("outcome")))
        rows.append(
            f'<tr><td><a href="/outbox/{record["id"]}">#{record["id"]}</a></td>'
            f"<td>{_when(record)}</td>"
            f'<td><span class="badge {channel}">{html.escape(channel)}</span> '
            f'<span class="muted">{html.escape(record["provider"])}</span></td>'
            f'<td class="{"ok" if record.get("accepted") else "no"}">{outcome}</td>'
            f"<td>{html.escape(_recipients(shown))}</td>"
            f'<td><a href="/outbox/{record["id"]}">'
            f"{html.escape(_shorten(shown.summary) or '(no content)')}</a></td></tr>"
        )
    if rows:
        table = (
            "<table><thead><tr><th>#</th><th>when</th><th>channel</th><th>outcome</th>"
            "<th>to</th><th>message</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )
    else:
        table = '<p class="empty">Nothing sent yet. Launch a campaign in the app.</p>'
    query = urlencode({"provider": provider} if provider else {})
    body = (
        f'<p class="stats">{html.escape(summary)}</p>{table}'
        f'<p class="muted">Newest first, {len(records)} shown; this page refreshes every 5 s. '
        f'JSON: <a href="/_control/outbox?{query}">/_control/outbox</a></p>'
    )
    return _page("Outbox · fake providers", body, refresh=True, provider=provider)


def _email_html(shown: Shown, record: dict[str, Any]) -> str:
    # Links open in a new tab (the sandbox lets popups out, never scripts or same-origin).
    document = '<base target="_blank">' + (shown.html or "")
    text = shown.text or "(no plain-text part)"
    checked_html = " checked" if shown.html else ""
    checked_text = "" if shown.html else " checked"
    return (
        '<article class="mail"><div class="head">'
        f"<h2>{html.escape(shown.subject or '(no subject)')}</h2><dl>"
        f"<dt>From</dt><dd>{html.escape(shown.sender)}</dd>"
        f"<dt>To</dt><dd>{html.escape(_recipients(shown, 10))}</dd>"
        f"<dt>Date</dt><dd>{_when(record, '%Y-%m-%d %H:%M:%S')}</dd></dl></div>"
        f'<div class="tabs"><input type="radio" name="tab" id="tab-html"{checked_html}>'
        '<label for="tab-html">HTML</label>'
        f'<input type="radio" name="tab" id="tab-text"{checked_text}>'
        '<label for="tab-text">Plain text</label>'
        '<div class="pane pane-html"><iframe title="HTML body" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox" '
        f'srcdoc="{html.escape(document, quote=True)}"></iframe></div>'
        f'<div class="pane pane-text"><pre>{_linkify(text)}</pre></div></div></article>'
    )


def _whatsapp_html(shown: Shown, record: dict[str, Any]) -> str:
    media = "".join(
        f'<a href="{html.escape(url)}" target="_blank" rel="noopener">'
        f'<img src="{html.escape(url)}" alt="attachment"></a><br>'
        for url in shown.media
    )
    buttons = "".join(
        (
            f'<a class="wa-button" style="display:block" href="{html.escape(b["url"])}" '
            f'target="_blank" rel="noopener">↗ {html.escape(b["title"])}</a>'
            if b.get("url")
            else f'<div class="wa-button">↩ {html.escape(b["title"])}</div>'
        )
        for b in shown.buttons
    )
    return (
        '<div class="phone"><div class="screen">'
        f'<div class="wa-bar">Altavoz<small>{html.escape(shown.sender)} → '
        f"{html.escape(_recipients(shown))}</small></div>"
        f'<div class="wa-chat"><div class="bubble">{media}{_linkify(shown.text)}'
        f"<time>{_when(record, '%H:%M')}</time></div>{buttons}</div></div></div>"
    )


def _push_html(shown: Shown, record: dict[str, Any]) -> str:
    image = f'<img src="{html.escape(shown.image)}" alt="">' if shown.image else ""
    inner = (
        f'<span class="app"><span class="icon">A</span>Altavoz · {_when(record, "%H:%M")}</span>'
        f"<strong>{html.escape(shown.title)}</strong><br>{html.escape(shown.text)}{image}"
    )
    if shown.link:
        card = (
            f'<a class="notif" href="{html.escape(shown.link)}" target="_blank" '
            f'rel="noopener">{inner}</a>'
        )
    else:
        card = f'<div class="notif">{inner}</div>'
    return (
        '<div class="phone"><div class="screen"><div class="lock">'
        f'<div class="clock">{_when(record, "%H:%M")}</div>{card}</div></div></div>'
    )


def outbox_detail_html(record: dict[str, Any], *, templates: dict[str, Any]) -> str:
    shown = record_shown(record, templates=templates)
    if shown.channel == "email":
        view = _email_html(shown, record)
    elif shown.channel == "whatsapp":
        view = _whatsapp_html(shown, record)
    elif shown.channel == "push":
        view = _push_html(shown, record)
    else:
        view = '<p class="empty">This request carried no message to show.</p>'
    facts = [
        ("provider", record["provider"]),
        ("outcome", str(record.get("outcome"))),
        ("provider id", str(record.get("provider_id") or "—")),
        ("received", _when(record, "%Y-%m-%d %H:%M:%S")),
    ]
    if shown.template:
        facts.append(("template", shown.template))
    if shown.link:
        facts.append(("opens", shown.link))
    raw = json.dumps(record.get("request"), ensure_ascii=False, indent=1, default=str)
    if record.get("error"):
        raw = json.dumps(record["error"], ensure_ascii=False, indent=1) + "\n\n" + raw
    body = (
        f'<p><a href="/">← outbox</a></p><div class="detail">{view}<div class="facts"><dl>'
        + "".join(f"<dt>{k}</dt><dd>{_linkify(v)}</dd>" for k, v in facts)
        + "</dl><details><summary>Request as received</summary>"
        f"<pre>{html.escape(raw)}</pre></details></div></div>"
    )
    title = f"#{record['id']} {shown.summary[:60]}" if shown.summary else f"#{record['id']}"
    return _page(title, body)
