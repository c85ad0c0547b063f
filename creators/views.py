from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest
from common.sections import page_sections_render
from creators import selectors, services
from creators.columns import CONTACT, HEADER, REQUIRED
from creators.export import creator_export_lines
from creators.forms import (
    ConsentChangeForm,
    CreatorEditForm,
    CreatorFilterForm,
    CreatorImportForm,
    CreatorSelectionForm,
    CreatorTagForm,
)
from creators.import_sample import import_sample_write
from creators.models import Creator


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@permission_required("creators.view_creator", raise_exception=True)
def creator_list(request: HttpRequest) -> HttpResponse:
    form = CreatorFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = selectors.creator_page(
            queryset=selectors.creator_search(**form.search_arguments()),
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            sort=form.cleaned_data["sort"],
        )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        # Controls that apps above add to the bulk bar ("add to a list": segments).
        "bulk_sections": page_sections_render(page="creator-bulk", request=request, subject=None),
    }
    # htmx swaps only the results (the form keeps focus and what is being typed).
    template = (
        "creators/_creator_results.html" if _is_htmx(request) else "creators/creator_list.html"
    )
    return render(request, template, context, status=200 if form.is_valid() else 400)


@login_required
@permission_required("creators.view_creator", raise_exception=True)
def creator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _creator_detail_render(request, selectors.creator_get(pk=pk))


def _creator_detail_render(
    request: HttpRequest,
    creator: Creator,
    *,
    consent_form: ConsentChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "creator": creator,
        "consent_history": selectors.creator_consent_history(creator=creator).select_related(
            "changed_by"
        )[:200],
        "devices": selectors.creator_devices(creator=creator),
        "sections": page_sections_render(page="creator", request=request, subject=creator),
        "consent_form": consent_form or ConsentChangeForm(),
    }
    return render(request, "creators/creator_detail.html", context, status=status)


@login_required
@permission_required("creators.add_creator", raise_exception=True)
def creator_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CreatorImportForm()
    if request.method == "POST":
        form = CreatorImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = services.import_job_create(file=form.cleaned_data["file"], actor=request.user)
            return redirect(job)
    context = {
        "form": form,
        "header": ",".join(HEADER),
        "required": REQUIRED,
        "contact": CONTACT,
        "jobs": selectors.import_jobs_recent(),
    }
    status = 400 if form.errors else 200
    return render(request, "creators/creator_import.html", context, status=status)


@login_required
@permission_required("creators.add_creator", raise_exception=True)
def creator_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(pk=pk)
    template = "creators/_import_job.html" if _is_htmx(request) else "creators/import_job.html"
    return render(request, template, {"job": job})


@require_GET
@login_required
@permission_required("creators.add_creator", raise_exception=True)
def creator_import_sample(request: HttpRequest) -> HttpResponse:
    """A sample file to start from: every column, rows written in the forms accepted."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="altavoz-creators-sample.csv"'
    import_sample_write(response)
    return response


@require_GET
@login_required
@permission_required("creators.add_creator", raise_exception=True)
def creator_import_list(request: HttpRequest) -> HttpResponse:
    """Every past import, newest first, 50 a page."""
    page = Paginator(selectors.import_jobs_all(), 50).get_page(request.GET.get("page"))
    return render(request, "creators/import_list.html", {"page": page})


def _back_to_list(form: CreatorSelectionForm) -> HttpResponse:
    # Re-encoded: the posted query is text from the client, never put in a header as is.
    query = QueryDict(form.cleaned_data.get("query", "")).urlencode()
    return redirect(f"{reverse('creator-list')}?{query}" if query else reverse("creator-list"))


def _selection_refused(
    request: HttpRequest, form: CreatorSelectionForm, extra: str = ""
) -> HttpResponse:
    errors = [
        *form.non_field_errors(),
        *(error for field in form.errors.values() for error in field),
    ]
    return render(
        request,
        "creators/bulk_refused.html",
        {"errors": list(dict.fromkeys([*map(str, errors), *([extra] if extra else [])]))},
        status=400,
    )


@require_POST
@login_required
@permission_required("creators.change_creator", raise_exception=True)
def creator_bulk_tag(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Tag the ticked creators, or every creator the filters match."""
    selection = CreatorSelectionForm(request.POST)
    tag_form = CreatorTagForm(request.POST)
    if not selection.is_valid() or not tag_form.is_valid():
        tag_errors = [str(error) for error in tag_form.errors.get("tag", [])]
        return _selection_refused(request, selection, " ".join(tag_errors))
    if selection.is_large():
        services.creators_tag_later(
            selection=selection.for_task(),
            tag=tag_form.cleaned_data["tag"],
            actor=request.user,
            audit=selection.audit_detail(),
        )
        messages.success(
            request,
            _(
                "Tagging every matching creator “%(tag)s” in the background: the audit log "
                "records it when done."
            )
            % {"tag": tag_form.cleaned_data["tag"]},
        )
        return _back_to_list(selection)
    tagged = services.creators_tag(
        creators=selection.selected(),
        tag=tag_form.cleaned_data["tag"],
        actor=request.user,
        selection=selection.audit_detail(),
    )
    messages.success(
        request,
        ngettext(
            "Tagged %(count)s creator “%(tag)s”.",
            "Tagged %(count)s creators “%(tag)s”.",
            tagged,
        )
        % {"count": intcomma(tagged), "tag": tag_form.cleaned_data["tag"]},
    )
    return _back_to_list(selection)


@require_POST
@login_required
@permission_required("creators.add_creator", raise_exception=True)
def creator_bulk_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The selection as CSV in the import's columns, streamed."""
    selection = CreatorSelectionForm(request.POST)
    if not selection.is_valid():
        return _selection_refused(request, selection)
    creators = selection.selected()
    services.creators_export_record(
        creators=creators, actor=request.user, selection=selection.audit_detail()
    )
    response = StreamingHttpResponse(
        creator_export_lines(creators), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="altavoz-creators-{stamp}.csv"'
    return response


@login_required
@permission_required("creators.change_creator", raise_exception=True)
def creator_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    creator = selectors.creator_get(pk=pk)
    if request.method != "POST":
        form = CreatorEditForm.for_creator(creator)
        return render(request, "creators/creator_edit.html", {"creator": creator, "form": form})
    form = CreatorEditForm(request.POST)
    if form.is_valid():
        try:
            services.creator_update(creator=creator, actor=request.user, **form.cleaned_data)
        except AltavozError as error:
            form.add_error("handle", str(error))
            creator.refresh_from_db()
        else:
            messages.success(request, _("Creator saved."))
            return redirect(creator)
    context = {"creator": creator, "form": form}
    return render(request, "creators/creator_edit.html", context, status=400)


@require_POST
@login_required
@permission_required("creators.change_creator", raise_exception=True)
def creator_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change one consent with a reason; a bad form shows the page again with its errors."""
    creator = selectors.creator_get(pk=pk)
    form = ConsentChangeForm(request.POST)
    if not form.is_valid():
        return _creator_detail_render(request, creator, consent_form=form, status=400)
    services.creator_consent_change(creator=creator, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Consent changed and recorded in the history."))
    return redirect(creator)
