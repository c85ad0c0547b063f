"""Roles are auth groups with a fixed set of permissions, kept in step by `roles_sync`.

- admin: everything.
- manager: everything an editor does, plus importing creators, program metrics and
  playbooks, launching, pausing, cancelling and approving campaigns, overriding a program's
  materials checklist with a written reason, and accepting or rejecting proposals.
- editor: drafts segments, campaigns and their messages, playbooks and proposals; replies
  to creators' WhatsApp conversations; reads creators and dashboards.
- analyst: reads creators, segments, campaigns, conversations and dashboards; changes nothing.
- agency: a content agency's people; only the agency portal (their own briefs and
  deliverables, scoped by `agencies.selectors`), nothing else in the app.

Views check permissions, never group names, so a forbidden request is a 403 whatever the
page shows.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    EDITOR = "editor"
    ANALYST = "analyst"
    AGENCY = "agency"


# What each role is called on the pages, and the ops roles from most to least powerful (the
# Team page offers these; `agency` is given by inviting someone from an agency's page).
ROLE_LABELS: dict[str, Promise] = {
    Role.ADMIN: _("Admin"),
    Role.MANAGER: _("Manager"),
    Role.EDITOR: _("Editor"),
    Role.ANALYST: _("Analyst"),
    Role.AGENCY: _("Agency member"),
}
OPS_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.MANAGER, Role.EDITOR, Role.ANALYST)
MANAGE_PEOPLE = "accounts.manage_people"


_READ = [
    "creators.view_creator",
    "segments.view_segment",
    "campaigns.view_campaign",
    "campaigns.view_message",
    "campaigns.view_delivery",
    "education.view_contentitem",
    "education.view_learningpath",
    "programs.view_program",
    "agencies.view_agency",
    "agencies.view_brief",
    "agencies.view_deliverable",
    "markets.view_playbook",
    "markets.view_proposal",
    "conversations.view_conversation",
    "conversations.view_cannedanswer",
]
_DRAFT = [
    "segments.add_segment",
    "segments.change_segment",
    "campaigns.add_campaign",
    "campaigns.change_campaign",
    "campaigns.add_message",
    "campaigns.change_message",
    "education.add_contentitem",
    "education.change_contentitem",
    "education.add_learningpath",
    "education.change_learningpath",
    "programs.add_program",
    "programs.change_program",
    "agencies.add_brief",
    "agencies.change_brief",
    "agencies.add_deliverable",
    "agencies.review_deliverable",
    "markets.add_playbook",
    "markets.change_playbook",
    "markets.add_proposal",
    "markets.change_proposal",
    # Reply to creators on WhatsApp, assign, close, tag (docs/conversations.md).
    "conversations.change_conversation",
]
_RUN = [
    "creators.add_creator",
    "creators.change_creator",
    # Post events (POST /api/events) for the integrations that report what creators did.
    "events.add_event",
    "segments.delete_segment",
    "campaigns.launch_campaign",
    "campaigns.approve_campaign",
    "audit.view_auditentry",
    "programs.import_metrics",
    "programs.override_readiness",
    "agencies.add_agency",
    "agencies.change_agency",
    "markets.import_playbooks",
    "markets.decide_proposal",
    "conversations.add_cannedanswer",
    "conversations.change_cannedanswer",
    "conversations.delete_cannedanswer",
]

ROLE_PERMISSIONS: dict[Role, list[str] | None] = {
    Role.ADMIN: None,  # every permission
    Role.MANAGER: _READ + _DRAFT + _RUN,
    Role.EDITOR: _READ + _DRAFT,
    Role.ANALYST: _READ,
    Role.AGENCY: ["agencies.use_portal"],
}


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the role groups and set their permissions exactly; returns permissions per role."""
    counts = {}
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        permissions = list(Permission.objects.all()) if names is None else _permissions(names)
        group.permissions.set(permissions)
        counts[role.value] = len(permissions)
    return counts


def user_roles(user) -> list[str]:
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return [Role.ADMIN.value]
    return list(user.groups.values_list("name", flat=True))


def user_role(user) -> str:
    """The user's one role: `admin` for a superuser, else their most powerful role group
    (ops roles first, then `agency`), or "" for none."""
    if user.is_superuser:
        return Role.ADMIN.value
    names = {group.name for group in user.groups.all()}
    return next((role.value for role in (*OPS_ROLES, Role.AGENCY) if role.value in names), "")
