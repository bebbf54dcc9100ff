"""The plan's forms. The services validate again; these give each field its label and help."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.plans.models import Goal, GoalStatus, NeedStatus, PlanSettings, ReferralState, Resource, StepOwner
from peerpath.support.models import Concern

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


class NeedsForm(forms.Form):
    """The needs checklist: where each need of the program's list stands, and a note."""

    def __init__(self, *args: Any, rows: list[tuple[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        super().__init__(*args, **kwargs)
        self.names = [name for name, _need in rows]
        choices = [("", _("Not a need")), *NeedStatus.choices]
        for index, (name, need) in enumerate(rows):
            self.fields[f"status_{index}"] = forms.ChoiceField(label=name, choices=choices, required=False)
            self.fields[f"note_{index}"] = forms.CharField(
                label=_("Note on %(need)s (optional)") % {"need": name}, required=False, max_length=2000
            )
            if need is not None:
                self.initial[f"status_{index}"] = need.status
                self.initial[f"note_{index}"] = need.note

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(name, self[f"status_{i}"], self[f"note_{i}"]) for i, name in enumerate(self.names)]

    def values(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {name: (data.get(f"status_{i}", ""), data.get(f"note_{i}", "")) for i, name in enumerate(self.names)}

    def field_of(self, name: str) -> str | None:
        return f"status_{self.names.index(name)}" if name in self.names else None


def split_names(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation (optional)"), max_length=200, required=False)
    offers = forms.CharField(label=_("What they offer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.MultipleChoiceField(label=_("Needs it meets"), required=False, widget=forms.CheckboxSelectMultiple)
    eligibility = forms.CharField(label=_("Who can use it"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    languages = forms.CharField(
        label=_("Languages"), required=False, max_length=300, help_text=_("Separated by commas: English, Spanish")
    )
    hours = forms.CharField(label=_("Opening hours"), required=False, max_length=200)
    area = forms.CharField(label=_("Area served"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=60)
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.URLField(label=_("Website"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    is_active = forms.BooleanField(label=_("Listed in the directory"), required=False, initial=True)

    def __init__(self, *args: Any, need_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["needs"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(n, n) for n in need_names]

    def clean_languages(self) -> list[str]:
        return split_names(self.cleaned_data.get("languages") or "")


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    need = forms.ChoiceField(label=_("Need"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    area = forms.CharField(label=_("Area"), required=False, max_length=100)

    def __init__(self, *args: Any, need_names: list[str], languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        need_field, language_field = self.fields["need"], self.fields["language"]
        assert isinstance(need_field, forms.ChoiceField) and isinstance(language_field, forms.ChoiceField)
        need_field.choices = [("", _("Any need")), *[(n, n) for n in need_names]]
        language_field.choices = [("", _("Any language")), *[(x, x) for x in languages]]


def concern_label(concern: Concern) -> str:
    return f"{concern.get_kind_display()} {concern.raised_at:%Y-%m-%d}"


class ReferralForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("Resource from the directory"), queryset=Resource.objects.none(), required=False
    )
    resource_name = forms.CharField(label=_("…or name one not in the directory"), required=False, max_length=200)
    need = forms.ChoiceField(label=_("The need it answers"), required=False)
    concern = forms.ModelChoiceField(
        label=_("From a concern (optional)"), queryset=Concern.objects.none(), required=False
    )
    follow_up_on = forms.DateField(label=_("Check how it went on (optional)"), required=False, widget=DATE)
    handoff_notes = forms.CharField(
        label=_("Warm handoff notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who you spoke to there, what you told them, what the participant agreed to."),
    )

    def __init__(self, *args: Any, relationship: Any, need_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        resource, concern, need = self.fields["resource"], self.fields["concern"], self.fields["need"]
        assert isinstance(resource, forms.ModelChoiceField) and isinstance(concern, forms.ModelChoiceField)
        assert isinstance(need, forms.ChoiceField)
        resource.queryset = Resource.objects.filter(program=relationship.program, is_active=True).order_by("name")
        concern.queryset = Concern.objects.filter(relationship=relationship).order_by("-raised_at")
        concern.label_from_instance = concern_label  # type: ignore[method-assign,assignment]
        need.choices = [("", "—"), *[(n, n) for n in need_names]]


class ReferralMoveForm(forms.Form):
    to = forms.ChoiceField(choices=ReferralState.choices)
    note = forms.CharField(label=_("What happened (optional)"), required=False, max_length=2000)
    follow_up_on = forms.DateField(label=_("Check how it went on (optional)"), required=False, widget=DATE)
