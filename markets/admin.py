from django.contrib import admin

from markets.models import Market


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "default_language", "currency")
