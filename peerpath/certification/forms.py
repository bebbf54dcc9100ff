from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.certification.models import CertificationSettings, CompetencyRating, Level, NextStep, Outcome
from peerpath.core.forms import choice_field
from peerpath.training.models import CECategory

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
            "renewal_cycle_months",
            "ce_hours_required",
            "ce_ethics_hours_required",
            "grace_period_days",
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
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("A certificate of attendance or similar: PDF, image or document, up to 10 MB."),
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
