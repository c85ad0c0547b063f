"""Webhook batches in the admin: how many events each applied, changed nothing, or ignored
(events that fit no delivery of ours), and any batch still waiting or failing."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tracking.models import WebhookBatch


class AppliedFilter(admin.SimpleListFilter):
    title = _("applied")
    parameter_name = "applied"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Applied")), ("no", _("Waiting"))]

    def queryset(self, request: HttpRequest, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(applied_at__isnull=self.value() == "no")
        return queryset


@admin.register(WebhookBatch)
class WebhookBatchAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "provider",
        "received_at",
        "applied_at",
        "events",
        "recorded",
        "unchanged",
        "ignored",
        "error",
    ]
    list_filter = ["provider", AppliedFilter]
    date_hierarchy = "received_at"
    show_full_result_count = False
    exclude = ["body"]  # a batch can be megabytes

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
