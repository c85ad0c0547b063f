from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignTransition, Delivery, Message


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0


class TransitionInline(admin.TabularInline):
    model = CampaignTransition
    extra = 0
    can_delete = False
    fields = readonly_fields = ("from_status", "to_status", "actor", "note_text", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "market",
        "status",
        "segment",
        "send_at",
        "last_run",
        "created_at",
    )
    list_filter = ("status", "kind", "market")
    search_fields = ("name",)
    raw_id_fields = ("segment", "owner", "periodic_task")
    readonly_fields = (
        "status",
        "last_run",
        "launched_at",
        "finished_at",
        "channels",
        "winner_variant",
        "winner_picked_at",
    )
    inlines = [MessageInline, TransitionInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "kind",
                    "market",
                    "segment",
                    "default_locale",
                    "owner",
                    "status",
                    "channels",
                    "send_at",
                    "starts_on",
                    "ends_on",
                    "periodic_task",
                    "last_run",
                    "launched_at",
                    "finished_at",
                )
            },
        ),
        (
            _("Sending policies"),
            {
                "fields": (
                    "quiet_hours_start",
                    "quiet_hours_end",
                    "send_local_time",
                    "spread_seconds",
                    "transactional",
                    "channel_priority",
                )
            },
        ),
        (
            _("A/B test and holdout"),
            {
                "fields": (
                    "variant_weights",
                    "holdout_percent",
                    "test_percent",
                    "winner_metric",
                    "winner_after_minutes",
                    "winner_variant",
                    "winner_picked_at",
                )
            },
        ),
        (
            _("Approval"),
            {
                "classes": ("collapse",),
                "fields": (
                    "schedule_plan",
                    "approval_status",
                    "approval_requested_by",
                    "approval_requested_at",
                    "approval_decided_by",
                    "approval_decided_at",
                    "approval_note",
                ),
            },
        ),
    )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "campaign",
        "run",
        "channel",
        "creator",
        "status",
        "variant",
        "fallback_from",
        "not_before",
        "attempts",
        "error_code",
        "sent_at",
    )
    list_filter = ("status", "channel")
    search_fields = ("=campaign__id", "creator__handle", "provider_message_id", "error_code")
    raw_id_fields = ("campaign", "creator")
    list_select_related = ("campaign", "creator")
    show_full_result_count = False
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
