"""The snippet library: reusable blocks per language (legal footer, mission rules, prize
table) that any template uses as `{{ snippet('reglas-mision') }}` (docs/templates.md#snippets).

A snippet's body is a sandboxed template, checked when saved as strictly as a message (as
email HTML and as plain text, since it may be used in either), except that it cannot call
other snippets. Templates that call a snippet are checked against the library when saved.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns.exceptions import SnippetInvalid, TemplateInvalid
from campaigns.models import Snippet
from campaigns.rendering import template_check

# (channel, field) a snippet's body is checked as: HTML (escaped values, link rules) and text.
CHECKED_AS = (("email", "html"), ("push", "body"))


def snippet_body_check(*, body: str) -> None:
    """Refuse (SnippetInvalid with the line) a body that would be refused in a message."""
    for channel, field in CHECKED_AS:
        try:
            template_check(body, field=field, channel=channel, snippets_allowed=False)
        except TemplateInvalid as error:
            raise SnippetInvalid(str(error), line=error.line) from error


def snippet_save(
    *,
    snippet: Snippet | None = None,
    slug: str,
    locale: str,
    body: str,
    description: str = "",
    actor: User | None,
) -> Snippet:
    """Create a snippet (`snippet` None) or change one; the body is checked first."""
    body = body.replace("\r\n", "\n")
    snippet_body_check(body=body)
    created = snippet is None
    target = snippet or Snippet()
    target.slug, target.locale, target.body = slug, locale, body
    target.description = description
    target.updated_at = timezone.now()
    target.updated_by = actor if isinstance(actor, User) and actor.is_authenticated else None
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as error:
        raise SnippetInvalid(
            _("There is already a snippet “%(slug)s” in this language.") % {"slug": slug},
            field="slug",
        ) from error
    audit_record(
        actor=actor, action="snippet.create" if created else "snippet.update", target=target
    )
    return target


def snippets_list() -> QuerySet[Snippet]:
    return Snippet.objects.select_related("updated_by").order_by("slug", "locale")
