"""Ops pages for the snippet library: list, create, edit (docs/templates.md#snippets)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.exceptions import SnippetInvalid
from campaigns.forms import SnippetForm
from campaigns.models import Snippet
from campaigns.snippets import snippet_save, snippets_list
from campaigns.views import CHANGE, VIEW, permission_needed
from common.http import AuthenticatedHttpRequest


@require_GET
@permission_needed(VIEW)
def snippet_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/snippet_list.html", {"snippets": snippets_list()})


def _form_page(
    request: AuthenticatedHttpRequest, form: SnippetForm, snippet: Snippet | None
) -> HttpResponse:
    if request.method != "POST":
        return render(request, "campaigns/snippet_form.html", {"form": form, "snippet": snippet})
    if not form.is_valid():
        return render(
            request, "campaigns/snippet_form.html", {"form": form, "snippet": snippet}, status=400
        )
    try:
        saved = snippet_save(snippet=snippet, actor=request.user, **form.cleaned_data)
    except SnippetInvalid as error:
        form.add_error(error.field, str(error))
        return render(
            request, "campaigns/snippet_form.html", {"form": form, "snippet": snippet}, status=400
        )
    messages.success(request, _("Snippet saved."))
    return redirect("snippet-edit", pk=saved.pk)


@require_http_methods(["GET", "POST"])
@permission_needed(CHANGE)
def snippet_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = {"slug": request.GET.get("slug", "")[:60], "locale": request.GET.get("locale", "")}
    return _form_page(request, SnippetForm(request.POST or None, initial=initial), None)


@require_http_methods(["GET", "POST"])
@permission_needed(CHANGE)
def snippet_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    snippet = get_object_or_404(Snippet, pk=pk)
    initial = {
        "slug": snippet.slug,
        "locale": snippet.locale,
        "description": snippet.description,
        "body": snippet.body,
    }
    return _form_page(request, SnippetForm(request.POST or None, initial=initial), snippet)
