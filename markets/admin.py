from django.contrib import admin

from markets.forms import PlaybookForm
from markets.models import Market, Playbook


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "default_language", "currency")


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    form = PlaybookForm
    list_display = ("title", "market", "kind", "open_rate", "click_rate", "applicability")
    list_filter = ("market", "kind", "applicability")
    search_fields = ("title", "notes", "audience")
