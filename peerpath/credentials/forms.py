from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import model_choice_field
from peerpath.credentials.models import CredentialSettings, QualificationOutcome, QualificationType, TrainingDomain
from peerpath.training.models import Topic

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


class CredentialSettingsForm(forms.ModelForm):
    class Meta:
        model = CredentialSettings
        fields = [
            "name",
            "body",
            "supervised_hours_required",
            "experience_hours_required",
            "documents",
            "exam_required",
            "exam_pass_score",
        ]
        widgets = {"documents": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "documents").queryset = QualificationType.objects.filter(program=program)


class DomainForm(forms.ModelForm):
    class Meta:
        model = TrainingDomain
        fields = ["name", "hours_required", "topics"]
        widgets = {"topics": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "topics").queryset = Topic.objects.filter(program=program, is_active=True)


class ExternalTrainingForm(forms.Form):
    domain = forms.ModelChoiceField(label=_("Domain"), queryset=TrainingDomain.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    taken_on = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_value=200, decimal_places=2)

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "domain").queryset = TrainingDomain.objects.filter(program=program)


class ExamForm(forms.Form):
    taken_on = forms.DateField(label=_("Date of the exam"), widget=DATE)
    score = forms.IntegerField(label=_("Score (%)"), min_value=0, max_value=100)
