from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import choice_field, model_choice_field
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.programs.models import Competency, Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.models import (
    AttendanceStatus,
    CECategory,
    Cohort,
    Module,
    SessionKind,
    Topic,
    TrainingSession,
)
from peerpath.training.services import EXPERIENCED_STAGES, ce_subject_choices

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompetencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Competency) -> str:
        return f"{obj.number}. {obj.title}"


def competency_field(label: Any = None, required: bool = False) -> CompetencyChoiceField:
    return CompetencyChoiceField(
        label=label if label is not None else _("Competencies shown"),
        queryset=Competency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=required,
    )


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    position = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Taught (untick to retire the module)"), required=False, initial=True)


class TopicForm(forms.Form):
    module = forms.ModelChoiceField(label=_("Module"), queryset=Module.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    position = forms.IntegerField(label=_("Order within the module"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Taught (untick to retire the topic)"), required=False, initial=True)
    competencies = competency_field(_("Competencies this topic builds"), required=True)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "module").queryset = Module.objects.filter(program=program)
        model_choice_field(self, "competencies").queryset = Competency.objects.filter(program=program, is_active=True)


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("For example: Spring 2026 evening course."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    default_location = forms.CharField(label=_("Usual place"), max_length=200, required=False)
    trainers = TrainerChoiceField(label=_("Trainers"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trainer_ids = Membership.objects.filter(program=program).with_role(Role.TRAINER).values("user_id")
        model_choice_field(self, "trainers").queryset = User.objects.filter(pk__in=trainer_ids).order_by("full_name")


class EnrolForm(forms.Form):
    supporter = forms.ModelChoiceField(label=_("Person in training"), queryset=Supporter.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "supporter").queryset = candidates.order_by("full_name")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for leaving the course"), max_length=500)


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TrainingSession) -> str:
        return f"{obj.starts_at:%Y-%m-%d %H:%M} · {obj.title}"


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics covered"), queryset=Topic.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    makeup_for = SessionChoiceField(
        label=_("Make-up for (leave empty for a course session)"),
        queryset=TrainingSession.objects.none(),
        required=False,
    )
    description = forms.CharField(
        label=_("Notes for trainees"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, cohort: Cohort, exclude: TrainingSession | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "topics").queryset = Topic.objects.filter(
            program=cohort.program, is_active=True
        ).select_related("module")
        sessions = TrainingSession.objects.filter(cohort=cohort, kind=SessionKind.REGULAR, is_cancelled=False)
        if exclude is not None:
            sessions = sessions.exclude(pk=exclude.pk)
        model_choice_field(self, "makeup_for").queryset = sessions.order_by("starts_at")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=300)


class AttendanceForm(forms.Form):
    """One status choice and note per person on the roster."""

    def __init__(self, *args: Any, roster: list[Supporter], marks: dict[int, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roster = roster
        for person in roster:
            mark = marks.get(person.pk)
            self.fields[f"status_{person.pk}"] = forms.ChoiceField(
                label=person.full_name,
                choices=[("", _("Not marked")), *AttendanceStatus.choices],
                required=False,
                initial=mark.status if mark else "",
            )
            self.fields[f"note_{person.pk}"] = forms.CharField(
                label=_("Note for %(name)s") % {"name": person.full_name},
                max_length=300,
                required=False,
                initial=mark.note if mark else "",
            )

    def rows(self) -> list[dict[str, Any]]:
        return [{"person": p, "status": self[f"status_{p.pk}"], "note": self[f"note_{p.pk}"]} for p in self.roster]

    def marks(self) -> dict[int, tuple[str, str]]:
        return {
            p.pk: (self.cleaned_data[f"status_{p.pk}"], self.cleaned_data[f"note_{p.pk}"])
            for p in self.roster
            if self.cleaned_data.get(f"status_{p.pk}")
        }


class RolePlayForm(forms.Form):
    # The cohort page shows this form beside the shadowing form: prefixes keep their ids apart.
    prefix = "role_play"
    trainee = forms.ModelChoiceField(label=_("Trainee (played the supporter)"), queryset=Supporter.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    scenario = forms.CharField(label=_("Scenario"), widget=forms.Textarea(attrs={"rows": 3}))
    participant_played_by = forms.CharField(label=_("Who played the participant"), max_length=200)
    observer_notes = forms.CharField(
        label=_("Observer notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    competencies = competency_field()

    def __init__(self, *args: Any, cohort: Cohort, trainees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "trainee").queryset = trainees
        model_choice_field(self, "competencies").queryset = Competency.objects.filter(
            program=cohort.program, is_active=True
        )


class ShadowingForm(forms.Form):
    prefix = "shadowing"
    trainee = forms.ModelChoiceField(label=_("Trainee"), queryset=Supporter.objects.none())
    experienced_supporter = forms.ModelChoiceField(label=_("Experienced supporter"), queryset=Supporter.objects.none())
    shadowed_on = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_value=24, decimal_places=2)
    reflection = forms.CharField(
        label=_("Trainee's reflection"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    competencies = competency_field()

    def __init__(self, *args: Any, program: Program, trainees: Any | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if trainees is None:
            del self.fields["trainee"]
        else:
            model_choice_field(self, "trainee").queryset = trainees
        model_choice_field(self, "experienced_supporter").queryset = Supporter.objects.filter(
            program=program, stage__in=EXPERIENCED_STAGES
        ).order_by("full_name")
        model_choice_field(self, "competencies").queryset = Competency.objects.filter(program=program, is_active=True)


class ShadowingCommentForm(forms.Form):
    comment = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}))


HELPFUL_CHOICES = [
    (5, _("5: very helpful")),
    (4, "4"),
    (3, "3"),
    (2, "2"),
    (1, _("1: not helpful")),
]


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("How helpful was it?"), choices=HELPFUL_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    learn_more = forms.CharField(
        label=_("What would you like to learn more about?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comments = forms.CharField(
        label=_("Anything else?"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefresherForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("For example: Monthly teleconference, March.")
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online or phone-conference link"), required=False, assume_scheme="https")
    credited_hours = forms.DecimalField(
        label=_("Continuing-education hours credited to attendees"), min_value=0, max_value=40, decimal_places=2
    )
    ce_category = forms.ChoiceField(label=_("Category of those hours"), choices=CECategory.choices)

    def __init__(self, *args: Any, program: Program | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if program is not None:
            # The program's own subjects (certification's renewal-rule page edits them).
            choice_field(self, "ce_category").choices = ce_subject_choices(program)

    description = forms.CharField(
        label=_("Description (topic, guest speaker)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
