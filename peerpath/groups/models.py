"""Peer-led groups and supporters' events: kinds, groups with a recurring series, their
sessions, facilitators, members, attendance, cover and RSVPs.

A group's members are participants (``support.Participant``): their identity stays on the
participant record (encrypted, read-audited, erased with it); here they are only referred to.
Drop-ins are counted, never named. Facilitators' session notes are encrypted.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.care.models import Debrief
from peerpath.core.encryption import EncryptedTextField
from peerpath.programs.models import Competency, FocusArea, Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import Participant


class Audience(models.TextChoices):
    """Who a kind of group is for: participants join groups; supporters RSVP to events."""

    PARTICIPANTS = "participants", _("Participants (a group people join)")
    SUPPORTERS = "supporters", _("Supporters (an event they RSVP to)")


class GroupKind(models.Model):
    """A kind of group the program runs (peer support group, information session, the
    quarterly dinner...). Seeded with defaults; the program edits the list."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="group_kinds")
    name = models.CharField(max_length=120)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.PARTICIPANTS)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="unique_group_kind_name")]

    def __str__(self) -> str:
        return self.name


class GroupSettings(models.Model):
    """How one program runs its groups. One row per program."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="group_settings")
    public_listing = models.BooleanField(
        _("List open groups on a public page"),
        default=False,
        help_text=_(
            "Upcoming groups marked 'listed' show their day, time and place with a short request-to-join form."
        ),
    )
    public_intro = models.TextField(_("Introduction on the public page"), blank=True)
    facilitation_competency = models.ForeignKey(
        Competency,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Competency required to facilitate"),
        help_text=_("When set, only supporters rated competent or strong in it at their last assessment facilitate."),
    )
    weeks_ahead = models.PositiveSmallIntegerField(
        _("Sessions scheduled ahead (weeks)"), default=12, help_text=_("How far ahead each series is laid out.")
    )
    # Continuing education (certification's CE activities, credited automatically and approved).
    ce_category = models.CharField(
        _("Continuing-education category credited"),
        max_length=30,
        blank=True,
        help_text=_("One of the program's CE categories; empty: groups and events credit no CE hours."),
    )
    ce_for_events = models.BooleanField(
        _("Attending an event credits its length as CE hours"),
        default=False,
        help_text=_("For supporters marked as having come (the event's attendance)."),
    )
    ce_for_facilitating = models.BooleanField(
        _("Facilitating a group session credits its length as CE hours"),
        default=False,
        help_text=_("For each facilitator of a session once its attendance is taken."),
    )

    class Meta:
        verbose_name_plural = "group settings"

    def __str__(self) -> str:
        return f"Group settings of {self.program}"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every other week")
    MONTHLY = "monthly", _("Monthly, on the nth weekday")
    QUARTERLY = "quarterly", _("Every three months, on the nth weekday")
    ONCE = "once", _("Once")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Nth(models.IntegerChoices):
    FIRST = 1, _("First")
    SECOND = 2, _("Second")
    THIRD = 3, _("Third")
    FOURTH = 4, _("Fourth")
    LAST = -1, _("Last")


class Admission(models.TextChoices):
    REGISTRATION = "registration", _("Registered members only")
    DROP_IN = "drop_in", _("Drop-in: anyone may come")
    BOTH = "both", _("Registered members, and drop-ins welcome")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Group(models.Model):
    """A group (or a supporters' event) and its recurring series of sessions."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="groups")
    kind = models.ForeignKey(GroupKind, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The series (laid out with dateutil's rrule: peerpath.groups.schedule).
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    nth = models.SmallIntegerField(choices=Nth.choices, default=Nth.FIRST, help_text="For monthly series.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    place = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    admission = models.CharField(max_length=12, choices=Admission.choices, default=Admission.BOTH)
    listed = models.BooleanField(default=False, help_text="Shown on the public page when the program lists groups.")
    lead = models.ForeignKey(Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups_led")
    co_facilitators = models.ManyToManyField(Supporter, blank=True, related_name="groups_co_facilitated")
    # The lived-experience areas the group is for (a veterans' group, a grief group); the funder
    # report counts its sessions under them. None: not specific to an area.
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["program", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:group", args=[self.program.slug, self.pk])

    @property
    def is_event(self) -> bool:
        return self.kind.audience == Audience.SUPPORTERS

    @property
    def takes_members(self) -> bool:
        return self.admission != Admission.DROP_IN

    @property
    def takes_drop_ins(self) -> bool:
        return self.admission != Admission.REGISTRATION


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class GroupSession(models.Model):
    """One meeting of a group. ``planned_for`` is the series' occurrence it stands for (so the
    series is laid out once); ``starts_at`` moves when the session is moved."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    planned_for = models.DateTimeField()
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    place = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True)
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    change_note = models.CharField(max_length=500, blank=True, help_text="Why it was moved or cancelled.")
    sequence = models.PositiveIntegerField(default=0)  # bumped on each change, for calendar apps
    # An extra session added by hand outside the series: a new layout of the series keeps it.
    is_extra = models.BooleanField(default=False)
    # After the session: who facilitated it, who came, drop-ins counted without names.
    facilitators = models.ManyToManyField(Supporter, blank=True, related_name="group_sessions_facilitated")
    first_time_drop_ins = models.PositiveSmallIntegerField(default=0)
    returning_drop_ins = models.PositiveSmallIntegerField(default=0)
    attendance_taken_at = models.DateTimeField(null=True, blank=True)
    attendance_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = EncryptedTextField(blank=True)
    topics = EncryptedTextField(blank=True, help_text="Topics discussed, one per line.")
    debrief = models.ForeignKey(Debrief, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "planned_for"], name="one_session_per_occurrence")]
        indexes = [models.Index(fields=["group", "starts_at"]), models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.group.name}, {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("groups:session", args=[self.group.program.slug, self.pk])

    @property
    def program(self) -> Program:
        return self.group.program

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.starts_at != self.planned_for

    @property
    def where(self) -> str:
        return self.place or self.group.place

    @property
    def link(self) -> str:
        return self.online_url or self.group.online_url

    @property
    def drop_ins(self) -> int:
        return self.first_time_drop_ins + self.returning_drop_ins


class MemberStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked to join")
    ACTIVE = "active", _("Member")
    LEFT = "left", _("Left")


class MemberSource(models.TextChoices):
    WAITING_LIST = "waiting_list", _("From the waiting list")
    REQUEST = "request", _("Asked on the public page")
    STAFF = "staff", _("Registered by staff")


class GroupMember(models.Model):
    """A participant registered in a group. Erased with the participant (cascade)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="group_memberships")
    status = models.CharField(max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    source = models.CharField(max_length=14, choices=MemberSource.choices, default=MemberSource.STAFF)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "participant"], name="one_membership_per_group")]

    def __str__(self) -> str:
        return f"{self.participant.reference} in {self.group.name}"

    @property
    def program(self) -> Program:
        return self.group.program


class Attendance(models.Model):
    """A registered member was at a session (only those present are recorded)."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="attendance")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_attendance_per_member")]

    def __str__(self) -> str:
        return f"{self.member} at {self.session}"


class CoverStatus(models.TextChoices):
    OPEN = "open", _("Asking for cover")
    TAKEN = "taken", _("Covered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CoverRequest(models.Model):
    """A facilitator who cannot come asks for cover; eligible colleagues are told, the first to
    accept takes the session."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="cover_requests")
    facilitator = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="cover_asked")
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=CoverStatus.choices, default=CoverStatus.OPEN)
    taken_by = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="cover_taken"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Cover for {self.facilitator} at {self.session}"

    @property
    def program(self) -> Program:
        return self.session.group.program


class Answer(models.TextChoices):
    YES = "yes", _("Going")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("Not going")


class Rsvp(models.Model):
    """A supporter's answer to one session of an event."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="rsvps")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=6, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(default=False)  # marked in the event's attendance

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "supporter"], name="one_rsvp_per_supporter")]

    def __str__(self) -> str:
        return f"{self.supporter}: {self.answer}"
