from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET

from campaigns.models import Campaign
from common.http import AuthenticatedHttpRequest
from creators.models import Channel
from creators.selectors import creator_total_get
from dashboard import selectors
from segments.models import Segment
from tracking.selectors import intake_health_get


def _runs_context() -> dict:
    """ "Sending now" lists what is sending (or paused mid-run); runs that ended in the last
    minutes follow under "Just finished", so their bar is still seen reaching 100 %."""
    runs = selectors.runs_in_progress_list()
    active = (Campaign.Status.SENDING, Campaign.Status.PAUSED)
    return {
        "runs": [run for run in runs if run.campaign.status in active],
        "finished_runs": [run for run in runs if run.campaign.status not in active],
    }


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.has_perm("agencies.use_portal") and not request.user.has_perm(
        "creators.view_creator"
    ):
        return redirect("agency-home")  # agency people see their briefs, no ops figures
    context: dict[str, Any] = {
        "creator_total": creator_total_get(),
        "segment_count": Segment.objects.count(),
    }
    if request.user.has_perm("campaigns.view_campaign"):
        context |= _runs_context()
        context["upcoming"] = selectors.sends_upcoming_list()
        context["channel_rates"] = [
            (Channel(channel).label, figures)
            for channel, figures in selectors.channel_rates_recent_get(days=7)
        ]
    return render(request, "dashboard/home.html", context)


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def home_runs(request: HttpRequest) -> HttpResponse:
    """The "sending now" panel alone, which the home page polls every two seconds."""
    return render(request, "dashboard/_runs.html", _runs_context())


# Seconds the oldest waiting hit or webhook batch may wait before the page flags it.
HEALTH_LAG_SECONDS = 60


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def health(request: HttpRequest) -> HttpResponse:
    """Ops health: the intake backlog (tracking hits, webhook batches), and its age."""
    intake = intake_health_get()
    lagging = max(intake["hits_oldest_age_seconds"], intake["webhook_batches_oldest_age_seconds"])
    return render(
        request,
        "dashboard/health.html",
        {"intake": intake, "lagging": lagging > HEALTH_LAG_SECONDS, "lag": HEALTH_LAG_SECONDS},
    )


METRICS = [
    ("hits_queued", "Tracking hits queued for the drain."),
    ("hits_processing", "Tracking hits claimed by a drain, not recorded yet."),
    ("hits_claims", "Chunks claimed by drains, not released yet."),
    ("hits_oldest_age_seconds", "Age of the oldest tracking hit waiting (0: none)."),
    ("webhook_batches_unapplied", "Provider webhook batches stored, not applied yet."),
    ("webhook_batches_oldest_age_seconds", "Age of the oldest unapplied webhook batch."),
]


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition of the intake backlog, for `Authorization: Bearer
    <METRICS_TOKEN>`; 404 while METRICS_TOKEN is empty, 401 for another token."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not constant_time_compare(given, token):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    intake = intake_health_get()
    lines = []
    for key, help_text in METRICS:
        name = f"altavoz_intake_{key}"
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {intake[key]}"]  # type: ignore[literal-required]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8"
    )
