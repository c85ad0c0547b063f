"""The ops navigation: one list, grouped by job, rendered by templates/base.html.

To add a page, add one `NavItem` to its group below (docs/shell.md). An item shows when the
user has its `perm` (and lacks `unless_perm`); it is the current page when the request path
starts with its URL or one of its `also`, the longest match winning, so /programs/calendar/
lights "Calendar", not "Programs".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    perm: str = ""
    unless_perm: str = ""
    staff_only: bool = False
    badge: str = ""  # name of a context variable holding an unread count
    badge_label: Promise | None = None  # ngettext_lazy(..., "n"): what the badge counts
    item_id: str = ""  # a stable id for the link (tests, badges)
    also: tuple[str, ...] = ()  # other path prefixes that belong to this page


@dataclass(frozen=True)
class NavGroup:
    label: Promise
    items: tuple[NavItem, ...]


NAVIGATION: tuple[NavGroup, ...] = (
    NavGroup(_("Overview"), (NavItem(_("Home"), "home"),)),
    NavGroup(
        _("Audience"),
        (
            NavItem(_("Creators"), "creator-list", perm="creators.view_creator"),
            NavItem(_("Segments"), "segment-list", perm="segments.view_segment"),
            NavItem(_("Imports"), "creator-import-list", perm="creators.add_creator"),
        ),
    ),
    NavGroup(
        _("Messaging"),
        (
            NavItem(_("Campaigns"), "campaign-list", perm="campaigns.view_campaign"),
            NavItem(
                _("Snippets"),
                "snippet-list",
                perm="campaigns.view_campaign",
                item_id="snippets-link",
            ),
            NavItem(
                _("Conversations"),
                "conversation-inbox",
                perm="conversations.view_conversation",
                badge="conversations_unread",
                badge_label=ngettext_lazy(
                    "%(n)s conversation with unread messages",
                    "%(n)s conversations with unread messages",
                    "n",
                ),
                item_id="conversations-link",
            ),
        ),
    ),
    NavGroup(
        _("Programs"),
        (
            NavItem(_("Programs"), "program-list", perm="programs.view_program"),
            NavItem(_("Calendar"), "program-calendar", perm="programs.view_program"),
            NavItem(_("Education"), "education-list", perm="education.view_contentitem"),
        ),
    ),
    NavGroup(
        _("Partners"),
        (
            NavItem(_("Agencies"), "agency-tracking", perm="agencies.view_deliverable"),
            NavItem(_("Agency teams"), "agency-list", perm="agencies.change_agency"),
            NavItem(
                _("My briefs"),
                "agency-home",
                perm="agencies.use_portal",
                unless_perm="agencies.view_deliverable",
            ),
            NavItem(_("Markets"), "playbook-list", perm="markets.view_playbook"),
        ),
    ),
    NavGroup(
        _("Insights"),
        (
            NavItem(_("Stats"), "stats-campaigns", perm="campaigns.view_campaign"),
            NavItem(_("Audit log"), "audit-log", perm="audit.view_auditentry"),
            NavItem(_("Program-wide holdout"), "program-holdout", perm="programs.view_program"),
            NavItem(_("Metric health"), "metric-health", perm="programs.view_program"),
            NavItem(_("Health"), "health", perm="campaigns.view_campaign"),
        ),
    ),
    NavGroup(
        _("Settings"),
        (
            NavItem(_("Team"), "team", perm="accounts.manage_people"),
            NavItem(_("Admin"), "admin:index", staff_only=True),
        ),
    ),
)


@dataclass
class NavLink:
    label: Promise
    url: str
    current: bool = False
    badge: int = 0
    badge_label: str = ""
    item_id: str = ""
    prefixes: tuple[str, ...] = field(default=(), repr=False)


@dataclass
class NavSection:
    label: Promise
    links: list[NavLink]


def _visible(item: NavItem, user) -> bool:
    if item.staff_only and not user.is_staff:
        return False
    if item.perm and not user.has_perm(item.perm):
        return False
    return not (item.unless_perm and user.has_perm(item.unless_perm))


def navigation_for(*, user, path: str, counts: dict[str, int]) -> list[NavSection]:
    """The groups and links this user may open, with the current page marked."""
    sections = []
    for group in NAVIGATION:
        links = []
        for item in group.items:
            if not _visible(item, user):
                continue
            url = reverse(item.url_name)
            badge = counts.get(item.badge, 0) if item.badge else 0
            links.append(
                NavLink(
                    label=item.label,
                    url=url,
                    badge=badge,
                    badge_label=str(item.badge_label % {"n": badge}) if item.badge_label else "",
                    item_id=item.item_id,
                    prefixes=(url, *item.also),
                )
            )
        if links:
            sections.append(NavSection(label=group.label, links=links))
    best: NavLink | None = None
    best_length = 0
    for link in (link for section in sections for link in section.links):
        for prefix in link.prefixes:
            matches = path == prefix if prefix == "/" else path.startswith(prefix)
            if matches and len(prefix) > best_length:
                best, best_length = link, len(prefix)
    if best is not None:
        best.current = True
    return sections


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: `navigation`, the sections of the signed-in user's menu, and the
    unread counts its badges show (`conversations_unread`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from conversations.context_processors import conversations_unread

    counts = conversations_unread(request)  # the badges, counted once for the whole page
    return {**counts, "navigation": navigation_for(user=user, path=request.path, counts=counts)}
