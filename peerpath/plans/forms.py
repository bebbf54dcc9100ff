"""The plan's forms. The services validate again; these give each field its label and help."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.plans.models import Goal, GoalStatus, PlanSettings, StepOwner

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("The goal, in their own words"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('Write it as the participant says it, e.g. "Get back to walking the dog every morning".'),
    )
    target_on = forms.DateField(label=_("Target date (optional)"), required=False, widget=DATE)


class StepForm(forms.Form):
    text = forms.CharField(label=_("Step"), max_length=500)
    owner = forms.ChoiceField(label=_("Who takes it"), choices=StepOwner.choices, initial=StepOwner.TOGETHER)
    target_on = forms.DateField(label=_("By (optional)"), required=False, widget=DATE)
    done_on = forms.DateField(label=_("Done on (optional)"), required=False, widget=DATE)


class ProgressForm(forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(
        label=_("What moved"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class GoalMoveForm(forms.Form):
    to = forms.ChoiceField(choices=GoalStatus.choices)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    note = forms.CharField(
        label=_("What you agreed (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = PlanSettings
        fields = ["review_every_weeks", "need_areas"]
        widgets = {"need_areas": forms.Textarea(attrs={"rows": 10})}


class GoalsWorkedOnForm(forms.Form):
    """The contact form's part: which open goals the contact worked on, and what moved."""

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        kwargs["prefix"] = "plan"
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"worked_{goal.pk}"] = forms.BooleanField(label=goal.text, required=False)
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=_("What moved (optional)"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def rows(self) -> list[tuple[Goal, forms.BoundField, forms.BoundField]]:
        return [(g, self[f"worked_{g.pk}"], self[f"note_{g.pk}"]) for g in self.goals]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for goal in self.goals:
            if data.get(f"note_{goal.pk}", "").strip() and not data.get(f"worked_{goal.pk}"):
                self.add_error(f"worked_{goal.pk}", _("Tick the goal this note is about."))
        return data

    def worked_on(self) -> list[tuple[Goal, str]]:
        return [
            (g, self.cleaned_data.get(f"note_{g.pk}", ""))
            for g in self.goals
            if self.cleaned_data.get(f"worked_{g.pk}")
        ]


class GoalsMetForm(forms.Form):
    """The close form's part: with 'goals met', which goals were met."""

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        kwargs["prefix"] = "plan"
        super().__init__(*args, **kwargs)
        self.fields["goals_met"] = forms.MultipleChoiceField(
            label=_("Which goals were met? (with 'Goals met')"),
            required=False,
            choices=[(str(g.pk), g.text) for g in goals],
            widget=forms.CheckboxSelectMultiple,
            initial=[str(g.pk) for g in goals if g.status == GoalStatus.MET],
        )
