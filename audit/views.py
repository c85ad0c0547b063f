from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from audit.presenters import audit_row
from audit.selectors import audit_entries

TARGET_TYPES = [
    ("campaign", _("Campaign")),
    ("segment", _("Segment")),
    ("creator", _("Creator")),
    ("import", _("Import")),
]


@login_required
@permission_required("audit.view_auditentry", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = audit_entries(
        target_type=request.GET.get("type", ""),
        target_id=request.GET.get("id", ""),
        action=request.GET.get("action", ""),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [audit_row(entry) for entry in page],
        "filters": request.GET,
        "types": TARGET_TYPES,
    }
    return render(request, "audit/log.html", context)
