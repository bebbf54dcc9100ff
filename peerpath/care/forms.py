from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.care.models import (
    CareSettings,
    DebriefKind,
    MeetingKind,
    Questionnaire,
    RecognitionKind,
    TaskStatus,
)
from peerpath.care.services.common import SETTINGS_FIELDS
from peerpath.care.stages import Audience
from peerpath.core.forms import choice_field, model_choice_field
from peerpath.core.permissions import Role
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SupporterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Supporter) -> str:
        return f"{obj.full_name} ({obj.get_stage_display()})"


class SupporterMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Supporter) -> str:
        return obj.full_name


class CareSettingsForm(forms.ModelForm):
    class Meta:
        model = CareSettings
        fields = SETTINGS_FIELDS

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questionnaire = model_choice_field(self, "checkin_questionnaire")
        questionnaire.queryset = Questionnaire.objects.filter(program=program, is_active=True)
        questionnaire.empty_label = _("No check-ins")


def supervisor_choices(program: Program) -> list[tuple[int, str]]:
    rows = (
        Membership.objects.filter(program=program)
        .active()
        .filter(Q(is_supervisor=True) | Q(is_coordinator=True))
        .select_related("user")
        .order_by("user__full_name")
    )
    return [(m.user_id, m.user.full_name) for m in rows]


def supervisor_only_choices(program: Program) -> list[tuple[int, str]]:
    rows = Membership.objects.filter(program=program).with_role(Role.SUPERVISOR).select_related("user")
    return [(m.user_id, m.user.full_name) for m in rows.order_by("user__full_name")]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices, widget=forms.RadioSelect)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=5, max_value=600)
    supervisor = forms.TypedChoiceField(label=_("Led by"), coerce=int)
    attendees = SupporterMultipleChoiceField(
        label=_("Supporters who attended"), queryset=Supporter.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    topics = forms.CharField(
        label=_("Topics"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000
    )
    follow_ups = forms.CharField(
        label=_("Agreed follow-ups"),
        help_text=_("One per line; each becomes a task for the person who led the meeting."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    follow_up_due_on = forms.DateField(label=_("Follow-ups due by"), required=False, widget=DATE)
    task = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, program: Program, attendees: QuerySet[Supporter], edit: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "supervisor").choices = supervisor_choices(program)
        model_choice_field(self, "attendees").queryset = attendees
        if edit:
            for name in ("follow_ups", "follow_up_due_on", "task"):
                del self.fields[name]

    def follow_up_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("follow_ups", "").splitlines() if line.strip()]


class TaskDoneForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(TaskStatus.OPEN, _("Open")), (TaskStatus.DONE, _("Done"))], required=False
    )
    who = forms.ChoiceField(
        label=_("Assigned to"),
        choices=[("mine", _("Me")), ("all", _("Everyone")), ("unassigned", _("Nobody (coordinators)"))],
        required=False,
    )


class SupportersFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    supervisor = forms.TypedChoiceField(label=_("Supervisor"), coerce=int, required=False, empty_value=None)
    include_trainees = forms.BooleanField(
        label=_("Include trainees (in training, assessed, certified)"), required=False
    )

    def __init__(self, *args: Any, program: Program, coordinator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if coordinator:
            choice_field(self, "supervisor").choices = [
                ("", _("Anyone")),
                (0, _("No supervisor")),
                *supervisor_only_choices(program),
            ]
        else:
            del self.fields["supervisor"]


class DebriefForm(forms.Form):
    kind = forms.ChoiceField(label=_("What are you debriefing?"), choices=DebriefKind.choices, widget=forms.RadioSelect)
    occurred_on = forms.DateField(label=_("When was it?"), widget=DATE)
    what_happened = forms.CharField(
        label=_("What happened?"),
        help_text=_("Leave out names and details that could identify the people you support."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )
    went_well = forms.CharField(
        label=_("What went well?"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    was_hard = forms.CharField(
        label=_("What was hard?"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    topics = forms.CharField(
        label=_("Topics you would like covered in a refresher or teleconference"),
        help_text=_("One per line, or separated by commas."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    wants_to_talk = forms.BooleanField(label=_("I would like to talk to someone about this"), required=False)


class CheckInForm(forms.Form):
    """One radio group per item, then the two requests and a comment."""

    needs_break = forms.BooleanField(label=_("I need a break"), required=False)
    wants_to_talk = forms.BooleanField(label=_("I would like to talk to someone"), required=False)
    comment = forms.CharField(
        label=_("Anything you would like your supervisor to know? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(questionnaire.items.all())
        choices = [(str(o["value"]), o["label"]) for o in questionnaire.scale]
        item_fields = {
            f"item_{item.number}": forms.TypedChoiceField(
                label=_("%(number)s. %(text)s") % {"number": item.number, "text": item.text},
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )
            for item in self.items
        }
        self.fields = {**item_fields, **self.fields}

    def answers(self) -> dict[int, int]:
        return {item.number: self.cleaned_data[f"item_{item.number}"] for item in self.items}

    def item_fields(self) -> list[Any]:
        return [self[f"item_{item.number}"] for item in self.items]


class QuestionnaireImportForm(forms.Form):
    file = forms.FileField(label=_("Questionnaire file (JSON)"), help_text=_("The format is described in the README."))
    use_for_checkins = forms.BooleanField(label=_("Use it for check-ins from now on"), required=False)


class BreakRequestForm(forms.Form):
    starts_on = forms.DateField(label=_("First day of the break"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Last day of the break (optional)"),
        help_text=_("Leave empty if you do not know yet; you can tell us when you are back."),
        required=False,
        widget=DATE,
    )
    reason = forms.CharField(
        label=_("Anything you would like to share about why? (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class BreakRecordForm(BreakRequestForm):
    supporter = SupporterChoiceField(label=_("Supporter"), queryset=Supporter.objects.none())

    field_order = ["supporter", "starts_on", "ends_on", "reason"]

    def __init__(self, *args: Any, supporters: QuerySet[Supporter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "supporter").queryset = supporters
        self.fields["reason"].label = _("Reason (optional)")


class BuddyPairForm(forms.Form):
    first = SupporterChoiceField(label=_("First supporter"), queryset=Supporter.objects.none())
    second = SupporterChoiceField(label=_("Second supporter"), queryset=Supporter.objects.none())
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)

    def __init__(self, *args: Any, supporters: QuerySet[Supporter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "first").queryset = supporters
        model_choice_field(self, "second").queryset = supporters


class RecognitionForm(forms.Form):
    supporter = SupporterChoiceField(label=_("Supporter"), queryset=Supporter.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=RecognitionKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("e.g. 'Three years of service'."))
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    given_on = forms.DateField(label=_("Date"), widget=DATE)
    event_name = forms.CharField(label=_("Event (for an award)"), required=False, max_length=200)
    milestone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)
    notify = forms.BooleanField(label=_("Tell them by e-mail"), required=False, initial=True)

    def __init__(self, *args: Any, supporters: QuerySet[Supporter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "supporter").queryset = supporters


class RefresherForm(forms.Form):
    topic_key = forms.CharField(widget=forms.HiddenInput, max_length=300)
    label = forms.CharField(widget=forms.HiddenInput, max_length=300)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    location = forms.CharField(label=_("Where (place, phone line or video link)"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    credited_hours = forms.DecimalField(
        label=_("Continuing-education hours"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, initial=0
    )


def default_refresher_times() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0) + dt.timedelta(days=14)
    return start, start + dt.timedelta(hours=1, minutes=30)


class NewsletterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=50000,
        help_text=_("Plain text. Blank lines start new paragraphs."),
    )
    audiences = forms.MultipleChoiceField(
        label=_("Send to"), choices=Audience.CHOICES, widget=forms.CheckboxSelectMultiple
    )


class NewsletterPreferenceForm(forms.Form):
    receive = forms.BooleanField(label=_("Send me the program's updates and newsletters by e-mail"), required=False)


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "year").choices = [(y, str(y)) for y in years]
