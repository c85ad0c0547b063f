from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        # Tracking and campaigns never import conversations: how to count replies (stats)
        # and who replied (the `replied` sequence exit rule) are registered here.
        from campaigns.sequence_conditions import replied_source_register
        from conversations.selectors import replied_exists_sql, reply_counts
        from tracking.replies import reply_source_register

        reply_source_register(reply_counts)
        replied_source_register(replied_exists_sql)
