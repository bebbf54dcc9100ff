from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.practice.codes import Code
from peerpath.practice.models import PracticeSettings, Scenario, Step
from peerpath.practice.services import MAX_REPLY_LENGTH, SETTINGS_FIELDS
from peerpath.programs.models import Competency, Program
from peerpath.training.services import ce_subject_choices


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("Answer as you would in a real conversation."),
    )


class ScenarioForm(forms.ModelForm):
    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies it exercises"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Offered when a finished session is attached as evidence."),
    )

    class Meta:
        model = Scenario
        fields = ["title", "area", "persona", "situation", "hopes", "first_step", "is_published"]
        widgets = {
            "persona": forms.Textarea(attrs={"rows": 2}),
            "situation": forms.Textarea(attrs={"rows": 2}),
            "hopes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        competencies: Any = self.fields["competencies"]
        competencies.queryset = Competency.objects.filter(program=program, is_active=True)
        steps = Step.objects.filter(scenario=self.instance) if self.instance.pk else Step.objects.none()
        first: Any = self.fields["first_step"]
        first.queryset = steps
        first.help_text = _("Where the conversation starts. Add steps after saving the scenario.")
        if self.instance.pk:
            self.initial.setdefault("competencies", list(self.instance.competencies.values_list("pk", flat=True)))


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = ["key", "says", "risk_cue", "good_reply", "on_open", "on_other", "on_close", "on_missed_risk"]
        widgets = {"says": forms.Textarea(attrs={"rows": 3}), "good_reply": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Step.objects.filter(scenario=scenario)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        for name in ("on_open", "on_other", "on_close", "on_missed_risk"):
            field: Any = self.fields[name]
            field.queryset = others
            field.empty_label = _("(nowhere: the conversation ends)")
        self.fields["on_open"].help_text = _("After an open question, a reflection or an affirmation.")
        self.fields["on_close"].help_text = _("After advice without permission or judging.")
        self.fields["on_other"].help_text = _("After any other reply (and where a branch is left empty).")
        self.fields["on_missed_risk"].help_text = _("Only for a step with a risk cue: the cue was not checked.")


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    codes = forms.MultipleChoiceField(
        label=_("Codes"), choices=Code.choices, widget=forms.CheckboxSelectMultiple, required=True
    )


class EvidenceForm(forms.Form):
    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies this session shows"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        competencies: Any = self.fields["competencies"]
        competencies.queryset = Competency.objects.filter(program=program, is_active=True)


class PracticeSettingsForm(forms.ModelForm):
    ce_category = forms.ChoiceField(
        label=_("Continuing-education subject practice counts in"),
        required=False,
        help_text=_("Required when practice time counts as continuing education."),
    )

    class Meta:
        model = PracticeSettings
        fields = SETTINGS_FIELDS

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["ce_category"]
        category.choices = [("", "---------"), *ce_subject_choices(program)]
