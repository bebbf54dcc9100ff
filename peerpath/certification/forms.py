from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.certification.models import (
    CertificationSettings,
    CERule,
    CompetencyRating,
    DeliveryMode,
    Level,
    NextStep,
    Outcome,
)
from peerpath.core.forms import choice_field
from peerpath.programs.models import Program
from peerpath.training.models import CECategory, CESubject
from peerpath.training.services import ce_subject_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CertificationSettings
        fields = [
            "credential_name",
            "min_attendance_percent",
            "allow_provisional",
            "max_developing_for_provisional",
            "reassessment_days",
        ]
        labels = {"credential_name": _("Credential name")}


class RatingsForm(forms.Form):
    """A level and evidence notes per active competency."""

    def __init__(self, *args: Any, competencies: list[Any], ratings: dict[int, CompetencyRating], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        for c in competencies:
            rating = ratings.get(c.pk)
            self.fields[f"level_{c.pk}"] = forms.ChoiceField(
                label=f"{c.number}. {c.title}",
                choices=Level.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=rating.level if rating else None,
            )
            self.fields[f"notes_{c.pk}"] = forms.CharField(
                label=_("Evidence notes for competency %(number)s") % {"number": c.number},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=rating.evidence_notes if rating else "",
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"competency": c, "level": self[f"level_{c.pk}"], "notes": self[f"notes_{c.pk}"]} for c in self.competencies
        ]

    def ratings(self) -> dict[int, tuple[str, str]]:
        return {
            c.pk: (self.cleaned_data[f"level_{c.pk}"], self.cleaned_data[f"notes_{c.pk}"].strip())
            for c in self.competencies
            if self.cleaned_data.get(f"level_{c.pk}")
        }


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    override_reason = forms.CharField(
        label=_("Reason for choosing another outcome than the rules give"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required only when you override the computed outcome; it is kept in the audit log."),
    )
    plan_what = forms.CharField(
        label=_("Development plan: what they will work on"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For provisional certification."),
    )
    plan_who = forms.CharField(label=_("Development plan: who helps"), required=False, max_length=300)
    reassessment_due = forms.DateField(label=_("Reassessment deadline"), required=False, widget=DATE)
    next_step = forms.ChoiceField(
        label=_("If not graduated: what next"), choices=[("", "—"), *NextStep.choices], required=False
    )
    next_step_note = forms.CharField(
        label=_("Next steps, in words"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, allowed: Collection[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "outcome").choices = [(v, label) for v, label in Outcome.choices if v in allowed]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), widget=forms.Textarea(attrs={"rows": 2}))


class CEActivityForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    title = forms.CharField(label=_("Title of the course or activity"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_value=100, decimal_places=2)
    category = forms.ChoiceField(label=_("Category"), choices=CECategory.choices)
    delivery = forms.ChoiceField(
        label=_("How it was delivered"),
        choices=DeliveryMode.choices,
        initial=DeliveryMode.LIVE,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Live: in person or online at a set time. Self-paced: on your own time (reading, recorded)."),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("A certificate of attendance or similar: PDF, image or document, up to 10 MB."),
    )

    def __init__(self, *args: Any, program: Program | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if program is not None:
            choice_field(self, "category").choices = ce_subject_choices(program)

    def clean_delivery(self) -> str:
        return str(self.cleaned_data.get("delivery") or DeliveryMode.LIVE)


class CERuleForm(forms.ModelForm):
    """A new version of the renewal rule, with a minimum field per subject of the program."""

    class Meta:
        model = CERule
        fields = [
            "name",
            "cycle_months",
            "total_hours",
            "live_minimum_hours",
            "self_paced_cap_hours",
            "live_cap_hours",
            "same_course_once",
            "grace_days",
        ]

    def __init__(self, *args: Any, subjects: list[CESubject], minimums: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subjects = subjects
        for subject in subjects:
            self.fields[f"min_{subject.key}"] = forms.DecimalField(
                label=_("Minimum in %(subject)s (hours)") % {"subject": subject.name},
                required=False,
                min_value=0,
                max_value=200,
                decimal_places=1,
                initial=minimums.get(subject.key),
            )

    def minimums(self) -> dict[str, Any]:
        return {s.key: self.cleaned_data.get(f"min_{s.key}") for s in self.subjects}


class PresetForm(forms.Form):
    # The presets are data (certification/ce_presets.json), in English for now.
    preset = forms.ChoiceField(label=_("Preset"), choices=[], widget=forms.Select(attrs={"translate": "no"}))

    def __init__(self, *args: Any, presets: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "preset").choices = [(p["key"], p["name"]) for p in presets]


class SubjectForm(forms.Form):
    name = forms.CharField(label=_("Subject"), max_length=100)


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
