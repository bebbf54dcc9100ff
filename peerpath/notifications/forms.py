from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peerpath.notifications import kinds, sms
from peerpath.notifications.models import Channel, Preferences
from peerpath.notifications.services import channels_for, time_zone_choices


def kind_field_name(kind: kinds.Kind) -> str:
    return "kind_" + kind.key.replace(".", "__")


class PreferencesForm(forms.Form):
    """A person's channels per kind of message, quiet hours, digest and text-message number."""

    phone = forms.CharField(
        label=_("Mobile number for text messages"),
        required=False,
        max_length=30,
        help_text=_("With its country code if it is abroad, e.g. +44 7700 900123."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    texts = forms.BooleanField(
        label=_("I agree to receive text messages from PeerPath at this number"),
        required=False,
        help_text=_("Message and data rates may apply. Reply STOP to any text to stop, HELP for help."),
    )
    quiet_from = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("No e-mail or texts in these hours (crisis alerts still come); they wait until the end."),
    )
    quiet_until = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        required=False,
        help_text=_("Quiet hours are read in it, clock changes included."),
        # The zones' names are identifiers (America/Chicago), the same in every language.
        widget=forms.Select(attrs={"translate": "no"}),
    )
    digest = forms.BooleanField(
        label=_("One e-mail a day instead of one per message"),
        required=False,
        help_text=_("Urgent messages still come at once."),
    )

    def __init__(self, *args: Any, preferences: Preferences, **kwargs: Any) -> None:
        initial = {
            "phone": preferences.phone,
            "texts": preferences.texts_allowed,
            "quiet_from": preferences.quiet_from,
            "quiet_until": preferences.quiet_until,
            "time_zone": preferences.time_zone,
            "digest": preferences.digest,
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        installation = _("The program's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            ("", installation),
            *((zone, zone.replace("_", " ")) for zone in time_zone_choices()),
        ]
        texts_on = sms.enabled()
        if not texts_on:
            del self.fields["phone"]
            del self.fields["texts"]
        self.kinds = kinds.every_kind()
        for kind in self.kinds:
            offered = [(c.value, c.label) for c in Channel if c.value in kind.allowed]
            if not texts_on:
                offered = [o for o in offered if o[0] != Channel.SMS]
            label, audience = cast(str, kind.label), cast(str, kind.audience)  # lazy strings render as text
            self.fields[kind_field_name(kind)] = forms.MultipleChoiceField(
                label=label,
                choices=offered,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=sorted(channels_for(preferences, kind)),
                help_text=_("Always shown in the app: it is urgent.") if kind.urgent else audience,
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind_field_name(k)] for k in self.kinds]

    def other_fields(self) -> list[forms.BoundField]:
        names = {kind_field_name(k) for k in self.kinds}
        return [self[name] for name in self.fields if name not in names]

    def chosen_channels(self) -> dict[str, list[str]]:
        return {k.key: list(self.cleaned_data.get(kind_field_name(k)) or []) for k in self.kinds}
