from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Brief, Deliverable, Review
from campaigns.models import Campaign

DEFAULT_CHECKLIST = [
    _("Matches the key messages"),
    _("Correct claims about the platform"),
    _("Language quality"),
    _("Policy compliance"),
]


class BriefForm(forms.ModelForm):
    checklist = forms.CharField(
        label=_("Review checklist (one item per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        initial=lambda: "\n".join(str(item) for item in DEFAULT_CHECKLIST),
    )
    deliverable_kind = forms.ChoiceField(
        label=_("First deliverable"), choices=Deliverable.Kind.choices
    )
    deliverable_title = forms.CharField(label=_("Deliverable title"), max_length=160)

    class Meta:
        model = Brief
        fields = [
            "agency",
            "title",
            "objective",
            "audience",
            "key_messages",
            "tone",
            "dos",
            "donts",
            "references",
            "language",
            "format",
            "length",
            "first_draft_due",
            "final_due",
            "campaign",
            "education_slug",
        ]
        widgets = {
            "first_draft_due": forms.DateInput(attrs={"type": "date"}),
            "final_due": forms.DateInput(attrs={"type": "date"}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ["objective", "audience", "key_messages", "dos", "donts", "references"]
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agency, campaign = self.fields["agency"], self.fields["campaign"]
        assert isinstance(agency, forms.ModelChoiceField)
        assert isinstance(campaign, forms.ModelChoiceField)
        agency.queryset = Agency.objects.order_by("name")
        campaign.queryset = Campaign.objects.order_by("-id")


class DeliverableForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Deliverable.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    due_date = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class VersionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    upload = forms.FileField(label=_("File"), required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    note = forms.CharField(
        label=_("Note to the reviewer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))
    line = forms.IntegerField(label=_("Line"), required=False, min_value=1)
    quote = forms.CharField(label=_("Quoted passage"), required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Review.Decision.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    checked = forms.MultipleChoiceField(
        label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, checklist=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        checked = self.fields["checked"]
        assert isinstance(checked, forms.ChoiceField)
        checked.choices = [(str(item.pk), item.text) for item in checklist]


class TrackingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + Deliverable.Status.choices
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=Agency.objects.all()
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=Campaign.objects.filter(briefs__isnull=False).distinct(),
    )
    due_before = forms.DateField(
        label=_("Due on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "contact_name", "contact_email", "contact_phone"]


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=150)
