"""The audit log: filter by person, dates and object; each row links to its object while it
exists; the filtered rows export as a streamed CSV in the viewer's language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.forms import SYSTEM, AuditFilterForm
from audit.links import audit_links
from audit.models import AuditEntry
from audit.presenters import audit_row
from audit.selectors import audit_entries
from common.csv import csv_writer

VIEW = "audit.view_auditentry"


def _filtered(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    data: dict[str, Any] = form.cleaned_data
    person = data.get("person") or ""
    return audit_entries(
        target_type=data.get("type") or "",
        target_id=data.get("id") or "",
        actor_id=int(person) if person.isdigit() else None,
        system=person == SYSTEM,
        action=data.get("action") or "",
        since=data.get("since"),
        until=data.get("until"),
    )


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "rows": [], "page": None, "query": ""}
        return render(request, "audit/log.html", context, status=400)
    page = Paginator(_filtered(form), 50).get_page(request.GET.get("page"))
    links = audit_links(page, user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(audit_row(entry), links.get(entry.pk, "")) for entry in page],
        "query": query.urlencode(),
    }
    return render(request, "audit/log.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(entries: QuerySet[AuditEntry], *, language: str) -> Iterator[str]:
    # The response streams after the view returns: keep the viewer's language for it.
    with translation.override(language):
        writer = csv_writer(_Echo())
        yield "\ufeff"  # so Excel opens it as UTF-8
        yield writer.writerow(
            [
                _("When"),
                _("Who"),
                _("Action"),
                _("Action code"),
                _("Object type"),
                _("Object id"),
                _("Object"),
                _("Detail"),
            ]
        )
        for entry in entries.iterator(chunk_size=2000):
            row = audit_row(entry)
            yield writer.writerow(
                [
                    timezone.localtime(entry.at).isoformat(timespec="seconds"),
                    row.actor,
                    row.action,
                    entry.action,
                    row.object_type,
                    entry.target_id,
                    entry.target_label,
                    "; ".join(f"{label}: {value}" for label, value in row.detail),
                ]
            )


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "rows": [], "page": None, "query": ""}
        return render(request, "audit/log.html", context, status=400)
    response = StreamingHttpResponse(
        _csv_lines(_filtered(form), language=translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
