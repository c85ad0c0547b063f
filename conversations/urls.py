from django.urls import path

from conversations import views, webhooks

urlpatterns = [
    path("hooks/twilio/inbound", webhooks.twilio_inbound, name="twilio-inbound"),
    path(
        "hooks/twilio/conversation-status", webhooks.twilio_reply_status, name="conversation-status"
    ),
    path("conversations/", views.conversation_inbox, name="conversation-inbox"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation-detail"),
    path(
        "conversations/<int:pk>/messages/",
        views.conversation_messages,
        name="conversation-messages",
    ),
    path("conversations/<int:pk>/reply/", views.conversation_reply, name="conversation-reply"),
    path(
        "conversations/<int:pk>/templates/",
        views.conversation_template_options,
        name="conversation-template-options",
    ),
    path(
        "conversations/<int:pk>/template-variables/",
        views.conversation_template_variables,
        name="conversation-template-variables",
    ),
    path("conversations/<int:pk>/canned/", views.conversation_canned, name="conversation-canned"),
    path("conversations/<int:pk>/assign/", views.conversation_assign, name="conversation-assign"),
    path("conversations/<int:pk>/link/", views.conversation_link, name="conversation-link"),
    path("conversations/<int:pk>/tags/", views.conversation_tags, name="conversation-tags"),
    path(
        "conversations/<int:pk>/status/", views.conversation_status, name="conversation-status-set"
    ),
]
