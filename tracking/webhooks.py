"""Provider webhooks. Every request is authenticated before anything is parsed or written:
a forged or altered request gets 403 and changes nothing."""

from __future__ import annotations

import binascii
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from sendgrid.helpers.eventwebhook import EventWebhook
from twilio.request_validator import RequestValidator

from tracking import services

logger = logging.getLogger(__name__)


def twilio_request_valid(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    # Twilio signs the public URL it called, not the one behind our proxy.
    url = f"{settings.PUBLIC_BASE_URL}{request.get_full_path()}"
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if not twilio_request_valid(request):
        logger.warning(
            "twilio status callback with a bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return HttpResponseForbidden("bad signature")
    try:
        delivery_id = int(request.GET.get("d", ""))
    except ValueError:
        return HttpResponse(status=204)
    services.twilio_status_record(delivery_id=delivery_id, params=request.POST.dict())
    return HttpResponse(status=204)


def sendgrid_request_valid(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Email-Event-Webhook-Signature", "")
    timestamp = request.headers.get("X-Twilio-Email-Event-Webhook-Timestamp", "")
    if not signature or not timestamp or not settings.SENDGRID_WEBHOOK_PUBLIC_KEY:
        return False
    try:
        payload = request.body.decode("utf-8")
        return EventWebhook(settings.SENDGRID_WEBHOOK_PUBLIC_KEY).verify_signature(
            payload, signature, timestamp
        )
    except (UnicodeDecodeError, ValueError, binascii.Error):
        return False


@csrf_exempt
@require_POST
def sendgrid_events(request: HttpRequest) -> HttpResponse:
    if not sendgrid_request_valid(request):
        logger.warning(
            "sendgrid event webhook with a bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return HttpResponseForbidden("bad signature")
    try:
        events = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(events, list):
        return HttpResponse(status=400)
    for event in events:
        if isinstance(event, dict):
            services.sendgrid_event_record(event=event)
    return HttpResponse(status=204)
