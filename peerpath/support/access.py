"""Who may see which participant, relationship, contact note and concern, and fetching those
records for a view; anything else is a 404.

What a person sees of a participant *through a relationship* is one rule, `VISIBILITY`: for
each relationship state, what its own supporter, the supervisor overseeing them and a
coordinator see (`Sight`), who may also open the participant's own record, and which writes
(contacts, concerns, hard events) the state allows. Pages, their lists and downloads, the API
and the services all ask it (`sight_of`, `shown_participant`, `check_write`); the security
guide's table is rendered from it (`visibility_table`).

Reading a participant's record through `get_participant` (or a page built on a relationship,
offer or concern) writes the audit entry every read of participant data leaves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from peerpath.core.models import User
from peerpath.core.permissions import Role, has_role
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import (
    Concern,
    ConcernState,
    Contact,
    MatchRun,
    Participant,
    RelationshipState,
    SupervisorCover,
    SupportRelationship,
)
from peerpath.support.services.participants import record_view

# --- What a person sees of a participant through a relationship ----------------------------


class Sight(StrEnum):
    """How much of a participant one relationship shows a person, least to most."""

    NOTHING_IDENTIFYING = "nothing identifying"
    OFFER = "offer"
    CONTACT_DETAILS = "contact details"

    @property
    def label(self) -> str:
        return str(SIGHT_LABELS[self])

    @property
    def shows(self) -> str:
        return str(SIGHT_SHOWS[self])


SIGHT_LABELS = {
    Sight.NOTHING_IDENTIFYING: gettext_lazy("Nothing identifying"),
    Sight.OFFER: gettext_lazy("The offer"),
    Sight.CONTACT_DETAILS: gettext_lazy("Contact details"),
}
SIGHT_SHOWS = {
    Sight.NOTHING_IDENTIFYING: gettext_lazy(
        "The reference (P-0042), the relationship's state and dates, and the dates and kinds of its "
        "contacts: no name, no contact details, no notes."
    ),
    Sight.OFFER: gettext_lazy(
        "What the match offer shows: the first name and reference, what they want support with, "
        "languages, how and when they can meet, their area and why they were matched. No surname, "
        "phone or e-mail."
    ),
    Sight.CONTACT_DETAILS: gettext_lazy(
        "Full name, phone, e-mail and preferred contact, besides the offer's details; contact notes "
        "and the reasons in the relationship's history."
    ),
}


class Viewer(StrEnum):
    """A person's place in one relationship. Anyone else (another supporter, a trainer) has none
    and gets a 404."""

    SUPPORTER = "supporter"  # the relationship's own supporter
    SUPERVISOR = "supervisor"  # the supervisor overseeing that supporter (or covering, or on call)
    COORDINATOR = "coordinator"


class Write(StrEnum):
    """What a person records in a relationship about its participant."""

    CONTACT = "contact"
    CONCERN = "concern"
    HARD_EVENT = "hard event"

    @property
    def label(self) -> str:
        return str(WRITE_LABELS[self])


WRITE_LABELS = {
    Write.CONTACT: gettext_lazy("contacts"),
    Write.CONCERN: gettext_lazy("concerns and crises"),
    Write.HARD_EVENT: gettext_lazy("hard events"),
}


@dataclass(frozen=True)
class StateRule:
    """One relationship state: what each viewer sees of the participant, who may also open the
    participant's own record (and find them in the participant list), and which writes it allows."""

    sees: Mapping[Viewer, Sight]
    opens_record: frozenset[Viewer]
    writes: frozenset[Write] = field(default_factory=frozenset)


RS = RelationshipState
V = Viewer

# THE rule. A supporter sees the offer while a match is proposed, the contact details while they
# work with the participant (active, closing), and nothing identifying once it is closed, whether
# they declined it ("I know this person" included) or it ended. Contacts, concerns and hard events
# are recorded only while the relationship is working. Supervisors and coordinators keep the
# relationship's details in every state; a supervisor opens the participant's record only while a
# relationship of theirs is open. `tests/support/test_relationship_visibility.py` checks every
# state, role, page and API endpoint against it.
# Working with the participant: everyone on the relationship sees the contact details and opens
# the participant's record, and contacts, concerns and hard events are recorded.
WORKING = StateRule(
    sees=dict.fromkeys(Viewer, Sight.CONTACT_DETAILS),
    opens_record=frozenset(Viewer),
    writes=frozenset(Write),
)
VISIBILITY: dict[str, StateRule] = {
    RS.PROPOSED: StateRule(
        sees={V.SUPPORTER: Sight.OFFER, V.SUPERVISOR: Sight.CONTACT_DETAILS, V.COORDINATOR: Sight.CONTACT_DETAILS},
        opens_record=frozenset({V.SUPERVISOR, V.COORDINATOR}),
    ),
    RS.ACTIVE: WORKING,
    RS.CLOSING: WORKING,
    RS.CLOSED: StateRule(
        sees={
            V.SUPPORTER: Sight.NOTHING_IDENTIFYING,
            V.SUPERVISOR: Sight.CONTACT_DETAILS,
            V.COORDINATOR: Sight.CONTACT_DETAILS,
        },
        opens_record=frozenset({V.COORDINATOR}),
    ),
}


def rule_for(state: str) -> StateRule:
    """The rule of a relationship state; a state without one is a programming error, not a leak."""
    try:
        return VISIBILITY[state]
    except KeyError:
        message = f"No visibility rule for relationship state {state!r}: add it to support.access.VISIBILITY."
        raise LookupError(message) from None


def states_where(viewer: Viewer, *, opens_record: bool) -> list[str]:
    """The relationship states in which ``viewer`` opens the participant's record (or does not)."""
    return [state for state, rule in VISIBILITY.items() if (viewer in rule.opens_record) == opens_record]


def states_allowing(write: Write) -> list[str]:
    return [state for state, rule in VISIBILITY.items() if write in rule.writes]


def viewer_of(
    membership: Membership | None, user: User, relationship: SupportRelationship, *, overseen_ids: Container[int]
) -> Viewer | None:
    """The person's place in the relationship. A coordinator is a coordinator everywhere; the
    relationship's own supporter sees what a supporter sees even where they also supervise or
    cover (nobody reads more of their own participant through a second role)."""
    if has_role(membership, Role.COORDINATOR):
        return Viewer.COORDINATOR
    if relationship.supporter.user_id == user.pk and has_role(membership, Role.SUPPORTER):
        return Viewer.SUPPORTER
    if has_role(membership, Role.SUPERVISOR) and relationship.supporter_id in overseen_ids:
        return Viewer.SUPERVISOR
    return None


def overseen_ids(program: Program, membership: Membership | None, user: User) -> set[int]:
    """The supporters this person oversees (one query; none without the supervisor role)."""
    if not has_role(membership, Role.SUPERVISOR):
        return set()
    return set(supporters_overseen_by(program, user).values_list("pk", flat=True))


def sight_of(viewer: Viewer | None, relationship: SupportRelationship) -> Sight | None:
    """What this viewer sees of the participant through the relationship in its current state."""
    if viewer is None:
        return None
    return rule_for(relationship.state).sees[viewer]


@dataclass(frozen=True)
class ShownParticipant:
    """The participant as one relationship shows them to one person: only what the rule allows
    is filled in. Pages, lists, downloads and the API display this, never the participant."""

    sight: Sight
    id: int
    reference: str
    name: str = ""  # the full name (contact details), the first name (offer), else empty
    phone: str = ""
    email: str = ""
    preferred_contact: str = ""
    languages: list[str] = field(default_factory=list)
    focus_areas: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    area: str = ""
    match_explanation: str = ""
    notes_visible: bool = False  # contact notes, concern notes, the reasons in the history

    @property
    def label(self) -> str:
        """How a page names them: the name it may show, else the reference."""
        return self.name or self.reference

    @property
    def contact_details(self) -> bool:
        return self.sight == Sight.CONTACT_DETAILS

    @property
    def needs(self) -> bool:
        return self.sight != Sight.NOTHING_IDENTIFYING


def shown_participant(
    relationship: SupportRelationship, sight: Sight, *, focus_areas: Iterable[Any] | None = None
) -> ShownParticipant:
    """What ``sight`` shows of the relationship's participant. ``focus_areas`` (names or areas)
    saves the query where the caller already has them; it is read only when the sight shows needs."""
    participant = relationship.participant
    base: dict[str, Any] = {"sight": sight, "id": participant.pk, "reference": participant.reference}
    if sight == Sight.NOTHING_IDENTIFYING:
        return ShownParticipant(**base)
    areas = participant.focus_areas.all() if focus_areas is None else focus_areas
    base.update(
        languages=list(participant.languages),
        focus_areas=[getattr(a, "name", a) for a in areas],
        modes=list(participant.modes),
        availability=list(participant.availability),
        area=participant.area,
        match_explanation=relationship.match_explanation,
    )
    if sight == Sight.OFFER:
        return ShownParticipant(**base, name=participant.first_name)
    return ShownParticipant(
        **base,
        name=participant.full_name,
        phone=participant.phone,
        email=participant.email,
        preferred_contact=participant.get_preferred_contact_display(),
        notes_visible=True,
    )


def show_as(viewer: Viewer, relationships: Iterable[SupportRelationship]) -> None:
    """Set ``shown`` on each relationship of a list that one kind of viewer sees (a caseload:
    the supporter; supervision: the supervisor), without reading focus areas."""
    for relationship in relationships:
        sight = rule_for(relationship.state).sees[viewer]
        relationship.shown = shown_participant(relationship, sight, focus_areas=())


def concern_viewer(program: Program, membership: Membership | None, user: User, concern: Concern) -> Viewer | None:
    """A concern's reader's place in its relationship: its supporter reads it as the supporter;
    whoever handles it (`can_handle_concern`: the overseeing supervisor, a backup, the person on
    call) as the supervisor; a coordinator as a coordinator."""
    if has_role(membership, Role.COORDINATOR):
        return Viewer.COORDINATOR
    if concern.supporter.user_id == user.pk and has_role(membership, Role.SUPPORTER):
        return Viewer.SUPPORTER
    if can_handle_concern(program, membership, user, concern):
        return Viewer.SUPERVISOR
    return None


def concern_sight(viewer: Viewer | None, concern: Concern) -> Sight | None:
    """What a concern's reader sees of its participant: through its relationship by the rule of
    the relationship's state; for a concern raised outside a relationship (a group member), what
    a working relationship shows, to whoever reads the concern at all (the supporter who raised
    it, whoever handles it, coordinators): those who must act on it need the name and number."""
    if viewer is None:
        return None
    if concern.relationship is None:
        return Sight.CONTACT_DETAILS
    return rule_for(concern.relationship.state).sees[viewer]


def shown_concern_participant(concern: Concern, sight: Sight) -> ShownParticipant:
    """The concern's participant as ``sight`` shows them (no focus areas read)."""
    if concern.relationship is not None:
        concern.relationship.participant = concern.participant  # the same person, already read
        return shown_participant(concern.relationship, sight, focus_areas=())
    return shown_participant(SupportRelationship(participant=concern.participant), sight, focus_areas=())


def show_concerns(viewer_for: Viewer, concerns: Iterable[Concern]) -> None:
    """Set ``shown`` on each concern of a list one kind of viewer reads (the concerns page)."""
    for concern in concerns:
        sight = concern_sight(viewer_for, concern) or Sight.NOTHING_IDENTIFYING
        concern.shown = shown_concern_participant(concern, sight)


class WriteRefused(PermissionDenied):
    """A write the relationship's state does not allow: a 403 page, a 403 in the API."""


def refusal(relationship: SupportRelationship, write: Write) -> str | None:
    """Why ``write`` is refused in the relationship's current state, or None when it is allowed."""
    if write in rule_for(relationship.state).writes:
        return None
    return _("This relationship is %(state)s: %(what)s are recorded only while it is active or closing.") % {
        "state": RelationshipState(relationship.state).label.lower(),
        "what": write.label,
    }


def check_write(relationship: SupportRelationship, write: Write) -> None:
    """For services: refuse ``write`` outside the states that allow it, with a ValidationError."""
    if message := refusal(relationship, write):
        raise ValidationError(message)


def require_write(relationship: SupportRelationship, write: Write) -> None:
    """For pages and the API: refuse ``write`` outside the states that allow it (403)."""
    if message := refusal(relationship, write):
        raise WriteRefused(message)


def visibility_table() -> str:
    """The security guide's table of what each role sees of a participant through a relationship,
    rendered from `VISIBILITY` (docs/security.md holds a copy; a test keeps them equal)."""
    states = list(VISIBILITY)
    head = [_("Role")] + [str(RelationshipState(s).label) for s in states]
    rows: list[list[str]] = []
    described = {
        Role.COORDINATOR: (Viewer.COORDINATOR, _("Coordinator (every relationship)")),
        Role.SUPERVISOR: (Viewer.SUPERVISOR, _("Supervisor (of the relationship's supporter, covering or on call)")),
        Role.SUPPORTER: (Viewer.SUPPORTER, _("Supporter (their own relationship)")),
    }
    for role in Role:
        if role not in described:
            rows.append([role.label, *[_("Nothing (no access)")] * len(states)])
            continue
        viewer, label = described[role]
        cells = []
        for state in states:
            rule = VISIBILITY[state]
            cell = rule.sees[viewer].label
            if viewer in rule.opens_record:
                cell += _(", and the participant's record")
            cells.append(cell)
        rows.append([label, *cells])
    rows.append([_("Another supporter"), *[_("Nothing (not found)")] * len(states)])
    rows.append(
        [_("Writes allowed (to the roles that record them)")]
        + [", ".join(w.label for w in Write if w in VISIBILITY[s].writes).capitalize() or _("None") for s in states]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", "| " + _("Sight") + " | " + _("Shows") + " |", "| --- | --- |"]
    lines += [f"| {sight.label} | {sight.shows} |" for sight in Sight]
    return "\n".join(lines) + "\n"


def supporters_overseen_by(program: Program, user: User, on_date: dt.date | None = None) -> QuerySet[Supporter]:
    """Supporters this user supervises, plus those of supervisors they cover for on ``on_date``."""
    day = on_date or timezone.localdate()
    covered = SupervisorCover.objects.filter(program=program, backup=user, starts_on__lte=day, ends_on__gte=day).values(
        "supervisor_id"
    )
    return Supporter.objects.filter(program=program).filter(Q(supervisor=user) | Q(supervisor_id__in=covered))


def relationships_visible_to(
    program: Program, membership: Membership | None, user: User
) -> QuerySet[SupportRelationship]:
    """Coordinators: every relationship. Supervisors: their (or covered) supporters'. Supporters: their own."""
    rows = SupportRelationship.objects.filter(program=program)
    if has_role(membership, Role.COORDINATOR):
        return rows
    rule = Q(pk__in=[])
    if has_role(membership, Role.SUPERVISOR):
        rule |= Q(supporter__in=supporters_overseen_by(program, user))
    if has_role(membership, Role.SUPPORTER):
        rule |= Q(supporter__user=user)
    return rows.filter(rule)


def participants_visible_to(program: Program, membership: Membership | None, user: User) -> QuerySet[Participant]:
    """Coordinators: every participant. Others: the participants of the relationships whose state
    lets them open the participant's record (`VISIBILITY`): supporters those they work with
    (active, closing; a proposed match shows only the offer), supervisors those matched with the
    supporters they supervise or cover for (proposed, active or closing)."""
    rows = Participant.objects.filter(program=program)
    if has_role(membership, Role.COORDINATOR):
        return rows
    rule = Q(pk__in=[])
    if has_role(membership, Role.SUPERVISOR):
        rule |= Q(
            relationships__state__in=states_where(Viewer.SUPERVISOR, opens_record=True),
            # Not through their own relationships (a supporter covering for their own supervisor).
            relationships__supporter__in=supporters_overseen_by(program, user).exclude(user=user),
        )
    if has_role(membership, Role.SUPPORTER):
        rule |= Q(
            relationships__state__in=states_where(Viewer.SUPPORTER, opens_record=True),
            relationships__supporter__user=user,
        )
    return rows.filter(rule).distinct()


def can_correct_contact(program: Program, membership: Membership | None, user: User, contact: Contact) -> bool:
    """Only the supervisor of the supporter who logged the contact (or their backup while covering)."""
    if not has_role(membership, Role.SUPERVISOR):
        return False
    supporter_id = contact.relationship.supporter_id
    return supporters_overseen_by(program, user).filter(pk=supporter_id).exists()


def can_read_contact_notes(
    membership: Membership | None,
    user: User,
    relationship: SupportRelationship,
    *,
    overseen_ids: Container[int],
    show_previous_notes: bool,
) -> bool:
    """Who may read the notes of a relationship's contacts.

    Coordinators always; the relationship's own supporter; the supervisor overseeing that
    supporter. A later supporter of the same participant (after a rematch), and their
    supervisor, only when the program's setting allows it.
    """
    if has_role(membership, Role.COORDINATOR):
        return True
    if relationship.supporter.user_id == user.pk and has_role(membership, Role.SUPPORTER):
        return True
    if relationship.supporter_id in overseen_ids and has_role(membership, Role.SUPERVISOR):
        return True
    return show_previous_notes


def can_handle_concern(program: Program, membership: Membership | None, user: User, concern: Concern) -> bool:
    """Coordinators; the supervisor overseeing the supporter who raised it (or covering for them)."""
    if has_role(membership, Role.COORDINATOR):
        return True
    if not has_role(membership, Role.SUPERVISOR):
        return False
    if concern.on_call_id == user.pk:
        return True
    return supporters_overseen_by(program, user).filter(pk=concern.supporter_id).exists()


def get_participant(request: ProgramRequest, program: Program, pk: int, *, page: str) -> Participant:
    participant: Participant = get_object_or_404(
        participants_visible_to(program, request.membership, request.user), pk=pk
    )
    record_view(actor=request.user, program=program, participant=participant, page=page)
    return participant


def get_participant_for_staff(program: Program, pk: int) -> Participant:
    """A coordinator's lookup (matching, export, erasure) without a read audit of its own."""
    return get_object_or_404(Participant, program=program, pk=pk)


def get_relationship(request: ProgramRequest, program: Program, pk: int, *, page: str = "") -> SupportRelationship:
    relationship: SupportRelationship = get_object_or_404(
        relationships_visible_to(program, request.membership, request.user).select_related(
            "participant", "supporter", "supporter__user", "supporter__supervisor"
        ),
        pk=pk,
    )
    if page:
        record_view(actor=request.user, program=program, participant=relationship.participant, page=page)
    return relationship


def get_own_relationship(
    request: ProgramRequest, program: Program, pk: int, *, page: str, audit_read: bool = True
) -> SupportRelationship:
    """A relationship of the requesting supporter's own (or any, for a coordinator).

    ``audit_read=False`` leaves the read audit to the caller, for a request that shows nothing
    of the participant and is audited once per editing session (the contact draft's autosave).
    """
    relationship = get_relationship(request, program, pk)
    mine = relationship.supporter.user_id == request.user.pk and has_role(request.membership, Role.SUPPORTER)
    if not mine and not has_role(request.membership, Role.COORDINATOR):
        raise Http404("Not your relationship.")
    if audit_read:
        record_view(actor=request.user, program=program, participant=relationship.participant, page=page)
    return relationship


def get_offer(request: ProgramRequest, program: Program, pk: int) -> SupportRelationship:
    relationship = get_object_or_404(
        SupportRelationship.objects.select_related("participant", "supporter"),
        program=program,
        pk=pk,
        supporter__user=request.user,
    )
    if relationship.state == RelationshipState.PROPOSED:
        record_view(
            actor=request.user, program=program, participant=relationship.participant, page=gettext_noop("match offer")
        )
    return relationship


def get_contact_to_correct(request: ProgramRequest, program: Program, pk: int) -> Contact:
    contact = get_object_or_404(
        Contact.objects.select_related("relationship", "relationship__participant", "relationship__supporter"),
        program=program,
        pk=pk,
    )
    if not can_correct_contact(program, request.membership, request.user, contact):
        raise Http404("Not a contact of a supporter you supervise.")
    record_view(
        actor=request.user,
        program=program,
        participant=contact.relationship.participant,
        page=gettext_noop("contact correction"),
    )
    return contact


def get_concern(request: ProgramRequest, program: Program, pk: int) -> Concern:
    concern = get_object_or_404(
        Concern.objects.select_related(
            "participant", "supporter", "relationship", "raised_by", "acknowledged_by", "followed_up_by", "on_call"
        ),
        program=program,
        pk=pk,
    )
    raised_it = concern.supporter.user_id == request.user.pk and has_role(request.membership, Role.SUPPORTER)
    if not raised_it and not can_handle_concern(program, request.membership, request.user, concern):
        raise Http404("No such concern.")
    record_view(actor=request.user, program=program, participant=concern.participant, page=gettext_noop("concern"))
    return concern


def may_handle_concern(program: Program, membership: Membership | None, user: User, concern: Concern) -> bool:
    """The one rule for acknowledging a concern and recording its follow-up, used by every page
    that handles one and by the services themselves.

    `can_handle_concern` decides who oversees it (coordinators; the supervisor overseeing the
    supporter, covering for their supervisor, or on call for it). On top of it: nobody but a
    coordinator handles a concern they raised themselves, so a supporter who also holds the
    supervisor role, or covers for their own supervisor, cannot close their own crisis.
    """
    if membership is None or concern.program_id != program.pk:
        return False
    if concern.supporter.user_id == user.pk and not has_role(membership, Role.COORDINATOR):
        return False
    return can_handle_concern(program, membership, user, concern)


def may_add_concern_details(user: User, concern: Concern) -> bool:
    """The person who raised a concern or crisis adds to it until it is followed up, while the
    relationship is open (once closed, what was said is no longer shown to the supporter)."""
    return (
        concern.raised_by_id == user.pk
        and concern.state != ConcernState.RESOLVED
        and (concern.relationship is None or refusal(concern.relationship, Write.CONCERN) is None)
    )


def get_concern_to_add_to(request: ProgramRequest, program: Program, pk: int) -> Concern:
    """A concern the requesting person raised and may still add details to; 404 otherwise."""
    concern = get_concern(request, program, pk)
    if concern.raised_by_id != request.user.pk:
        raise Http404("Not your concern.")
    return concern


def get_concern_to_handle(request: ProgramRequest, program: Program, pk: int) -> Concern:
    """A concern the requesting person may acknowledge or follow up; 403 for one they may only read."""
    concern = get_concern(request, program, pk)
    if not may_handle_concern(program, request.membership, request.user, concern):
        raise PermissionDenied("You do not handle this concern.")
    return concern


def get_match_run(program: Program, pk: int) -> MatchRun:
    return get_object_or_404(MatchRun, program=program, pk=pk)


def get_active_supporter(program: Program, pk: int) -> Supporter:
    return get_object_or_404(Supporter, program=program, pk=pk, stage__in=[Stage.ACTIVE, Stage.ON_BREAK])


def get_own_cover(program: Program, user: object, pk: int) -> SupervisorCover:
    return get_object_or_404(SupervisorCover, program=program, supervisor=user, pk=pk)
