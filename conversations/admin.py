from django.contrib import admin

from conversations.forms import CannedAnswerForm
from conversations.models import CannedAnswer


@admin.register(CannedAnswer)
class CannedAnswerAdmin(admin.ModelAdmin):
    """Canned answers are managed here; each text is checked as a template when saved."""

    form = CannedAnswerForm
    list_display = ("title", "created_at")
    search_fields = ("title", "body_es_mx", "body_en")
