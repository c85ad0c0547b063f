"""Creators in the admin: search and filters ops use, consent history and devices inline,
the CSV importer behind an "Import CSV" button, and export / opt-out actions.

Built for a million rows: no full COUNT(*) (`show_full_result_count = False`), filters whose
choices are fixed lists rather than `SELECT DISTINCT` over the table, inlines read-only.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from common.http import signed_in_user
from creators import services
from creators.columns import HEADER
from creators.export import creator_export_lines
from creators.geo import STATE_CHOICES
from creators.importer import ImportHeaderInvalid, creator_import_csv
from creators.models import (
    ConsentChange,
    Creator,
    Device,
    ImportJob,
    Suppression,
)


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return STATE_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(state=self.value()) if self.value() else queryset


class MarketFilter(admin.SimpleListFilter):
    """Markets present, from a cached DISTINCT (refreshed every 10 minutes)."""

    title = _("market")
    parameter_name = "market"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        markets = cache.get("creators:admin:markets")
        if markets is None:
            markets = sorted(Creator.objects.values_list("market", flat=True).distinct())
            cache.set("creators:admin:markets", markets, 600)
        return [(market, market) for market in markets]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(market=self.value()) if self.value() else queryset


class ConsentChangeInline(admin.TabularInline):
    model = ConsentChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("recorded_at", "channel", "status", "source")
    ordering = ("-recorded_at", "-id")
    verbose_name_plural = _("consent history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    can_delete = False
    fields = readonly_fields = ("platform", "token", "last_seen_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, header on line 1: %(header)s") % {"header": ",".join(HEADER)},
    )


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    change_list_template = "admin/creators/creator/change_list.html"
    list_display = (
        "handle",
        "name",
        "level",
        "state",
        "locale",
        "market",
        "followers",
        "last_active_at",
        "consent_email",
        "consent_whatsapp",
        "consent_push",
        "consent_inbox",
    )
    search_fields = ("handle", "name", "email", "phone")
    list_filter = (
        "level",
        StateFilter,
        "locale",
        MarketFilter,
        "content_type",
        "consent_email",
        "consent_whatsapp",
        "consent_push",
        "consent_inbox",
    )
    # Consent changes go through the opt-out action (and its service), which records the
    # history; editing a consent field in the form would skip it, so they are read-only here.
    readonly_fields = (
        # Derived from the daily gmv metrics (programs/gmv.py); an edit here would disagree.
        "gmv_30d",
        "consent_email",
        "consent_whatsapp",
        "consent_push",
        "consent_inbox",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("handle", "name", "email", "phone", "locale", "timezone")}),
        (
            _("Performance"),
            {
                "fields": (
                    "state",
                    "market",
                    "level",
                    "followers",
                    "gmv_30d",
                    "category",
                    "content_type",
                    "tags",
                    "joined_at",
                    "last_active_at",
                )
            },
        ),
        (
            _("Consent"),
            {"fields": ("consent_email", "consent_whatsapp", "consent_push", "consent_inbox")},
        ),
        # The creator's own quiet hours (docs/policies.md), in their time zone.
        (_("Quiet hours"), {"fields": ("quiet_hours_start", "quiet_hours_end")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (ConsentChangeInline, DeviceInline)
    actions = ("export_csv", "mark_opted_out", "portal_links_revoke")
    show_full_result_count = False
    list_per_page = 50

    def get_urls(self) -> list:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="creators_creator_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV, run the same importer as the API and the command, show its report."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            return redirect("admin:creators_creator_changelist")
        result = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = creator_import_csv(file=form.cleaned_data["file"])
            except ImportHeaderInvalid as error:
                form.add_error("file", str(error))
            else:
                level = messages.SUCCESS if not result.rejected else messages.WARNING
                self.message_user(
                    request,
                    _("%(created)d created, %(updated)d updated, %(rejected)d rejected.")
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "rejected": result.rejected,
                    },
                    level,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import creators from CSV"),
            "form": form,
            "result": result,
            "header": ",".join(HEADER),
        }
        status = 400 if request.method == "POST" and form.errors else 200
        return TemplateResponse(
            request, "admin/creators/creator/import.html", context, status=status
        )

    @admin.action(description=_("Export selected creators as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        response = StreamingHttpResponse(creator_export_lines(queryset), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="creators.csv"'
        return response

    @admin.action(description=_("Mark selected creators as opted out of every channel"))
    def mark_opted_out(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = services.creator_opt_out(
            creators=queryset.iterator(chunk_size=500),
            actor=signed_in_user(request),
            source=ConsentChange.Source.ADMIN,
        )
        self.message_user(
            request, _("%(count)d consents set to denied.") % {"count": changed}, messages.SUCCESS
        )

    @admin.action(description=_("Turn off the portal links of the selected creators"))
    def portal_links_revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        from creators.services import creators_portal_revoke

        count = creators_portal_revoke(creators=queryset)
        self.message_user(
            request,
            _("Portal links and sessions turned off for %(count)d creators.") % {"count": count},
            messages.SUCCESS,
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {
            **(extra_context or {}),
            "import_url": reverse("admin:creators_creator_import"),
        }
        return super().changelist_view(request, extra_context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: imports are started from the ops app (/creators/import/)."""

    list_display = (
        "file_name",
        "created_by",
        "status",
        "total_rows",
        "created",
        "updated",
        "rejected",
        "created_at",
        "finished_at",
    )
    list_filter = ("status",)
    search_fields = ("file_name",)
    exclude = ("errors",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ("channel", "address", "reason", "detail", "created_at")
    list_filter = ("channel", "reason")
    search_fields = ("address",)
    show_full_result_count = False
