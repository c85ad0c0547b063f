"""The ops pages for segments: the list, the visual rule builder with its live preview, and a
segment's own page. Each view parses the request, calls one service or selectors, responds."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest
from creators.forms import CreatorSelectionForm
from segments import selectors, services
from segments.exceptions import SegmentListNothingMatched, SegmentNameInvalid, SegmentRulesInvalid
from segments.forms import AddToListForm, SegmentBuilderForm, SegmentListForm
from segments.labels import (
    builder_behaviours,
    builder_fields,
    field_label,
    field_value_text,
    rules_describe,
)
from segments.models import Segment

LIST_PAGE_SIZE = 25
PREVIEW_SAMPLE_SIZE = 10


def _builder_strings() -> dict[str, str]:
    """Every word the builder's script shows, translated here (the script has no catalogue)."""
    return {
        "match": _("Match"),
        "all": _("all (every rule matches)"),
        "any": _("any (at least one rule matches)"),
        "not": _("not (no rule matches)"),
        "field": _("Field"),
        "operator": _("Operator"),
        "value": _("Value"),
        "from": _("From"),
        "to": _("To"),
        "yes": _("yes"),
        "no": _("no"),
        "days": _("days"),
        "campaign": _("Campaign (id)"),
        "listHint": _("separate values with commas"),
        "addRule": _("Add rule"),
        "addGroup": _("Add group"),
        "remove": _("Remove"),
        "group": _("Group"),
        "rule": _("Rule"),
        "empty": _("No rules yet: everyone matches."),
        "fields": _("Creator fields"),
        "behaviours": _("What the creator did"),
        "unset": _("(none)"),
        "propsHint": _('JSON, e.g. {"field": "amount", "op": "gte", "value": 100}'),
    }


def _builder_response(
    request: HttpRequest, form: SegmentBuilderForm, segment: Segment | None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "segment": segment,
        "builder_fields": builder_fields(),
        "builder_behaviours": builder_behaviours(),
        "builder_strings": _builder_strings(),
    }
    return render(request, "segments/segment_builder.html", context, status=status)


def _add_service_error(form: SegmentBuilderForm, error: AltavozError) -> None:
    if isinstance(error, SegmentRulesInvalid):
        form.add_error("rules", str(error))
    elif isinstance(error, SegmentNameInvalid):
        form.add_error("name", str(error))
    else:
        form.add_error(None, str(error))


def _preview_context(preview: selectors.SegmentPreview) -> dict[str, Any]:
    """The preview, with the columns its rules test shown beside the sample, in words."""
    for row in preview.sample:
        row["field_texts"] = [field_value_text(name, row.get(name)) for name in preview.fields]
    return {
        "preview": preview,
        "field_columns": [(name, field_label(name)) for name in preview.fields],
    }


@login_required
@permission_required("segments.view_segment", raise_exception=True)
def segment_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.segment_list(), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(segment, selectors.segment_count_cached(segment=segment)) for segment in page]
    return render(request, "segments/segment_list.html", {"page": page, "rows": rows})


@login_required
@permission_required("segments.add_segment", raise_exception=True)
def segment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _builder_response(request, SegmentBuilderForm(), None)
    form = SegmentBuilderForm(request.POST)
    if not form.is_valid():
        return _builder_response(request, form, None, status=400)
    data = form.cleaned_data
    create = (
        services.segment_snapshot_create
        if data["kind"] == Segment.Kind.STATIC
        else services.segment_create
    )
    try:
        segment = create(
            name=data["name"],
            rules=data["rules"],
            description=data["description"],
            created_by=request.user,
        )
    except AltavozError as error:
        _add_service_error(form, error)
        return _builder_response(request, form, None, status=400)
    messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
    return redirect(segment)


@login_required
@permission_required("segments.change_segment", raise_exception=True)
def segment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    if request.method != "POST":
        return _builder_response(request, SegmentBuilderForm(segment=segment), segment)
    form = SegmentBuilderForm(request.POST, segment=segment)
    if not form.is_valid():
        return _builder_response(request, form, segment, status=400)
    try:
        services.segment_update(
            segment=segment,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            rules=form.cleaned_data.get("rules"),
            actor=request.user,
        )
    except AltavozError as error:
        _add_service_error(form, error)
        segment.refresh_from_db()
        return _builder_response(request, form, segment, status=400)
    messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
    return redirect(segment)


@login_required
@permission_required("segments.change_segment", raise_exception=True)
@require_POST
def segment_preview(request: HttpRequest) -> HttpResponse:
    """The builder's live count and sample for the posted (unsaved) rule tree, as a partial."""
    context: dict[str, Any] = {}
    try:
        rules = json.loads(request.POST.get("rules", ""))
        draft = Segment(kind=Segment.Kind.DYNAMIC, rules=rules)
        preview = selectors.segment_preview(
            segment=draft, sample_size=PREVIEW_SAMPLE_SIZE, reachable=True
        )
        context.update(_preview_context(preview))
    except ValueError as error:
        context["error"] = _("The rules are not valid JSON: %(error)s") % {"error": error}
    except SegmentRulesInvalid as error:
        context["error"], context["error_path"] = str(error), error.path
    return render(request, "segments/_preview.html", context)


@login_required
@permission_required("segments.view_segment", raise_exception=True)
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("created_by"), pk=pk)
    context: dict[str, Any] = {
        "segment": segment,
        "campaigns": selectors.segment_campaigns(segment=segment),
    }
    try:
        if segment.kind == Segment.Kind.DYNAMIC:
            context["rules_text"] = rules_describe(segment.rules)
            context["rules_json"] = json.dumps(segment.rules, indent=2, ensure_ascii=False)
        # The reach per channel reads every creator of the segment: it loads after the page.
        preview = selectors.segment_preview(
            segment=segment, sample_size=PREVIEW_SAMPLE_SIZE, with_fields=True
        )
        context.update(_preview_context(preview))
        context["reach_url"] = reverse("segment-reach", args=[segment.pk])
    except SegmentRulesInvalid as error:  # rules saved before a field was removed
        context["error"] = str(error)
    return render(request, "segments/segment_detail.html", context)


@require_GET
@login_required
@permission_required("segments.view_segment", raise_exception=True)
def segment_reach(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: a saved segment's reachable creators per channel (cached briefly)."""
    segment = get_object_or_404(Segment, pk=pk)
    try:
        reachable = selectors.segment_reachable_cached(segment)
    except SegmentRulesInvalid as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return render(request, "segments/_reachable_table.html", {"reachable": reachable})


@login_required
@permission_required("segments.add_segment", raise_exception=True)
def segment_list_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A static list from pasted or uploaded handles; unknown ones are listed by line."""
    if request.method != "POST":
        return render(request, "segments/list_new.html", {"form": SegmentListForm()})
    form = SegmentListForm(request.POST, request.FILES)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        try:
            context["created"] = services.segment_list_create(
                name=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
                description=form.cleaned_data["description"],
                created_by=request.user,
            )
        except SegmentListNothingMatched as error:
            form.add_error("handles", str(error))
            context["unknown"] = error.unknown
        except AltavozError as error:
            _add_list_error(form, error)
        else:
            context["unknown"] = context["created"].unknown
            return render(request, "segments/list_new.html", context)
    return render(request, "segments/list_new.html", context, status=400)


def _add_list_error(form: SegmentListForm, error: AltavozError) -> None:
    form.add_error("name" if isinstance(error, SegmentNameInvalid) else "handles", str(error))


@require_POST
@login_required
@permission_required("segments.add_segment", raise_exception=True)
def segment_add_creators(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The creators list's bulk "add to a list": the selection goes onto an existing static
    list, or a new one."""
    selection = CreatorSelectionForm(request.POST)
    target = AddToListForm(request.POST)
    if not selection.is_valid() or not target.is_valid():
        errors = [*selection.non_field_errors(), *target.non_field_errors()]
        errors += [error for field in target.errors.values() for error in field]
        return render(
            request,
            "creators/bulk_refused.html",
            {"errors": list(dict.fromkeys(map(str, errors)))},
            status=400,
        )
    segment = target.cleaned_data["list_segment"]
    try:
        if selection.is_large():
            segment = services.segment_members_add_later(
                segment=segment,
                name=target.cleaned_data["list_name"],
                selection=selection.for_task(),
                actor=request.user,
                audit=selection.audit_detail(),
            )
            messages.success(
                request,
                _(
                    "Adding every matching creator to “%(name)s” in the background: the "
                    "audit log records it when done."
                )
                % {"name": segment.name},
            )
            return redirect(segment)
        if segment is None:
            segment, added = services.segment_list_from_creators(
                name=target.cleaned_data["list_name"],
                creators=selection.selected(),
                actor=request.user,
                selection=selection.audit_detail(),
            )
        else:
            added = services.segment_members_add(
                segment=segment,
                creators=selection.selected(),
                actor=request.user,
                selection=selection.audit_detail(),
            )
    except AltavozError as error:
        return render(request, "creators/bulk_refused.html", {"errors": [str(error)]}, status=400)
    messages.success(
        request,
        ngettext(
            "Added %(count)s creator to “%(name)s”.",
            "Added %(count)s creators to “%(name)s”.",
            added,
        )
        % {"count": intcomma(added), "name": segment.name},
    )
    return redirect(segment)


def bulk_add_to_list_section(request: HttpRequest, subject: Any) -> str:
    """The creators list's bulk bar: "add to a list" (segments sits above creators)."""
    if not request.user.has_perm("segments.add_segment"):
        return ""
    return render_to_string(
        "segments/_bulk_add_to_list.html", {"form": AddToListForm()}, request=request
    )
