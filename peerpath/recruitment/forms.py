from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import choice_field, model_choice_field
from peerpath.core.permissions import Role
from peerpath.programs.models import FocusArea, Membership, Program
from peerpath.recruitment.models import (
    ContactPreference,
    Decision,
    Difference,
    RedFlag,
    ScreeningQuestion,
    Source,
    Stage,
)


def split_languages(value: str) -> list[str]:
    """'Spanish, english ; ASL' -> ['Spanish', 'English', 'ASL'] (deduplicated, in order)."""
    seen: dict[str, str] = {}
    for part in value.replace(";", ",").split(","):
        name = part.strip()
        if name and name.lower() not in seen:
            seen[name.lower()] = name if not name.islower() else name.capitalize()
    return list(seen.values())


class ApplicationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Your e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        label=_("How should we contact you?"), choices=ContactPreference.choices, widget=forms.RadioSelect
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Which of these have you lived through yourself?"),
        queryset=FocusArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    motivation = forms.CharField(
        label=_("Why do you want to become a peer supporter?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    availability = forms.CharField(
        label=_("When are you available, and how much time could you give?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    languages = forms.CharField(
        label=_("Languages you speak"), help_text=_("Separate them with commas, e.g. English, Spanish."), max_length=300
    )
    source = forms.ChoiceField(label=_("How did you hear about us?"), choices=Source.choices, widget=forms.RadioSelect)
    clinician_name = forms.CharField(label=_("Name of the clinician who referred you"), max_length=200, required=False)
    source_detail = forms.CharField(label=_("Anything more about how you heard of us?"), max_length=200, required=False)
    consent_to_contact = forms.BooleanField(
        label=_("I agree that the program may contact me about my application."),
        error_messages={"required": _("We can only process your application if we may contact you.")},
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "focus_areas").queryset = FocusArea.objects.filter(program=program, is_active=True)

    def clean_languages(self) -> list[str]:
        languages = split_languages(self.cleaned_data["languages"])
        if not languages:
            raise forms.ValidationError(_("Name at least one language."))
        return languages

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("source") == Source.CLINICIAN and not (data.get("clinician_name") or "").strip():
            self.add_error("clinician_name", _("Please tell us the name of the clinician who referred you."))
        if data.get("preferred_contact") in {ContactPreference.PHONE, ContactPreference.TEXT} and not data.get("phone"):
            self.add_error("phone", _("Give a phone number so we can call or text you."))
        return data


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Search name or e-mail"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices])
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All sources")), *Source.choices])


def staff_choices(program: Program) -> list[tuple[int, str]]:
    rows = Membership.objects.filter(program=program).staff().select_related("user").order_by("user__full_name")
    return [(m.user_id, m.user.full_name) for m in rows]


class InterviewScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label=_("Where (place, phone number or video link)"), max_length=200)
    interviewer = forms.TypedChoiceField(label=_("Interviewer"), coerce=int)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "interviewer").choices = staff_choices(program)

    def clean_scheduled_for(self) -> dt.datetime:
        value = self.cleaned_data["scheduled_for"]
        if value < timezone.now() - dt.timedelta(days=1):
            raise forms.ValidationError(_("Schedule the interview for today or later."))
        return value


class ScreeningRecordForm(forms.Form):
    """One answer field per active screening question and a check box and note per red flag."""

    notes = forms.CharField(label=_("Overall notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, program: Program, interview: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(ScreeningQuestion.objects.filter(program=program, is_active=True))
        self.flags = list(RedFlag.objects.filter(program=program, is_active=True))
        answers = {a.question_id: a.answer for a in interview.answers.all()}
        noted = {n.red_flag_id: n.note for n in interview.red_flags.all()}
        for q in self.questions:
            self.fields[f"q_{q.pk}"] = forms.CharField(
                label=q.text,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=answers.get(q.pk, ""),
                help_text=q.get_factor_display(),
            )
        for f in self.flags:
            self.fields[f"flag_{f.pk}"] = forms.BooleanField(label=f.text, required=False, initial=f.pk in noted)
            self.fields[f"flagnote_{f.pk}"] = forms.CharField(
                label=_("Note on: %(question)s") % {"question": f.text},
                required=False,
                max_length=2000,
                initial=noted.get(f.pk, ""),
            )
        if interview.notes:
            self.fields["notes"].initial = interview.notes

    def question_fields(self) -> list[Any]:
        return [self[f"q_{q.pk}"] for q in self.questions]

    def flag_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"flag_{f.pk}"], self[f"flagnote_{f.pk}"]) for f in self.flags]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for f in self.flags:
            if data.get(f"flagnote_{f.pk}") and not data.get(f"flag_{f.pk}"):
                self.add_error(f"flag_{f.pk}", _("Tick the red flag you wrote a note about, or clear the note."))
        return data

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}", "") for q in self.questions}

    def red_flags(self) -> dict[int, str]:
        return {
            f.pk: self.cleaned_data.get(f"flagnote_{f.pk}", "")
            for f in self.flags
            if self.cleaned_data.get(f"flag_{f.pk}")
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "Required to accept someone with a red flag noted: why you accept them "
            "(kept with the decision; the audit log records that you wrote it)."
        ),
    )
    revisit_on = forms.DateField(
        label=_("Revisit on (not yet)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    redirect_role = forms.CharField(label=_("Other volunteering role (redirect)"), max_length=200, required=False)
    decline_reason = forms.CharField(
        label=_("Reason (decline)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    may_reapply_after = forms.DateField(
        label=_("May re-apply after (decline, optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "to_stage").choices = choices


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label=_("Milestone"), max_length=200, help_text=_("For example: led an information session.")
    )
    achieved_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ScreeningQuestionForm(forms.ModelForm):
    class Meta:
        model = ScreeningQuestion
        fields = ["factor", "text", "position", "is_active"]
        labels = {
            "factor": _("Area assessed"),
            "text": _("Question"),
            "position": _("Position in the list"),
            "is_active": _("In use"),
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class RedFlagForm(forms.ModelForm):
    class Meta:
        model = RedFlag
        fields = ["text", "position", "is_active"]
        labels = {"text": _("Red flag"), "position": _("Position in the list"), "is_active": _("In use")}


class SupervisorForm(forms.Form):
    supervisor = forms.TypedChoiceField(label=_("Supervisor"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = (
            Membership.objects.filter(program=program)
            .with_role(Role.SUPERVISOR)
            .select_related("user")
            .order_by("user__full_name")
        )
        choice_field(self, "supervisor").choices = [
            ("", _("No supervisor")),
            *[(m.user_id, m.user.full_name) for m in rows],
        ]


class ApplicationReviewForm(forms.Form):
    """Which of a repeat application's differing details to copy onto the person's record."""

    accept = forms.MultipleChoiceField(
        label=_("Accept these changes"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, differences: list[Difference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "accept").choices = [(d.name, d.label) for d in differences]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen them"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
