from django import forms
from django.utils.translation import gettext_lazy as _

from education.models import ContentItem, ContentVersion, LearningPath


class ContentItemForm(forms.ModelForm):
    class Meta:
        model = ContentItem
        fields = ["slug", "kind", "topic", "level", "agency"]


class ContentVersionForm(forms.ModelForm):
    class Meta:
        model = ContentVersion
        fields = ["title", "summary", "body", "video_url", "duration_minutes"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A language may be left empty; a title is what makes it a version.
        for field in self.fields.values():
            field.required = False

    def has_content(self) -> bool:
        return bool(self.cleaned_data.get("title"))


class LearningPathForm(forms.ModelForm):
    item_slugs = forms.CharField(
        label=_("Items, one slug per line, in order"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )

    class Meta:
        model = LearningPath
        fields = ["slug", "title_es", "title_en", "level", "published"]

    def clean_item_slugs(self) -> list[ContentItem]:
        slugs = [
            line.strip() for line in self.cleaned_data["item_slugs"].splitlines() if line.strip()
        ]
        found = {item.slug: item for item in ContentItem.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise forms.ValidationError(
                _("No content item with slug: %(slugs)s") % {"slugs": ", ".join(missing)}
            )
        return [found[slug] for slug in dict.fromkeys(slugs)]
