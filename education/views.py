"""Ops pages for the education library: items, paths and the analytics page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import AltavozError
from common.sections import page_sections_render
from creators.models import Locale
from education import analytics, services
from education.forms import ContentItemForm, ContentVersionForm, LearningPathForm
from education.models import ContentItem, LearningPath


@login_required
@permission_required("education.view_contentitem", raise_exception=True)
def item_list(request: HttpRequest) -> HttpResponse:
    items = ContentItem.objects.prefetch_related("versions").order_by("status", "level", "slug")
    status = request.GET.get("status", "")
    if status in ContentItem.Status.values:
        items = items.filter(status=status)
    paths = LearningPath.objects.prefetch_related("steps").order_by("level", "slug")
    return render(
        request,
        "education/item_list.html",
        {"items": items, "paths": paths, "status": status, "statuses": ContentItem.Status.choices},
    )


def _version_forms(request: HttpRequest, item: ContentItem | None) -> dict[str, ContentVersionForm]:
    existing = {v.locale: v for v in item.versions.all()} if item else {}
    return {
        locale: ContentVersionForm(
            request.POST or None, instance=existing.get(locale), prefix=locale.replace("-", "_")
        )
        for locale in Locale.values
    }


def _item_edit(request: HttpRequest, item: ContentItem | None) -> HttpResponse:
    form = ContentItemForm(request.POST or None, instance=item)
    versions = _version_forms(request, item)
    if (
        request.method == "POST"
        and form.is_valid()
        and all(v.is_valid() for v in versions.values())
    ):
        with transaction.atomic():
            saved = form.save(commit=False)
            if saved.owner_id is None:
                saved.owner = request.user
            saved.save()
            for locale, version in versions.items():
                if version.has_content():
                    services.content_version_save(item=saved, locale=locale, **version.cleaned_data)
        messages.success(request, _("Content item saved."))
        return redirect(saved)
    return render(
        request,
        "education/item_edit.html",
        {
            "form": form,
            "item": item,
            "versions": [(Locale(locale).label, v) for locale, v in versions.items()],
            # (status, its label): the buttons say "Move to “In review”", never the code
            "transitions": [
                (status, ContentItem.Status(status).label)
                for status in sorted(services.TRANSITIONS.get(item.status, ()))
            ]
            if item
            else [],
            "sections": page_sections_render(page="education_item", request=request, subject=item)
            if item
            else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("education.add_contentitem", raise_exception=True)
def item_create(request: HttpRequest) -> HttpResponse:
    return _item_edit(request, None)


@login_required
@permission_required("education.view_contentitem", raise_exception=True)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ContentItem, pk=pk)
    if request.method == "POST" and not request.user.has_perm("education.change_contentitem"):
        return HttpResponse(status=403)
    return _item_edit(request, item)


@require_POST
@login_required
@permission_required("education.change_contentitem", raise_exception=True)
def item_transition(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ContentItem, pk=pk)
    status = request.POST.get("status", "")
    if status not in ContentItem.Status.values:
        return HttpResponse(status=400)
    try:
        services.content_item_transition(item=item, status=status)
    except AltavozError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Status changed."))
    return redirect(item)


def _path_edit(request: HttpRequest, path: LearningPath | None) -> HttpResponse:
    initial = (
        {"item_slugs": "\n".join(s.item.slug for s in path.steps.select_related("item"))}
        if path
        else {}
    )
    form = LearningPathForm(request.POST or None, instance=path, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            services.learning_path_items_set(path=saved, items=form.cleaned_data["item_slugs"])
        messages.success(request, _("Learning path saved."))
        return redirect(saved)
    return render(
        request,
        "education/path_edit.html",
        {
            "form": form,
            "path": path,
            "sections": page_sections_render(page="education_path", request=request, subject=path)
            if path
            else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("education.add_learningpath", raise_exception=True)
def path_create(request: HttpRequest) -> HttpResponse:
    return _path_edit(request, None)


@login_required
@permission_required("education.view_learningpath", raise_exception=True)
def path_edit(request: HttpRequest, pk: int) -> HttpResponse:
    path = get_object_or_404(LearningPath, pk=pk)
    if request.method == "POST" and not request.user.has_perm("education.change_learningpath"):
        return HttpResponse(status=403)
    return _path_edit(request, path)


@login_required
@permission_required("education.view_contentitem", raise_exception=True)
def education_analytics(request: HttpRequest) -> HttpResponse:
    report = analytics.education_analytics_get(
        campaign_id=_int_or_none(request.GET.get("campaign")),
        channel=request.GET.get("channel", ""),
        level=_int_or_none(request.GET.get("level")),
    )
    return render(request, "education/analytics.html", {"report": report, "filters": request.GET})


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
