from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("segments.view_segment", raise_exception=True)
def segment_list(request: HttpRequest) -> HttpResponse:
    return render(request, "segments/segment_list.html", {})
