"""The JSON API under /api/: bearer-token auth, one router per app, schema at /api/openapi.json."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer

from accounts.services import api_token_authenticate
from campaigns.exceptions import CampaignStateError
from common.exceptions import AltavozError


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Altavoz API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(CampaignStateError)
def campaign_state_error(request: HttpRequest, exc: CampaignStateError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(AltavozError)
def altavoz_error(request: HttpRequest, exc: AltavozError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


def _register_routers() -> None:
    from campaigns.api import router as campaigns_router
    from creators.api import router as creators_router
    from programs.api import router as programs_router
    from segments.api import router as segments_router
    from tracking.api import app_router as tracking_app_router
    from tracking.api import stats_router as tracking_stats_router

    api.add_router("/", creators_router)
    api.add_router("/", segments_router)
    api.add_router("/", campaigns_router)
    api.add_router("/", tracking_stats_router)
    api.add_router("/", tracking_app_router)
    api.add_router("/", programs_router)


_register_routers()
