from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from common.http import AuthenticatedHttpRequest
from common.sections import page_sections_render
from creators import selectors, services
from creators.columns import CONTACT, HEADER, REQUIRED
from creators.forms import CreatorFilterForm, CreatorImportForm
from creators.import_sample import import_sample_write


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
        )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    # htmx swaps only the results (the form keeps focus and what is being typed).
    template = (
        "creators/_creator_results.html" if _is_htmx(request) else "creators/creator_list.html"
    )
    return render(request, template, context, status=200 if form.is_valid() else 400)


@login_required
@permission_required("creators.view_creator", raise_exception=True)
def creator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    creator = selectors.creator_get(pk=pk)
    context = {
        "creator": creator,
        "consent_history": selectors.creator_consent_history(creator=creator)[:200],
        "devices": selectors.creator_devices(creator=creator),
        "sections": page_sections_render(page="creator", request=request, subject=creator),
    }
    return render(request, "creators/creator_detail.html", context)


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
