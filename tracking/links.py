"""The LinkBuilder dispatch renders with: every link becomes a signed click-redirect URL.

UTM parameters (source altavoz, medium = channel, campaign = campaign id) are added to the
destination before it is stored, so analytics downstream see where a visit came from.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.conf import settings

from tracking.models import TrackedLink, url_digest
from tracking.tokens import (
    click_token_make,
    open_token_make,
    portal_token_make,
    push_token_make,
    unsubscribe_token_make,
)


@functools.lru_cache(maxsize=4096)
def utm_add(url: str, *, channel: str, campaign_id: int) -> str:
    """`url` with the UTM parameters added (cached: a campaign's thousands of messages carry
    the same few links)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("utm_source", "altavoz")
    query.setdefault("utm_medium", channel)
    query.setdefault("utm_campaign", f"campaign-{campaign_id}")
    return urlunsplit(parts._replace(query=urlencode(query)))


def tracked_link_id(url: str, label: str = "", *, cache: dict[str, int] | None = None) -> int:
    """The id of the stored link for `url`, storing it the first time it is seen.

    `cache` (one per dispatcher) saves the lookup for the thousands of deliveries of a batch
    that carry the same links."""
    if cache is not None and url in cache:
        return cache[url]
    link, _created = TrackedLink.objects.get_or_create(
        digest=url_digest(url), defaults={"url": url, "label": label[:120]}
    )
    if cache is not None:
        cache[url] = link.pk
    return link.pk


class DeliveryLinks:
    def __init__(
        self,
        *,
        delivery_id: int,
        channel: str,
        locale: str,
        campaign_id: int,
        link_cache: dict[str, int] | None = None,
    ) -> None:
        self.delivery_id, self.channel, self.locale, self.campaign_id = (
            delivery_id,
            channel,
            locale,
            campaign_id,
        )
        self.base_url = settings.PUBLIC_BASE_URL
        self.link_cache = link_cache
        self._portal_token = ""

    def portal_token(self) -> str:
        """One timestamped token per render, so every use of it in a message is the same URL."""
        if not self._portal_token:
            self._portal_token = portal_token_make(delivery_id=self.delivery_id)
        return self._portal_token

    def track(self, url: str, label: str | None = None) -> str:
        if not url.startswith(("http://", "https://")) or self.is_tracked(url):
            return url
        destination = utm_add(url, channel=self.channel, campaign_id=self.campaign_id)
        token = click_token_make(
            delivery_id=self.delivery_id,
            link_id=tracked_link_id(destination, label or "", cache=self.link_cache),
        )
        return f"{self.base_url}/t/c/{token}"

    def is_tracked(self, url: str) -> bool:
        return url.startswith(f"{self.base_url}/t/") or url.startswith(f"{self.base_url}/u/")

    def never_tracked(self, url: str) -> bool:
        # By path, not by comparing with this delivery's own URLs: those carry signed tokens,
        # and signing three of them per message only to compare cost more than the render.
        base = self.base_url
        return url.startswith((f"{base}/u/", f"{base}/me/preferences/", f"{base}/p/"))

    def learn(self, slug: str) -> str:
        return self.track(
            f"{self.base_url}/learn/{quote(slug, safe='')}/?{urlencode({'lang': self.locale})}"
        )

    def preferences(self) -> str:
        return f"{self.base_url}/me/preferences/{self.portal_token()}/"

    def portal(self) -> str:
        return f"{self.base_url}/p/{self.portal_token()}/"

    def unsubscribe(self) -> str:
        return f"{self.base_url}/u/{unsubscribe_token_make(delivery_id=self.delivery_id)}/"

    def unsubscribe_one_click(self) -> str:
        return self.unsubscribe()

    def open_pixel(self) -> str:
        return f"{self.base_url}/t/o/{open_token_make(delivery_id=self.delivery_id)}.gif"

    def push_token(self) -> str:
        return push_token_make(delivery_id=self.delivery_id)

    def status_callback(self) -> str:
        if self.channel != "whatsapp":
            return ""
        return f"{self.base_url}/hooks/twilio/status?d={self.delivery_id}"


def delivery_links(
    *,
    delivery_id: int,
    channel: str,
    locale: str,
    campaign_id: int,
    link_cache: dict[str, int] | None = None,
) -> DeliveryLinks:
    return DeliveryLinks(
        delivery_id=delivery_id,
        channel=channel,
        locale=locale,
        campaign_id=campaign_id,
        link_cache=link_cache,
    )


def content_tracking_add(content: dict, *, channel: str, links: DeliveryLinks) -> dict:
    """The tracking a rendered message carries besides its links: the open pixel at the end
    of an email's HTML body, the push-open token in a push's data payload."""
    if channel == "email" and content.get("html"):
        pixel = (
            f'<img src="{links.open_pixel()}" width="1" height="1" alt="" '
            'style="display:block;width:1px;height:1px;border:0" />'
        )
        html = content["html"]
        position = html.lower().rfind("</body>")
        content["html"] = (
            f"{html[:position]}{pixel}{html[position:]}" if position >= 0 else f"{html}{pixel}"
        )
    elif channel == "push":
        content["tracking_token"] = links.push_token()
    return content
