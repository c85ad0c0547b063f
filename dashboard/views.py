from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from creators.models import Creator
from segments.models import Segment


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "creator_count": Creator.objects.count(),
        "segment_count": Segment.objects.count(),
    }
    return render(request, "dashboard/home.html", context)
