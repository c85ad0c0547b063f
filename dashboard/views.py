from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from campaigns.models import Campaign
from common.http import AuthenticatedHttpRequest
from creators.models import Channel, Creator
from dashboard import selectors
from segments.models import Segment


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
        "creator_count": Creator.objects.count(),
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
