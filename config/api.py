"""The JSON API under /api/: bearer-token auth, one router per app, schema at /api/openapi.json."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import HttpBearer

from accounts.services import api_token_authenticate
from campaigns.exceptions import CampaignStateError
from common.exceptions import AltavozError
from common.schemas import UNION_TAGS, UNSTORABLE_TEXT
from conversations.exceptions import ConversationConflict


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


# In the schema, every text field says it takes no NUL: PostgreSQL cannot store one, so the
# API refuses it (common.schemas.ApiSchema, with lone surrogates, which JSON Schema cannot say).
NO_NUL = "^[^\\u0000]*$"
_NOT_TEXT_FORMATS = {"binary", "date", "date-time", "time", "duration", "uuid", "uri", "email"}


def _text_without_nul(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _text_without_nul(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _text_without_nul(value)
    if node.get("type") != "string" or node.get("format") in _NOT_TEXT_FORMATS:
        return
    if "enum" in node or "const" in node or node.get("pattern") == NO_NUL:
        return
    if "pattern" not in node:
        node["pattern"] = NO_NUL
    elif {"pattern": NO_NUL} not in node.setdefault("allOf", []):
        node["allOf"].append({"pattern": NO_NUL})


class AltavozAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        _text_without_nul(schema.get("components", {}))
        _text_without_nul(schema.get("paths", {}))
        return schema


api = AltavozAPI(
    title="Altavoz API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "messages", 0, "channel") → "messages[0].channel";
    ("query", "limit") → "limit"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)  # the view's body parameter ("payload"), not part of the JSON
    path = ""
    for index, part in enumerate(parts):
        if index and isinstance(parts[index - 1], int) and part in UNION_TAGS:
            continue  # messages[0].push.title → messages[0].title
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _error_message(error: dict[str, Any]) -> str:
    """pydantic's message for one refused field, in the user's language where we have it."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    messages = {
        "missing": lambda: _("This field is required."),
        "extra_forbidden": lambda: _("Unknown field."),
        "string_too_long": lambda: _("At most %(max)d characters.") % {"max": ctx["max_length"]},
        "string_too_short": lambda: _("At least %(min)d characters.") % {"min": ctx["min_length"]},
        "too_long": lambda: _("At most %(max)d items.") % {"max": ctx["max_length"]},
        "too_short": lambda: _("At least %(min)d items.") % {"min": ctx["min_length"]},
        "enum": lambda: _("Must be one of: %(expected)s.") % {"expected": ctx["expected"]},
        "literal_error": lambda: _("Must be one of: %(expected)s.") % {"expected": ctx["expected"]},
        "string_pattern_mismatch": lambda: (
            _("Must not be blank.")
            if ctx["pattern"] == r"\S"
            else _("Does not match %(pattern)s.") % {"pattern": ctx["pattern"]}
        ),
        "greater_than_equal": lambda: _("Must be at least %(min)s.") % {"min": ctx["ge"]},
        "less_than_equal": lambda: _("Must be at most %(max)s.") % {"max": ctx["le"]},
    }
    try:
        return str(messages[kind]())
    except KeyError:
        return str(error.get("msg", ""))


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Invalid input is a 400 that names each refused field by its path (`messages[0].locale`),
    the same shape as every other refusal (common.schemas.ErrorOut)."""
    errors = []
    for error in exc.errors:
        path = _field_path(error.get("loc", ()))
        if error.get("type") == UNSTORABLE_TEXT:
            path = (path + error["ctx"]["subpath"]).removeprefix(".")
        errors.append({"path": path, "message": _error_message(error)})
    first = errors[0] if errors else {"path": "", "message": _("Invalid input.")}
    detail = _("%(path)s: %(message)s") % first if first["path"] else first["message"]
    return api.create_response(
        request, {"detail": detail, "path": first["path"], "errors": errors}, status=400
    )


@api.exception_handler(CampaignStateError)
def campaign_state_error(request: HttpRequest, exc: CampaignStateError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(ConversationConflict)
def conversation_conflict(request: HttpRequest, exc: ConversationConflict) -> HttpResponse:
    """Free text outside the creator's 24-hour window, an opted-out creator, no number."""
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: send it in smaller parts."""
    return api.create_response(
        request,
        {"detail": _("The request body is too large; send it in smaller batches.")},
        status=413,
    )


@api.exception_handler(AltavozError)
def altavoz_error(request: HttpRequest, exc: AltavozError) -> HttpResponse:
    path = getattr(exc, "path", "")
    return api.create_response(request, {"detail": str(exc), "path": path}, status=400)


def _register_routers() -> None:
    from campaigns.api import router as campaigns_router
    from campaigns.template_api import router as whatsapp_templates_router
    from conversations.api import router as conversations_router
    from creators.api import router as creators_router
    from events.api import router as events_router
    from programs.api import router as programs_router
    from segments.api import router as segments_router
    from tracking.api import app_router as tracking_app_router
    from tracking.api import stats_router as tracking_stats_router

    api.add_router("/", creators_router)
    api.add_router("/", events_router)
    api.add_router("/", segments_router)
    api.add_router("/", campaigns_router)
    api.add_router("/", whatsapp_templates_router)
    api.add_router("/", tracking_stats_router)
    api.add_router("/", tracking_app_router)
    api.add_router("/", programs_router)
    api.add_router("/", conversations_router)


_register_routers()
