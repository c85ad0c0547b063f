from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        # Tracking never imports conversations: how to count replies is registered here.
        from conversations.selectors import reply_counts
        from tracking.replies import reply_source_register

        reply_source_register(reply_counts)
