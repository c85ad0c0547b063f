from django.contrib import admin

from channels.models import InboxMessage


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ("title", "creator", "created_at", "read_at")
    raw_id_fields = ("creator", "delivery")
    list_select_related = ("creator",)
    show_full_result_count = False
