from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import choice_field
from peerpath.hours.models import LOGGABLE_KINDS, HoursSettings
from peerpath.hours.services import SETTINGS_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DutyForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(
        label=_("Kind of duty"),
        choices=[(k.value, k.label) for k in LOGGABLE_KINDS],
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("What you did"), max_length=200)
    minutes = forms.IntegerField(
        label=_("How long (minutes)"),
        min_value=5,
        max_value=24 * 60,
        help_text=_("Preparation and travel included; 90 minutes is an hour and a half."),
    )
    description = forms.CharField(
        label=_("Details for the coordinator"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return to the supporter"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when returning."),
    )


class HoursSettingsForm(forms.ModelForm):
    class Meta:
        model = HoursSettings
        fields = SETTINGS_FIELDS


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "year").choices = [(y, str(y)) for y in years]
