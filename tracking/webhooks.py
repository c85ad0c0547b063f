"""Provider webhooks. Every request is authenticated before anything is parsed or written:
a forged or altered request gets 403 and changes nothing. No verified request gets a 5xx:
that would make the provider send the whole batch again (docs/tracking.md, "Webhooks")."""

from __future__ import annotations

import binascii
import json
import logging
from functools import lru_cache
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from sendgrid.helpers.eventwebhook import EventWebhook
from twilio.request_validator import RequestValidator, add_port, compare, remove_port

from tracking import services, tasks
from tracking.models import WebhookBatch

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _twilio_signing(token: str, public_base_url: str) -> tuple[RequestValidator, tuple[str, ...]]:
    """The validator and the public base URL's forms Twilio may sign (without and with the
    port, as `RequestValidator.validate` tries them), made once per process."""
    parsed = urlparse(public_base_url)
    bases = (remove_port(parsed), add_port(parsed))
    return RequestValidator(token), tuple(dict.fromkeys(bases))


def twilio_request_valid(request: HttpRequest) -> bool:
    """`RequestValidator.validate` for a form POST, computing one HMAC-SHA1 when the first
    URL form matches (the SDK computes both every time)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    validator, bases = _twilio_signing(settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL)
    # Twilio signs the public URL it called, not the one behind our proxy.
    path = request.get_full_path()
    return any(
        compare(validator.compute_signature(f"{base}{path}", request.POST), signature)
        for base in bases
    )


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """One message's status: applied here (one short transaction); a callback that does not
    fit a WhatsApp delivery of ours is acknowledged and ignored."""
    if not twilio_request_valid(request):
        logger.warning(
            "twilio status callback with a bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return HttpResponseForbidden("bad signature")
    services.twilio_status_record(delivery_id=request.GET.get("d", ""), params=request.POST.dict())
    return HttpResponse(status=204)


def sendgrid_request_valid(request: HttpRequest, body: bytes) -> bool:
    signature = request.headers.get("X-Twilio-Email-Event-Webhook-Signature", "")
    timestamp = request.headers.get("X-Twilio-Email-Event-Webhook-Timestamp", "")
    if not signature or not timestamp or not settings.SENDGRID_WEBHOOK_PUBLIC_KEY:
        return False
    try:
        payload = body.decode("utf-8")
        return EventWebhook(settings.SENDGRID_WEBHOOK_PUBLIC_KEY).verify_signature(
            payload, signature, timestamp
        )
    except (UnicodeDecodeError, ValueError, binascii.Error):
        return False


def _body_read(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, up to `limit` bytes (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, is
    for forms; a SendGrid batch is larger), else None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > limit:
        return None
    body = request.read(limit + 1)
    return body if len(body) <= limit else None


@csrf_exempt
@require_POST
def sendgrid_events(request: HttpRequest) -> HttpResponse:
    """Verify, store the batch, answer; a worker applies it (`tracking.tasks`)."""
    body = _body_read(request, settings.SENDGRID_WEBHOOK_MAX_BYTES)
    if body is None:
        return HttpResponse(status=413)
    if not sendgrid_request_valid(request, body):
        logger.warning(
            "sendgrid event webhook with a bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return HttpResponseForbidden("bad signature")
    text = body.decode("utf-8")  # verify_signature decoded it already
    try:
        events = json.loads(text)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(events, list):
        return HttpResponse(status=400)
    with transaction.atomic():
        batch = services.webhook_batch_store(
            provider=WebhookBatch.Provider.SENDGRID, body=text, events=len(events)
        )
        if settings.TRACKING_WEBHOOK_QUEUE:
            # robust: a broker outage must not turn the stored batch into a 500 (the sweep
            # applies it).
            transaction.on_commit(lambda: tasks.webhook_batch_apply.delay(batch.pk), robust=True)
    if not settings.TRACKING_WEBHOOK_QUEUE:
        try:
            services.webhook_batch_apply(batch_id=batch.pk)
        except Exception as error:
            logger.exception("sendgrid batch %s failed to apply; the sweep will retry", batch.pk)
            services.webhook_batch_failed(batch_id=batch.pk, error=repr(error))
    return HttpResponse(status=204)
