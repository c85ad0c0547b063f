"""Link helpers of a template, and rewriting every link of a rendered message through tracking.

The rendering code knows nothing of tracking: the caller passes an object following
`LinkBuilder` (dispatch passes one that signs click tokens for the delivery; the preview
passes `PreviewLinks`, which returns plain URLs). `MessageRenderer.render` calls
`html_links_track` / `text_links_track` on every rendered field that can carry a link, so
"every link in every channel's message is rewritten at render time".
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Protocol
from urllib.parse import quote, urlencode

from django.conf import settings

from common.system_messages import SystemMessage

from .causes import RenderRefused, cause_param
from .fields import FieldKind


class LinkRefused(RenderRefused):
    """A link that is not a web link: a `javascript:`, `data:`, `file:`… URL, or a `learn()`
    slug that is not a slug. Refused at save (with the line) and at render (that delivery)."""


# Browsers drop ASCII control characters and spaces from a URL before reading its scheme
# ("java\tscript:" runs as "javascript:"), so they are dropped here before it is read too.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTACT_SCHEMES = frozenset({"mailto", "tel", "sms"})
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def link_scheme(url: str) -> str:
    """The scheme of `url`, lowercase, as a browser reads it; "" for a relative link."""
    found = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", url[:200]))
    return found.group(1).lower() if found else ""


def web_link_schemes() -> frozenset[str]:
    """http, https and the app deep-link schemes ops allow (ALTAVOZ_DEEP_LINK_SCHEMES)."""
    return _schemes(tuple(getattr(settings, "ALTAVOZ_DEEP_LINK_SCHEMES", ())))


@functools.lru_cache(maxsize=8)
def _schemes(deep_link_schemes: tuple[str, ...]) -> frozenset[str]:
    return frozenset({"http", "https", *(scheme.lower() for scheme in deep_link_schemes)})


def link_refusal(url: str, *, relative: bool = True, contact: bool = False) -> SystemMessage | None:
    """Why `url` may not be a link of a message, or None if it may.

    Allowed: http(s) and the deep-link schemes; relative links (`/retos/7`, `#arriba`) when
    `relative`; `mailto:`, `tel:` and `sms:` when `contact` (email HTML).
    """
    if url.startswith(("https://", "http://")):  # the common case, decided without a regex
        return None
    scheme = link_scheme(url)
    if (not scheme and relative) or scheme in web_link_schemes():
        return None
    if contact and scheme in _CONTACT_SCHEMES:
        return None
    return SystemMessage(
        "render.link_not_web",
        url=cause_param(url),
        schemes=", ".join(f"{name}:" for name in sorted(web_link_schemes() - {"http", "https"})),
    )


def link_check(url: str, *, relative: bool = True, contact: bool = False) -> str:
    """`url`, or `LinkRefused` with the reason."""
    problem = link_refusal(url, relative=relative, contact=contact)
    if problem:
        raise LinkRefused(problem)
    return url


def slug_check(slug: str) -> str:
    if not _SLUG.fullmatch(slug):
        raise LinkRefused(SystemMessage("render.link_slug", slug=cause_param(slug)))
    return slug


class LinkBuilder(Protocol):
    """What a template's link helpers and the link rewriting need from the caller."""

    def track(self, url: str, label: str | None = None) -> str:
        """The tracked (click-redirect) URL for `url`; `label` names the link in reports."""
        ...

    def is_tracked(self, url: str) -> bool:
        """True if `url` is already a tracked URL (so it is not wrapped twice)."""
        ...

    def never_tracked(self, url: str) -> bool:
        """True for the URLs that are never click-tracked: unsubscribe, preferences, portal.
        (Asked per link: answering must not sign the tokens those URLs carry.)"""
        ...

    def learn(self, slug: str) -> str:
        """A tracked link to education item `slug` in the creator's language."""
        ...

    def preferences(self) -> str:
        """The creator's preference-center URL (never click-tracked)."""
        ...

    def unsubscribe(self) -> str:
        """The creator's one-click unsubscribe URL (never click-tracked)."""
        ...

    def portal(self) -> str:
        """A magic link into the creator's portal: inbox, learning, preferences (never
        click-tracked: it signs the creator in)."""
        ...


class PreviewLinks:
    """Plain, untracked URLs: for previews and for the trial render of a template on save."""

    def __init__(self, *, locale: str = "es-MX", base_url: str | None = None) -> None:
        self.locale = locale
        self.base_url = str(base_url or getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")

    def track(self, url: str, label: str | None = None) -> str:
        return url

    def is_tracked(self, url: str) -> bool:
        return False

    def never_tracked(self, url: str) -> bool:
        return url in (self.unsubscribe(), self.preferences(), self.portal())

    def learn(self, slug: str) -> str:
        query = urlencode({"lang": self.locale})
        return f"{self.base_url}/learn/{quote(str(slug), safe='')}/?{query}"

    def preferences(self) -> str:
        return f"{self.base_url}/me/preferences/"

    def unsubscribe(self) -> str:
        return f"{self.base_url}/u/preview/"

    def portal(self) -> str:
        return f"{self.base_url}/p/preview/"


def link_helpers(links: LinkBuilder) -> dict[str, Callable[..., str]]:
    """The helper functions a template calls, bound to one render's `links`."""

    def link(url: str, label: str | None = None) -> str:
        target = link_check(str(url).strip(), relative=False)
        return links.track(target, None if label is None else str(label))

    def learn(slug: str) -> str:
        return links.learn(slug_check(str(slug)))

    return {
        "link": link,
        "learn": learn,
        "preferences_url": links.preferences,
        "unsubscribe_url": links.unsubscribe,
        "portal_url": links.portal,
    }


class _Rewriter:
    """Decides, per URL, whether to track it."""

    def __init__(self, links: LinkBuilder) -> None:
        self.links = links

    def rewrite(self, url: str, label: str | None = None) -> str:
        lowered = url[:8].lower()
        if not (lowered.startswith("http://") or lowered.startswith("https://")):
            return url  # mailto:, tel:, sms:, #anchors, relative paths, app deep links
        if self.links.is_tracked(url) or self.links.never_tracked(url):
            return url
        return self.links.track(url, label)


_ANCHOR = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""(\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_NO_TRACK = re.compile(r"\sdata-no-track\b", re.IGNORECASE)


def html_links_track(markup: str, links: LinkBuilder) -> str:
    """Rewrite the `href` of every `<a>` in rendered HTML through `links.track()`.

    Skips mailto:/tel:/relative links, URLs `links.is_tracked()` recognises (those made by
    `link()` and `learn()`), the unsubscribe and preference-center URLs, and any `<a>` with a
    `data-no-track` attribute. Works on the rendered output: creator values are escaped there,
    so they cannot forge an `<a>` tag.
    """
    if "<a" not in markup and "<A" not in markup:
        return markup
    rewriter = _Rewriter(links)

    def anchor(match: re.Match[str]) -> str:
        tag = match.group(0)
        if _NO_TRACK.search(tag):
            return tag

        def href(found: re.Match[str]) -> str:
            quoted = found.group(2) if found.group(2) is not None else found.group(3)
            raw = quoted if quoted is not None else found.group(4)
            url = html.unescape(raw).strip()
            tracked = rewriter.rewrite(url)
            if tracked == url:
                return found.group(0)
            return f'{found.group(1)}"{html.escape(tracked, quote=True)}"'

        return _HREF.sub(href, tag, count=1)

    return _ANCHOR.sub(anchor, markup)


_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_LINK_ATTRIBUTE = re.compile(
    r"""(?<![\w-])(?:href|xlink:href|action|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
    re.IGNORECASE,
)


def html_link_values(markup: str) -> list[tuple[int, str]]:
    """(offset, raw value) of every link attribute (href, xlink:href, action, formaction) of
    every tag in `markup`, in order."""
    found = []
    for tag in _TAG.finditer(markup):
        for attribute in _LINK_ATTRIBUTE.finditer(tag.group(0)):
            raw = next(group for group in attribute.groups() if group is not None)
            found.append((tag.start() + attribute.start(), raw))
    return found


def html_links_refusal(markup: str) -> tuple[int, SystemMessage] | None:
    """(index among `html_link_values`, why) of the first link of rendered HTML that is not a
    web, app, contact or relative link (`<a href="javascript:…">`), or None."""
    for index, (_offset, raw) in enumerate(html_link_values(markup)):
        problem = link_refusal(html.unescape(raw).strip(), contact=True)
        if problem:
            return index, problem
    return None


def html_links_check(markup: str) -> str:
    refused = html_links_refusal(markup)
    if refused:
        raise LinkRefused(refused[1])
    return markup


_BARE_URL = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
_TRAILING = ".,;:!?'\"»"


def _split_trailing(url: str) -> tuple[str, str]:
    """Separate punctuation that ends the sentence, not the URL ("see https://x.mx/a).")."""
    end = len(url)
    while end > 0:
        char = url[end - 1]
        if char in _TRAILING:
            end -= 1
        elif char == ")" and url[:end].count("(") < url[:end].count(")"):
            end -= 1
        else:
            break
    return url[:end], url[end:]


def text_links_track(text: str, links: LinkBuilder) -> str:
    """Rewrite every bare http(s) URL in plain text through `links.track()` (same skips)."""
    if "://" not in text:
        return text
    rewriter = _Rewriter(links)

    def bare(match: re.Match[str]) -> str:
        url, trailing = _split_trailing(match.group(0))
        return rewriter.rewrite(url) + trailing

    return _BARE_URL.sub(bare, text)


def url_track(url: str, links: LinkBuilder) -> str:
    """Track a whole-URL field (push `link`, inbox `cta_link`) if it is an http(s) URL."""
    return _Rewriter(links).rewrite(url.strip())


# --- A rendered field's links (used by the renderer and the save check) ---------------------


class HtmlLinkRefused(LinkRefused):
    """A link attribute of rendered HTML that is not a web link; `index` counts the link
    attributes of the rendered HTML before it (to find its line in the template)."""

    def __init__(self, index: int, problem: SystemMessage) -> None:
        super().__init__(problem)
        self.index = index


def field_postprocess(kind: FieldKind, rendered: str, links: LinkBuilder) -> str:
    """Refuse a field's links that are not web links (`LinkRefused`), then route them through
    tracking, as its kind requires."""
    if kind is FieldKind.HTML:
        refused = html_links_refusal(rendered)
        if refused:
            raise HtmlLinkRefused(*refused)
        return html_links_track(rendered, links)
    if kind is FieldKind.TEXT:
        return text_links_track(rendered, links)
    if kind is FieldKind.URL:
        return url_track(link_check(rendered.strip()), links)
    if kind is FieldKind.IMAGE:
        return link_check(rendered.strip())
    return rendered


def link_refused_line(error: LinkRefused, link_lines: list[int]) -> int:
    """The template line of a link refused in a field's rendered text: the line of the same
    link attribute in the template's source when the counts allow, else 1."""
    if isinstance(error, HtmlLinkRefused) and error.index < len(link_lines):
        return link_lines[error.index]
    return 1
