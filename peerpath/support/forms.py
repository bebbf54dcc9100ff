from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from peerpath.core.forms import LanguageRadioSelect, LanguageSelect, choice_field, model_choice_field
from peerpath.core.permissions import Role
from peerpath.programs.models import FocusArea, Membership, Program
from peerpath.recruitment.forms import split_languages
from peerpath.recruitment.models import ContactPreference, Stage, Supporter
from peerpath.support.defaults import get_settings
from peerpath.support.models import (
    AdverseKind,
    AgeBand,
    Availability,
    Channel,
    CloseReason,
    ConcernKind,
    ContactKind,
    Criterion,
    Gender,
    Mode,
    ParticipantStatus,
    SupportSettings,
    SupportTask,
    SupportWanted,
    Urgency,
    lines,
)
from peerpath.support.offerings import groups_offered
from peerpath.support.services.matches import DECLINE_REASONS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _split_words(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


def add_support_wanted(form: forms.Form, program: Program, label: StrOrPromise) -> None:
    """Ask what support the person wants, first, when the program also offers groups."""
    if groups_offered(program):
        form.fields["support_wanted"] = forms.ChoiceField(
            label=label, choices=SupportWanted.choices, initial=SupportWanted.ONE_TO_ONE, widget=forms.RadioSelect
        )
        form.order_fields(["support_wanted"])


def language_choices(blank_label: str | None = None) -> list[tuple[str, str]]:
    """The languages PeerPath speaks, each in its own name (so a reader finds theirs)."""
    choices = [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES]
    return [("", blank_label), *choices] if blank_label is not None else choices


def area_field(program: Program, label: StrOrPromise, required: bool = False) -> forms.Field:
    """A choice of the program's areas when it lists them, otherwise free text."""
    areas = get_settings(program).area_list()
    if areas:
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *[(a, a) for a in areas]])
    return forms.CharField(label=label, required=required, max_length=120)


class NeedsMixin(forms.Form):
    """The fields matching reads, shared by the coordinator's form and the public request form."""

    languages = forms.CharField(
        label=_("Languages"), help_text=_("Separate them with commas, e.g. English, Spanish."), max_length=300
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Lived experience they want support with"),
        queryset=FocusArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    modes = forms.MultipleChoiceField(
        label=_("Ways of meeting"), choices=Mode.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    availability = forms.MultipleChoiceField(
        label=_("When they are available"),
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    preferred_gender = forms.ChoiceField(
        label=_("Supporter's gender"), choices=[("", _("No preference")), *Gender.choices], required=False
    )
    preferred_age_bands = forms.MultipleChoiceField(
        label=_("Supporter's age"), choices=AgeBand.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def setup_needs(self, program: Program) -> None:
        model_choice_field(self, "focus_areas").queryset = FocusArea.objects.filter(program=program, is_active=True)
        self.fields["area"] = area_field(program, _("Area where they live"))
        self.order_fields(
            [
                "full_name",
                "email",
                "phone",
                "preferred_contact",
                "languages",
                "focus_areas",
                "modes",
                "area",
                "availability",
            ]
        )

    def clean_languages(self) -> list[str]:
        languages = split_languages(self.cleaned_data["languages"])
        if not languages:
            raise forms.ValidationError(_("Name at least one language."))
        return languages


class ParticipantForm(NeedsMixin):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    preferred_contact = forms.ChoiceField(
        label=_("Preferred way to be contacted"), choices=ContactPreference.choices, widget=forms.RadioSelect
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for messages"),
        choices=lambda: language_choices(str(_("The program's language"))),
        required=False,
        widget=LanguageSelect,
        help_text=_("What the program sends them is written in this language."),
    )
    preferred_communities = forms.CharField(
        label=_("Supporter's community"),
        required=False,
        max_length=300,
        help_text=_("For example: veterans, LGBTQ+, a faith or cultural community. Separate with commas."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        required=False,
        help_text=_("Matching serves as many people as it can, the more urgent first, then the longest waiting."),
    )
    must_haves = forms.MultipleChoiceField(
        label=_("Must-haves (a supporter who does not meet these is never proposed)"),
        choices=Criterion.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent_given = forms.BooleanField(
        label=_("The participant consented"),
        required=False,
        help_text=_("Without recorded consent the participant waits but is never offered to a supporter."),
    )
    consent_scope = forms.CharField(
        label=_("What they agreed to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: to be contacted by a peer supporter by phone, and that we keep these details."),
    )
    intake_notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_needs(program)
        add_support_wanted(self, program, _("Support they want"))

    def clean_preferred_communities(self) -> list[str]:
        return _split_words(self.cleaned_data["preferred_communities"])

    def clean_urgency(self) -> str:
        return self.cleaned_data["urgency"] or Urgency.ROUTINE  # left out: routine

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("email") and not data.get("phone"):
            self.add_error("phone", _("Give a phone number or an e-mail address so the supporter can reach them."))
        if data.get("consent_given") and not (data.get("consent_scope") or "").strip():
            self.add_error("consent_scope", _("Say what the participant agreed to."))
        return data

    @staticmethod
    def initial_for(participant: Any) -> dict[str, Any]:
        return {
            "full_name": participant.full_name,
            "support_wanted": participant.support_wanted,
            "email": participant.email,
            "phone": participant.phone,
            "preferred_contact": participant.preferred_contact,
            "preferred_language": participant.preferred_language,
            "languages": ", ".join(participant.languages),
            "focus_areas": list(participant.focus_areas.all()),
            "modes": participant.modes,
            "area": participant.area,
            "availability": participant.availability,
            "preferred_gender": participant.preferred_gender,
            "preferred_age_bands": participant.preferred_age_bands,
            "preferred_communities": ", ".join(participant.preferred_communities),
            "must_haves": participant.must_haves,
            "urgency": participant.urgency,
            "consent_given": participant.consent_given,
            "consent_scope": participant.consent_scope,
            "intake_notes": participant.intake_notes,
        }


class RequestForm(NeedsMixin):
    """The public 'ask for a peer supporter' form, in the asker's own words."""

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
    preferred_language = forms.ChoiceField(
        label=_("Which language should we write to you in?"),
        choices=language_choices,
        required=False,
        widget=LanguageRadioSelect,
    )
    intake_notes = forms.CharField(
        label=_("Anything you would like us to know (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_given = forms.BooleanField(
        label=_("I agree that the program may contact me and keep these details to find me a peer supporter."),
        error_messages={"required": _("We can only help if we may contact you.")},
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_needs(program)
        # Offered in the language the person is reading the form in.
        self.fields["preferred_language"].initial = get_language()
        self.fields["languages"].label = _("Languages you speak")
        self.fields["focus_areas"].label = _("What would you like support with?")
        self.fields["modes"].label = _("How would you like to meet?")
        self.fields["area"].label = _("Where do you live?")
        self.fields["availability"].label = _("When are you usually available?")
        self.fields["preferred_gender"].label = _("Would you prefer a supporter of a particular gender?")
        self.fields["preferred_age_bands"].label = _("Would you prefer a supporter of a particular age?")
        add_support_wanted(self, program, _("What would you like?"))

    def clean_preferred_language(self) -> str:
        # Left unanswered: the language they read the form in.
        offered = {code for code, _name in settings.LANGUAGES}
        chosen = self.cleaned_data["preferred_language"] or get_language() or ""
        return chosen if chosen in offered else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("email") and not data.get("phone"):
            self.add_error("phone", _("Give a phone number or an e-mail address so we can reach you."))
        if data.get("preferred_contact") in {ContactPreference.PHONE, ContactPreference.TEXT} and not data.get("phone"):
            self.add_error("phone", _("Give a phone number so we can call or text you."))
        data["consent_scope"] = _(
            "To be contacted by the program about peer support, and that the program keeps these details."
        )
        return data


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name, e-mail or phone"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Everyone")), *ParticipantStatus.choices]
    )


class ProfileForm(forms.Form):
    languages = forms.CharField(label=_("Languages you speak"), max_length=300, help_text=_("Separate with commas."))
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Your lived experience"),
        queryset=FocusArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    modes = forms.MultipleChoiceField(
        label=_("Ways you can meet"), choices=Mode.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    availability = forms.MultipleChoiceField(
        label=_("When you are available"),
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    capacity = forms.IntegerField(
        label=_("Most participants at once"), min_value=1, max_value=20, help_text=_("Your capacity for new matches.")
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional)"), choices=[("", _("Prefer not to say")), *Gender.choices], required=False
    )
    age_band = forms.ChoiceField(
        label=_("Age (optional)"), choices=[("", _("Prefer not to say")), *AgeBand.choices], required=False
    )
    communities = forms.CharField(
        label=_("Communities you belong to (optional)"),
        required=False,
        max_length=300,
        help_text=_("For example: veterans, LGBTQ+. Participants may ask for someone from their community."),
    )
    accepting_new = forms.BooleanField(label=_("I can take new participants"), required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "focus_areas").queryset = FocusArea.objects.filter(program=program, is_active=True)
        self.fields["area"] = area_field(program, _("Area where you live"))
        self.order_fields(["languages", "focus_areas", "modes", "area", "availability", "capacity"])

    def clean_languages(self) -> list[str]:
        return split_languages(self.cleaned_data["languages"])

    def clean_communities(self) -> list[str]:
        return _split_words(self.cleaned_data["communities"])

    @staticmethod
    def initial_for(supporter: Any, profile: Any) -> dict[str, Any]:
        return {
            "languages": ", ".join(supporter.languages or []),
            "focus_areas": list(supporter.focus_areas.all()),
            "modes": profile.modes,
            "area": profile.area,
            "availability": profile.availability,
            "capacity": profile.capacity,
            "gender": profile.gender,
            "age_band": profile.age_band,
            "communities": ", ".join(profile.communities or []),
            "accepting_new": profile.accepting_new,
        }


class ConflictForm(forms.Form):
    supporter = forms.TypedChoiceField(label=_("Supporter who knows this participant"), coerce=int)
    reason = forms.CharField(label=_("How they know each other (optional)"), required=False, max_length=500)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = Supporter.objects.filter(
            program=program,
            stage__in=[Stage.ACTIVE, Stage.ON_BREAK, Stage.CERTIFIED, Stage.PROVISIONAL, Stage.SHADOWING],
        ).order_by("full_name")
        choice_field(self, "supporter").choices = [(s.pk, s.full_name) for s in rows]


class OfferResponseForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Accept this match")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("If you decline, why?"), choices=[("", "—"), *DECLINE_REASONS.items()], required=False
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "decline" and not data.get("reason"):
            self.add_error("reason", _("Choose why you are declining."))
        return data


class CloseForm(forms.Form):
    close_reason = forms.ChoiceField(label=_("Why is it closing?"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, coordinator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hidden = {CloseReason.DECLINED} | (set() if coordinator else {CloseReason.REMATCHED})
        choice_field(self, "close_reason").choices = [
            ("", "—"),
            *[c for c in CloseReason.choices if c[0] not in hidden],
        ]


class ContactForm(forms.Form):
    contacted_on = forms.DateField(label=_("Date"), widget=DATE)
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices, widget=forms.RadioSelect)
    reached = forms.TypedChoiceField(
        label=_("Did you reach them?"),
        choices=[("yes", _("Yes, we talked")), ("no", _("No, I could not reach them"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes (optional)"),
        required=False,
        min_value=0,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    tasks = forms.MultipleChoiceField(
        label=_("What did the contact serve?"),
        choices=SupportTask.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("This was"), choices=ContactKind.choices, widget=forms.RadioSelect, initial=ContactKind.CHECK_IN
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    next_follow_up = forms.DateField(label=_("Next follow-up (optional)"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reached") is False and data.get("tasks"):
            self.add_error("tasks", _("Tasks are for a contact where you reached them."))
        return data

    @staticmethod
    def initial_for(contact: Any) -> dict[str, Any]:
        return {
            "contacted_on": contact.contacted_on,
            "channel": contact.channel,
            "reached": "yes" if contact.reached else "no",
            "duration_minutes": contact.duration_minutes,
            "tasks": contact.tasks,
            "kind": contact.kind,
            "notes": contact.notes,
            "next_follow_up": contact.next_follow_up,
        }


class CorrectionForm(ContactForm):
    reason = forms.CharField(label=_("Why you are correcting it"), widget=forms.Textarea(attrs={"rows": 2}))


class ConcernForm(forms.Form):
    """The program's own questions (no clinical scale), then the supporter's notes."""

    kind = forms.ChoiceField(label=_("What is it?"), choices=ConcernKind.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = lines(get_settings(program).concern_questions)
        for i, question in enumerate(self.questions):
            self.fields[f"q_{i}"] = forms.CharField(
                label=question, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # In a crisis every second counts: only a concern must be described.
        if data.get("kind") == ConcernKind.CONCERN and not (data.get("notes") or "").strip():
            self.add_error("notes", _("Describe what worries you."))
        return data

    def answers(self) -> list[tuple[str, str]]:
        return [(q, self.cleaned_data.get(f"q_{i}", "")) for i, q in enumerate(self.questions)]


class ConcernDetailsForm(forms.Form):
    """What the supporter adds after sending a crisis (or a concern): every field optional."""

    notes = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = lines(get_settings(program).concern_questions)
        notes = self.fields.pop("notes")
        for i, question in enumerate(self.questions):
            self.fields[f"q_{i}"] = forms.CharField(
                label=question, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["notes"] = notes

    def answers(self) -> list[tuple[str, str]]:
        return [(q, self.cleaned_data.get(f"q_{i}", "")) for i, q in enumerate(self.questions)]


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    referral = forms.ChoiceField(label=_("Referred to (optional)"), required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = lines(get_settings(program).referral_options)
        choice_field(self, "referral").choices = [("", _("No referral")), *[(o, o) for o in options]]


class AdverseEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=AdverseKind.choices, widget=forms.RadioSelect)
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CoverForm(forms.Form):
    backup = forms.TypedChoiceField(label=_("Backup supervisor"), coerce=int)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=200)

    def __init__(self, *args: Any, program: Program, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = (
            Membership.objects.filter(program=program)
            .with_role(Role.SUPERVISOR)
            .exclude(user=user)
            .select_related("user")
            .order_by("user__full_name")
        )
        choice_field(self, "backup").choices = [(m.user_id, m.user.full_name) for m in rows]


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("The erasure request"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who asked, when and how. It stays in the audit log: do not write the person's name."),
    )
    confirm = forms.BooleanField(label=_("I understand this cannot be undone"))


class SupportSettingsForm(forms.ModelForm):
    class Meta:
        model = SupportSettings
        fields = [f.name for f in SupportSettings._meta.concrete_fields if f.name not in {"id", "program"}]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in [
                "request_intro",
                "areas",
                "unreachable_steps",
                "concern_questions",
                "crisis_steps",
                "referral_options",
            ]
        }


class TextConsentForm(forms.Form):
    """Whether a participant agreed to text messages, at which number, and how they said so."""

    phone = forms.CharField(
        label=_("Mobile number for texts"),
        required=False,
        max_length=30,
        help_text=_("With its country code if it is abroad."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    agreed = forms.BooleanField(
        label=_("They agreed to receive text messages (follow-up reminders, feedback links)"),
        required=False,
    )
    source = forms.CharField(
        label=_("How they agreed"),
        required=False,
        max_length=60,
        help_text=_("For example: told me on the phone, on the request form, in person."),
    )
