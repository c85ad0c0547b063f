from django.contrib import admin

from markets.forms import PlaybookForm
from markets.models import AdaptedCampaign, Market, Playbook


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "default_language", "currency")


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    form = PlaybookForm
    list_display = ("title", "market", "kind", "open_rate", "click_rate", "applicability")
    list_filter = ("market", "kind", "applicability")
    search_fields = ("title", "notes", "audience")


@admin.register(AdaptedCampaign)
class AdaptedCampaignAdmin(admin.ModelAdmin):
    list_display = ("campaign", "playbook", "created_at")
    raw_id_fields = ("campaign", "playbook")
