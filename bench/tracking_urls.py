"""The app's URLs plus `/bench/bare`: the same server's ceiling for a view touching no database."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"GIF89a", content_type="image/gif")


urlpatterns = [path("bench/bare", bare), *app_urlpatterns]
