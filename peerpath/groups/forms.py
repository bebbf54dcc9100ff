"""The groups pages' forms: what people type, checked for shape; the rules are in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.groups.models import Answer, Audience, Group, GroupKind, GroupMember, GroupSettings
from peerpath.programs.models import Competency, FocusArea, Program
from peerpath.recruitment.models import ContactPreference, Supporter
from peerpath.support.forms import ConcernForm
from peerpath.support.models import Participant
from peerpath.training.services import ce_subject_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SupporterChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class SupporterChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class GroupForm(forms.ModelForm):
    co_facilitators = SupporterChoices(
        label=_("Co-facilitators"),
        queryset=Supporter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Lived-experience areas"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Whom the group is for (a grief group, a veterans' group); the funder report counts its "
            "sessions under these areas. None: not specific to an area."
        ),
    )

    class Meta:
        model = Group
        fields = [
            "kind",
            "name",
            "description",
            "frequency",
            "weekday",
            "nth",
            "starts_on",
            "ends_on",
            "start_time",
            "duration_minutes",
            "place",
            "online_url",
            "capacity",
            "admission",
            "listed",
            "lead",
            "is_active",
        ]
        labels = {
            "kind": _("Kind"),
            "name": _("Name"),
            "description": _("Description"),
            "frequency": _("How often"),
            "weekday": _("Day of the week"),
            "nth": _("Which week of the month (monthly and quarterly series)"),
            "starts_on": _("First session"),
            "ends_on": _("Last date (optional)"),
            "start_time": _("Starts at"),
            "duration_minutes": _("Length (minutes)"),
            "place": _("Place"),
            "online_url": _("Online link"),
            "capacity": _("Places (empty: no limit)"),
            "admission": _("Who may come"),
            "listed": _("Show on the public page (when the program lists groups)"),
            "lead": _("Lead facilitator"),
            "is_active": _("Running (unticked: no new sessions are laid out)"),
        }
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "start_time": TIME,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, program: Program, eligible: list[Supporter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ModelChoiceField)
        kind.queryset = GroupKind.objects.filter(program=program, is_active=True)
        ids = [s.pk for s in eligible]
        lead = SupporterChoice(
            label=_("Lead facilitator"),
            queryset=Supporter.objects.filter(pk__in=ids).order_by("full_name"),
            required=False,
            help_text=_("Supporters whose credential is current (and who may facilitate)."),
        )
        self.fields["lead"] = lead
        co = self.fields["co_facilitators"]
        assert isinstance(co, forms.ModelMultipleChoiceField)
        co.queryset = Supporter.objects.filter(pk__in=ids).order_by("full_name")
        areas = self.fields["focus_areas"]
        assert isinstance(areas, forms.ModelMultipleChoiceField)
        areas.queryset = FocusArea.objects.filter(program=program, is_active=True)
        if self.instance.pk:
            self.initial["co_facilitators"] = list(self.instance.co_facilitators.all())
            self.initial["focus_areas"] = list(self.instance.focus_areas.all())


class KindForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    audience = forms.ChoiceField(label=_("Who it is for"), choices=Audience.choices, widget=forms.RadioSelect)
    position = forms.IntegerField(label=_("Order in lists"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class SettingsForm(forms.ModelForm):
    ce_category = forms.ChoiceField(
        label=_("Continuing-education category credited"),
        required=False,
        help_text=_("Empty: groups and events credit no CE hours."),
    )

    class Meta:
        model = GroupSettings
        fields = [
            "public_listing",
            "public_intro",
            "facilitation_competency",
            "weeks_ahead",
            "ce_category",
            "ce_for_events",
            "ce_for_facilitating",
        ]
        widgets = {"public_intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facilitation_competency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Competency.objects.filter(program=program, is_active=True)
        category = self.fields["ce_category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("None")), *ce_subject_choices(program)]


class EventAttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Who came"), queryset=Supporter.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, answered: list[Supporter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Supporter.objects.filter(pk__in=[s.pk for s in answered]).order_by("full_name")
        field.label_from_instance = lambda s: s.full_name  # type: ignore[method-assign,assignment]


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DATETIME)
    place = forms.CharField(label=_("Place (empty: the group's usual place)"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link (empty: the group's usual link)"), required=False)
    note = forms.CharField(
        label=_("Note to those registered"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E-mailed to the members and facilitators."),
    )


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Note to those registered"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E-mailed to the members and facilitators."),
    )


class ExtraSessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    place = forms.CharField(label=_("Place (empty: the group's usual place)"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link (empty: the group's usual link)"), required=False)
    note = forms.CharField(
        label=_("Note to those registered (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E-mailed to the members and facilitators with the new session."),
    )


class RestoreForm(forms.Form):
    note = forms.CharField(
        label=_("Note to those registered (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("They are e-mailed that the session takes place after all."),
    )


class MemberConcernForm(ConcernForm):
    """Support's concern form (the program's own questions), about one of the session's members."""

    member = forms.ModelChoiceField(label=_("About which member"), queryset=GroupMember.objects.none())

    def __init__(self, *args: Any, members: list[GroupMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = GroupMember.objects.filter(pk__in=[m.pk for m in members])
        names = {m.pk: m.participant.full_name for m in members}  # the page's read is audited
        field.label_from_instance = lambda m: names.get(m.pk, "")  # type: ignore[method-assign,assignment]
        self.order_fields(["member", "kind", *[name for name in self.fields if name.startswith("q_")], "notes"])


class AddMemberForm(forms.Form):
    participant = forms.ModelChoiceField(label=_("Participant"), queryset=Participant.objects.none())

    def __init__(self, *args: Any, participants: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Participant.objects.filter(pk__in=[p.pk for p in participants])
        # Names are shown to staff who may register participants (the page's read is audited).
        names = {p.pk: f"{p.full_name} ({p.reference})" for p in participants}
        field.label_from_instance = lambda p: names.get(p.pk, p.reference)  # type: ignore[method-assign,assignment]


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=GroupMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    first_time_drop_ins = forms.IntegerField(label=_("Drop-ins, first time"), min_value=0, max_value=500, initial=0)
    returning_drop_ins = forms.IntegerField(label=_("Drop-ins, returning"), min_value=0, max_value=500, initial=0)

    def __init__(self, *args: Any, members: list[GroupMember], takes_drop_ins: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = GroupMember.objects.filter(pk__in=[m.pk for m in members])
        names = {m.pk: m.participant.full_name for m in members}
        field.label_from_instance = lambda m: names.get(m.pk, str(m.pk))  # type: ignore[method-assign,assignment]
        if not takes_drop_ins:
            del self.fields["first_time_drop_ins"]
            del self.fields["returning_drop_ins"]


class NotesForm(forms.Form):
    topics = forms.CharField(
        label=_("Topics discussed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line. Leave out names."),
    )
    notes = forms.CharField(
        label=_("Facilitator notes"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept encrypted; read by the facilitators and coordinators."),
    )


class GroupDebriefForm(forms.Form):
    what_happened = forms.CharField(
        label=_("What happened?"),
        help_text=_("Leave out names and details that could identify the people in the group."),
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


class CoverForm(forms.Form):
    note = forms.CharField(label=_("Note for colleagues (optional)"), max_length=300, required=False)


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=Answer.choices, widget=forms.RadioSelect)


class JoinForm(forms.Form):
    """The public request to join a listed group: as little as the program needs to reply."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        label=_("How should we contact you?"), choices=ContactPreference.choices, widget=forms.RadioSelect
    )
    consent_given = forms.BooleanField(
        label=_("I agree that the program may contact me about this group and keep these details."),
        error_messages={"required": _("We can only reply if we may contact you.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone"):
            self.add_error("phone", _("Give a phone number or an e-mail address so we can reach you."))
        return data
