from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creators.models import Channel, ConsentStatus, Creator, Locale

CHANNEL_LABELS = {
    Channel.EMAIL: _("Email"),
    Channel.WHATSAPP: _("WhatsApp messages"),
    Channel.PUSH: _("App notifications"),
    Channel.INBOX: _("Messages in your Altavoz inbox"),
}


class PreferencesForm(forms.Form):
    locale = forms.ChoiceField(label=_("Language"), choices=Locale.choices)
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, data: Any = None, *, creator: Creator, **kwargs: Any) -> None:
        initial = {
            "locale": creator.locale,
            "quiet_hours_start": creator.quiet_hours_start,
            "quiet_hours_end": creator.quiet_hours_end,
            **{
                f"channel_{channel}": creator.consent_for(channel) == ConsentStatus.GRANTED
                for channel in Channel.values
            },
        }
        super().__init__(data, initial=initial, **kwargs)
        for channel in Channel.values:
            unknown = creator.consent_for(channel) == ConsentStatus.UNKNOWN
            self.fields[f"channel_{channel}"] = forms.BooleanField(
                label=CHANNEL_LABELS[Channel(channel)],
                required=False,
                help_text=_("You have not chosen yet.") if unknown else "",
            )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("quiet_hours_start")) != bool(data.get("quiet_hours_end")):
            raise forms.ValidationError(_("Give both the start and the end of your quiet hours."))
        return data

    def channel_fields(self) -> list:
        return [self[f"channel_{channel}"] for channel in Channel.values]

    def consents(self) -> dict[str, bool]:
        """The channels whose box the creator ticked or cleared, and the new state.

        A checkbox shows only yes or no, so an unknown consent is shown unticked: saving the
        page untouched must not turn it into a denial the creator never made. A channel whose
        box is as it was shown is left out, whatever its recorded consent."""
        return {
            channel: self.cleaned_data[name]
            for channel in Channel.values
            if (name := f"channel_{channel}") in self.changed_data
        }
