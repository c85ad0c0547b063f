from django.urls import path

from conversations import webhooks

urlpatterns = [
    path("hooks/twilio/inbound", webhooks.twilio_inbound, name="twilio-inbound"),
    path(
        "hooks/twilio/conversation-status", webhooks.twilio_reply_status, name="conversation-status"
    ),
]
