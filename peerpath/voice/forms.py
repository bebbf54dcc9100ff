"""Forms of the participant's voice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.care.models import Questionnaire
from peerpath.voice.models import Fit, Heard, MeasurePoint, ShareConsent, SummarySection, VoiceSettings


class AnswerForm(forms.Form):
    """The feedback questions in plain words, then one radio group per item of each measure."""

    felt_heard = forms.ChoiceField(
        label=_("Did you feel heard by your peer supporter?"),
        choices=Heard.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer.")},
    )
    good_fit = forms.ChoiceField(
        label=_("Is this a good fit for you?"),
        choices=Fit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer.")},
    )
    message = forms.CharField(
        label=_("Anything you want the program to know? (optional)"),
        help_text=_("Only the program's coordinators read this. Your supporter does not see it."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, questionnaires: list[Questionnaire], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires = questionnaires
        for questionnaire in questionnaires:
            choices = [(str(o["value"]), o["label"]) for o in questionnaire.scale]
            for item in questionnaire.items.all():
                self.fields[f"m{questionnaire.pk}_{item.number}"] = forms.TypedChoiceField(
                    label=item.text,
                    choices=choices,
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose an answer.")},
                )

    def measure_groups(self) -> list[tuple[Questionnaire, list[Any]]]:
        return [(q, [self[f"m{q.pk}_{item.number}"] for item in q.items.all()]) for q in self.questionnaires]

    def measure_answers(self) -> dict[int, dict[int, int]]:
        return {
            q.pk: {item.number: self.cleaned_data[f"m{q.pk}_{item.number}"] for item in q.items.all()}
            for q in self.questionnaires
        }


class SettingsForm(forms.ModelForm):
    class Meta:
        model = VoiceSettings
        fields = [
            "feedback_links",
            "feedback_every_days",
            "link_valid_days",
            "supporter_minimum_answers",
            "outcome_measures",
            "outcome_every_months",
        ]
        widgets = {"outcome_measures": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outcome_measures"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Questionnaire.objects.filter(program=program, is_active=True)


class RematchForm(forms.Form):
    note = forms.CharField(label=_("Note for the rematch (optional)"), max_length=500, required=False)


class OutcomeForm(forms.Form):
    """One outcome measure completed with the supporter: when in the support, then the items."""

    point = forms.ChoiceField(
        label=_("When in their support is this?"), choices=MeasurePoint.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(questionnaire.items.all())
        choices = [(str(o["value"]), o["label"]) for o in questionnaire.scale]
        for item in self.items:
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=_("%(number)s. %(text)s") % {"number": item.number, "text": item.text},
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    def item_fields(self) -> list[Any]:
        return [self[f"item_{item.number}"] for item in self.items]

    def answers(self) -> dict[int, int]:
        return {item.number: self.cleaned_data[f"item_{item.number}"] for item in self.items}


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _consent_label(consent: ShareConsent) -> str:
    return f"{consent.recipient} ({', '.join(consent.scope_labels())})"


class SummaryForm(forms.Form):
    """The range of a progress summary, and whom it is prepared for."""

    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    consent = forms.ModelChoiceField(
        label=_("Prepare it for"),
        queryset=ShareConsent.objects.none(),
        required=False,
        empty_label=_("The program (supervision)"),
        help_text=_("A clinician or agency the participant agreed to share with: only what they agreed to."),
    )

    def __init__(self, *args: Any, consents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["consent"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = consents
        field.label_from_instance = _consent_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end comes after the start."))
        return data


class ConsentForm(forms.Form):
    recipient = forms.CharField(
        label=_("Clinician or agency"), max_length=200, help_text=_("By name, as the participant agreed.")
    )
    scope = forms.MultipleChoiceField(
        label=_("They may receive"), choices=SummarySection.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(label=_("Consent ends on"), widget=DATE)
