from django.contrib import admin

from agencies.models import Agency, AgencyMembership


class MembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "contact_email"]
    search_fields = ["name"]
    inlines = [MembershipInline]
