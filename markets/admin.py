from django.contrib import admin

from markets.forms import PlaybookForm
from markets.models import AdaptedCampaign, Market, Playbook, Proposal


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


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-mostly: the state changes go through the proposal pages (audited)."""

    list_display = ("title", "status", "author", "updated_at")
    list_filter = ("status",)
    readonly_fields = ("status", "decision_note", "decided_at", "outcome", "outcome_recorded_at")
    filter_horizontal = ("evidence_playbooks",)
    raw_id_fields = ("evidence_campaigns", "author")
