from django.urls import path

from tracking import webhooks

urlpatterns = [
    path("hooks/twilio/status", webhooks.twilio_status, name="twilio-status"),
    path("hooks/sendgrid/events", webhooks.sendgrid_events, name="sendgrid-events"),
]
