from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import model_choice_field
from peerpath.credentials.models import QualificationOutcome, QualificationType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QualificationTypeForm(forms.ModelForm):
    class Meta:
        model = QualificationType
        fields = [
            "name",
            "kind",
            "description",
            "valid_months",
            "references_needed",
            "agreement_text",
            "for_new_matches",
            "for_facilitating",
            "for_training_others",
            "missing_holds_back",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "agreement_text": forms.Textarea(attrs={"rows": 6}),
        }


class RecordForm(forms.Form):
    qtype = forms.ModelChoiceField(label=_("Qualification"), queryset=QualificationType.objects.none())
    obtained_on = forms.DateField(label=_("Date"), widget=DATE)
    expires_on = forms.DateField(
        label=_("Expires on"), widget=DATE, required=False, help_text=_("Empty: the qualification's usual validity.")
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=QualificationOutcome.choices)
    detail = forms.CharField(
        label=_("Detail"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who gave the reference, the check's reference number... Kept encrypted."),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("PDF, image or document, up to 10 MB; only coordinators can open it."),
    )

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "qtype").queryset = QualificationType.objects.filter(program=program, is_active=True)


class SignForm(forms.Form):
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=200)
    agree = forms.BooleanField(label=_("I have read the text above and agree to it."))
