from django.contrib import admin

from campaigns.models import Campaign, CampaignTransition, Delivery, Message


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0


class TransitionInline(admin.TabularInline):
    model = CampaignTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "note", "at")

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
    readonly_fields = ("status", "last_run", "launched_at", "finished_at", "channels")
    inlines = [MessageInline, TransitionInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "campaign",
        "run",
        "channel",
        "creator",
        "status",
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
