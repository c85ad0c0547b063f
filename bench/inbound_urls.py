"""The app's URLs plus `/bench/bare-inbound`: the same server's ceiling for a form POST
answered with the same empty TwiML, touching no database and checking no signature."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def bare_inbound(request: HttpRequest) -> HttpResponse:
    request.POST.dict()  # parse the form, as the webhook does
    return HttpResponse(
        b'<?xml version="1.0" encoding="UTF-8"?><Response/>', content_type="text/xml"
    )


urlpatterns = [path("bench/bare-inbound", bare_inbound), *app_urlpatterns]
