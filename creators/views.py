from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("creators.view_creator", raise_exception=True)
def creator_list(request: HttpRequest) -> HttpResponse:
    return render(request, "creators/creator_list.html", {})
