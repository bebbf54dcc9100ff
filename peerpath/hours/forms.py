from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import choice_field
from peerpath.groups.models import GroupKind
from peerpath.hours.models import LOGGABLE_KINDS, HoursSettings
from peerpath.hours.services import SETTINGS_FIELDS
from peerpath.programs.models import Program

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
    outreach_kinds = forms.MultipleChoiceField(
        label=_("Kinds of group counted as information sessions and outreach"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sessions of these kinds count as outreach given; sessions of the others as group sessions."),
    )

    class Meta:
        model = HoursSettings
        fields = SETTINGS_FIELDS

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = list(GroupKind.objects.filter(program=program).values_list("name", flat=True))
        choice_field(self, "outreach_kinds").choices = [(name, name) for name in names]


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "year").choices = [(y, str(y)) for y in years]
