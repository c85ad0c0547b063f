"""Where an audit row's object lives now: a link for each row whose object still exists.

A model with `get_absolute_url` links there by itself; other objects are named here by
model label and URL name (strings only: audit imports no app above it), with the permission
the viewer needs for the link to be worth showing. `audit_links_register` adds one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, reverse

from audit.models import AuditEntry


@dataclass(frozen=True)
class AuditLink:
    model: str  # "app_label.ModelName"
    url_name: str = ""  # reversed with the object's pk; "" to use get_absolute_url
    perm: str = ""  # the viewer needs it for the link to show
    anchor: str = ""  # a fragment with the pk, for a row on a list page ("user-{pk}")


LINKS: dict[str, AuditLink] = {
    "campaign": AuditLink("campaigns.Campaign"),
    "segment": AuditLink("segments.Segment"),
    "creator": AuditLink("creators.Creator"),
    "import": AuditLink("creators.ImportJob"),
    "program": AuditLink("programs.Program"),
    "playbook": AuditLink("markets.Playbook"),
    "proposal": AuditLink("markets.Proposal"),
    "contentitem": AuditLink("education.ContentItem"),
    "learningpath": AuditLink("education.LearningPath"),
    "conversation": AuditLink("conversations.Conversation", "conversation-detail"),
    "brief": AuditLink("agencies.Brief", "brief-detail"),
    "deliverable": AuditLink("agencies.Deliverable", "deliverable-detail"),
    "agency": AuditLink("agencies.Agency", "agency-detail", perm="agencies.change_agency"),
    "user": AuditLink("auth.User", "team", perm="accounts.manage_people", anchor="user-{pk}"),
}


def audit_links_register(target_type: str, link: AuditLink) -> None:
    LINKS[target_type] = link


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _url(link: AuditLink, obj: models.Model) -> str:
    if not link.url_name:
        return obj.get_absolute_url()  # type: ignore[attr-defined]
    if link.anchor:
        return reverse(link.url_name) + "#" + link.anchor.format(pk=obj.pk)
    return reverse(link.url_name, args=[obj.pk])


def audit_links(entries: Iterable[AuditEntry], *, user) -> dict[int, str]:
    """{entry id: URL of its object} for the entries whose object still exists (one query
    per object type)."""
    wanted: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        if entry.target_type in LINKS and entry.target_id.isdigit():
            wanted[entry.target_type][int(entry.target_id)].append(entry.pk)
    found: dict[int, str] = {}
    for target_type, by_pk in wanted.items():
        link = LINKS[target_type]
        model = _model(link.model)
        if model is None or (link.perm and not user.has_perm(link.perm)):
            continue
        if not link.url_name and not hasattr(model, "get_absolute_url"):
            continue
        for obj in model._default_manager.filter(pk__in=[pk for pk in by_pk if pk < 2**63]):
            try:
                url = _url(link, obj)
            except NoReverseMatch:
                continue
            for entry_id in by_pk[obj.pk]:
                found[entry_id] = url
    return found
