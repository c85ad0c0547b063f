from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from accounts.forms import AdminSigninForm, SigninForm
from config.api import api

# Both sign-in forms throttle failed attempts (docs/security.md, "Sign-in throttling").
admin.site.login_form = AdminSigninForm


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SigninForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("creators/", include("creators.urls")),
    path("segments/", include("segments.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("audit/", include("audit.urls")),
    path("education/", include("education.urls")),
    path("", include("portal.urls")),
    path("programs/", include("programs.urls")),
    path("", include("agencies.urls")),
    path("markets/", include("markets.urls")),
    path("", include("tracking.urls")),
    path("", include("conversations.urls")),
    path("", include("dashboard.urls")),
]
