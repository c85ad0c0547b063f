from django.contrib import admin

from agencies.models import Agency, AgencyMembership


class MembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 1
    autocomplete_fields = ["user"]  # a name search, not a raw user-id box


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "contact_email"]
    search_fields = ["name"]
    inlines = [MembershipInline]
