"""Twilio's incoming-message webhook and the status callbacks of ops replies. Every request is
authenticated first: a forged or altered one gets 403 and writes nothing."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conversations import services, tasks
from tracking.webhooks import twilio_request_valid

logger = logging.getLogger(__name__)

INBOUND_PATH = "/hooks/twilio/inbound"  # served by common.fastpaths (conversations/apps.py)
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _twiml() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """Verify, store by MessageSid, answer an empty TwiML; a worker files the message in its
    thread (`conversations.tasks`: one task per burst), or this request does when
    CONVERSATIONS_INBOUND_QUEUE is off."""
    if not twilio_request_valid(request):
        logger.warning(
            "twilio inbound message with a bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return HttpResponseForbidden("bad signature")
    params = request.POST.dict()
    if not params.get("MessageSid") or len(params["MessageSid"]) > 64:
        return HttpResponse("MessageSid is required", status=400, content_type="text/plain")
    webhook_id = services.inbound_webhook_store(params=params)
    if webhook_id is None:  # Twilio retried a message stored already
        return _twiml()
    if settings.CONVERSATIONS_INBOUND_QUEUE:
        # robust: a broker outage must not lose the stored message (the sweep files it).
        transaction.on_commit(tasks.inbound_filing_schedule, robust=True)
        return _twiml()
    try:
        services.inbound_webhook_process(webhook_id=webhook_id)
    except Exception as error:  # stored: noted and logged, the sweep files it later
        logger.exception("inbound webhook %s failed to file; the sweep will retry", webhook_id)
        services.inbound_webhook_failed(webhook_id=webhook_id, error=repr(error))
    return _twiml()


@csrf_exempt
@require_POST
def twilio_reply_status(request: HttpRequest) -> HttpResponse:
    """The status of an ops reply (`?m=<message id>`), applied at once."""
    if not twilio_request_valid(request):
        logger.warning(
            "twilio reply status with a bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return HttpResponseForbidden("bad signature")
    services.message_status_record(message_id=request.GET.get("m", ""), params=request.POST.dict())
    return HttpResponse(status=204)
