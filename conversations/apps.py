from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        # Tracking and campaigns never import conversations: how to count replies (stats)
        # and who replied (the `replied` sequence exit rule) are registered here.
        from campaigns.sequence_conditions import (
            replied_source_register,
            step_replied_source_register,
        )
        from conversations.selectors import (
            replied_exists_sql,
            reply_counts,
            reply_times_sql,
            step_replied_exists_sql,
        )
        from tracking.replies import reply_source_register, reply_times_sql_register

        reply_source_register(reply_counts)
        reply_times_sql_register(reply_times_sql)
        replied_source_register(replied_exists_sql)
        step_replied_source_register(step_replied_exists_sql)
        _segment_fields_register()
        _webhooks_register()


def _webhooks_register() -> None:
    """Twilio's inbound webhook skips the page middleware: it is the hot path (a burst of
    replies after a campaign) and authenticates every request by its signature."""
    from common.fastpaths import fast_path_register
    from conversations import webhooks

    # conversations/urls.py routes it too (reverse("twilio-inbound")): the same path.
    fast_path_register(path=webhooks.INBOUND_PATH, view=webhooks.twilio_inbound)


def _segment_fields_register() -> None:
    """Segment rules on replies (segments sits below conversations: a hook it offers)."""
    from django.utils.translation import gettext

    from campaigns.segment_leaves import campaign_kinds
    from conversations.selectors import (
        replied_at_creator_ids,
        replied_behaviour_q,
        replied_campaign_creator_ids,
        replied_campaign_since_exists,
    )
    from segments.leaves import (
        Behaviour,
        behaviour_register,
        campaign_check,
        campaign_params,
        campaign_text,
        window_text,
    )
    from segments.rules import DerivedField, FieldKind, FieldSpec, derived_field_register

    derived_field_register(
        DerivedField(
            spec=FieldSpec(name="whatsapp_replied_at", kind=FieldKind.DATETIME, nullable=True),
            label=lambda: gettext("Last WhatsApp reply"),
            creator_ids=replied_at_creator_ids,
        )
    )
    derived_field_register(
        DerivedField(
            spec=FieldSpec(
                name="whatsapp_replied_campaign",
                kind=FieldKind.INTEGER,
                minimum=1,
                maximum=2**63 - 1,
            ),
            label=lambda: gettext("Replied on WhatsApp to campaign (id)"),
            creator_ids=replied_campaign_creator_ids,
        )
    )
    derived_field_register(
        DerivedField(
            spec=FieldSpec(name="whatsapp_replied_campaign_days", kind=FieldKind.CAMPAIGN_DAYS),
            label=lambda: gettext("Replied on WhatsApp to a campaign"),
            exists=replied_campaign_since_exists,
        )
    )
    behaviour_register(
        Behaviour(
            name="replied",
            label=lambda: gettext("Replied on WhatsApp"),
            params=campaign_params(campaign_kinds),
            check=campaign_check,
            compile=replied_behaviour_q,
            describe=lambda params: (
                gettext("replied on WhatsApp to %(campaign)s")
                % {"campaign": campaign_text(params, campaign_kinds)}
                + window_text(params)
            ),
        )
    )
