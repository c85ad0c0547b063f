"""Segments in the admin: rules edited as JSON and checked on save, the live count beside them."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from common.http import signed_in_user
from segments import selectors, services
from segments.exceptions import SegmentHandlesEmpty, SegmentRulesInvalid
from segments.models import Segment
from segments.rules import rules_parse


class SegmentAdminForm(forms.ModelForm):
    handles = forms.CharField(
        label=_("handles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Static segments only: one handle per line (or separated by commas); "
            "replaces the current members. Leave empty to keep them."
        ),
    )

    class Meta:
        model = Segment
        fields = ["name", "kind", "description", "rules"]
        help_texts = {
            "rules": _(
                'Dynamic segments: a rule tree such as {"all": [{"field": "level", "op": "gte", '
                '"value": 3}]}. See docs/segments.md.'
            )
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kind = cleaned.get("kind") or (self.instance.kind if self.instance.pk else None)
        if kind == Segment.Kind.DYNAMIC and "rules" in cleaned:
            try:
                rules_parse(cleaned["rules"])
            except SegmentRulesInvalid as error:
                self.add_error("rules", str(error))
        if kind == Segment.Kind.STATIC:
            cleaned["rules"] = {}
            if not self.instance.pk and not self.handle_list():
                self.add_error("handles", str(SegmentHandlesEmpty()))
        return cleaned

    def handle_list(self) -> list[str]:
        raw = self.cleaned_data.get("handles") or ""
        return [part for part in raw.replace(",", "\n").splitlines() if part.strip()]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentAdminForm
    list_display = ["name", "kind", "live_count", "created_by", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    list_per_page = 25
    readonly_fields = ["live_count", "sample", "created_by", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Segment | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "kind"] if obj is not None else fields

    def get_fields(self, request: HttpRequest, obj: Segment | None = None) -> tuple[str, ...]:
        fields = ["name", "kind", "description"]
        if obj is None or obj.kind == Segment.Kind.DYNAMIC:
            fields.append("rules")
        if obj is None or obj.kind == Segment.Kind.STATIC:
            fields.append("handles")
        if obj is not None:
            fields += ["live_count", "sample", "created_by", "created_at", "updated_at"]
        return tuple(fields)

    @admin.display(description=_("creators now"))
    def live_count(self, obj: Segment) -> str:
        try:
            return f"{selectors.segment_count(obj):,}"
        except SegmentRulesInvalid as error:  # rules saved before a field was removed
            return str(error)

    @admin.display(description=_("sample"))
    def sample(self, obj: Segment) -> str:
        try:
            handles = selectors.segment_sample(obj, 10)
        except SegmentRulesInvalid as error:
            return str(error)
        return format_html_join(", ", "@{}", ((handle,) for handle in handles)) or "—"

    def save_model(
        self, request: HttpRequest, obj: Segment, form: SegmentAdminForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = signed_in_user(request)
        super().save_model(request, obj, form, change)
        handles = form.handle_list()
        if obj.kind == Segment.Kind.STATIC and handles:
            result = services.segment_static_members_set(segment=obj, handles=handles)
            messages.info(request, _("%(count)d creators on the list.") % {"count": result.matched})
            if result.unknown_handles:
                shown = ", ".join(result.unknown_handles[:50])
                more = len(result.unknown_handles) - 50
                messages.warning(
                    request,
                    _("Unknown handles, not added: %(handles)s") % {"handles": shown}
                    + (_(" and %(more)d more") % {"more": more} if more > 0 else ""),
                )
