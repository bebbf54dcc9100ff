"""Queries that build support pages. Each runs a fixed number of SQL statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from peerpath.core.encryption import digests_any_key
from peerpath.core.models import AuditEntry
from peerpath.core.permissions import Role, has_role
from peerpath.notifications.models import Notice
from peerpath.programs.models import Program
from peerpath.support import eligibility, extensions, oncall
from peerpath.support import windows as w
from peerpath.support.access import (
    Sight,
    Viewer,
    Write,
    can_read_contact_notes,
    overseen_ids,
    participants_visible_to,
    rule_for,
    show_as,
    show_concerns,
    shown_participant,
    sight_of,
    states_allowing,
    supporters_overseen_by,
    viewer_of,
)
from peerpath.support.defaults import get_settings
from peerpath.support.models import (
    OPEN_STATES,
    AdverseEvent,
    Concern,
    ConcernState,
    Conflict,
    Contact,
    ContactDraft,
    FitAnswer,
    FitAnswerBy,
    Participant,
    ParticipantStatus,
    RelationshipState,
    SearchTerm,
    SupervisorCover,
    SupportRelationship,
)
from peerpath.support.search_terms import query_terms, terms_for


def search(rows: QuerySet[Participant], query: str) -> QuerySet[Participant]:
    """Participants whose name words, e-mail or phone match every word typed (via the blind index)."""
    for options in query_terms(query):
        digests = [d for term in options for d in digests_any_key(term)]
        rows = rows.filter(pk__in=SearchTerm.objects.filter(digest__in=digests).values("participant_id"))
    return rows


def participants_sharing_contact(program: Program, *, email: str, phone: str, limit: int = 10) -> list[Participant]:
    """Participants of the program already held under this e-mail address (in any case) or phone
    number (in any writing), found through the blind index: the possible duplicates of someone
    about to be added."""
    terms = terms_for(full_name="", email=email or "", phone=phone or "")
    digests = [d for term in sorted(terms) for d in digests_any_key(term)]
    if not digests:
        return []
    matching = SearchTerm.objects.filter(digest__in=digests).values("participant_id")
    return list(Participant.objects.filter(program=program, pk__in=matching).order_by("pk")[:limit])


def participant_rows(
    program: Program, membership: Any, user: Any, *, q: str = "", status: str = ""
) -> QuerySet[Participant]:
    rows = participants_visible_to(program, membership, user)
    if q:
        rows = search(rows, q)
    if status:
        rows = rows.filter(status=status)
    open_relationships = SupportRelationship.objects.filter(state__in=OPEN_STATES).select_related("supporter")
    # As the caption says: those waiting first, longest waiting first; then the matched, then the ended.
    status_rank = Case(
        When(status=ParticipantStatus.WAITING, then=Value(0)),
        When(status=ParticipantStatus.MATCHED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return rows.prefetch_related(  # type: ignore[no-redef]  # fills the attribute Participant declares
        "focus_areas", Prefetch("relationships", open_relationships, to_attr="open_relationships")
    ).order_by(status_rank, "waiting_since", "id")


def status_counts(program: Program) -> dict[str, int]:
    return dict(
        Participant.objects.filter(program=program)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


def participant_detail(program: Program, membership: Any, user: Any, participant: Participant) -> dict[str, Any]:
    """The participant page: their relationships with contacts (notes only where allowed), and more."""
    settings_row = get_settings(program)
    overseen = (
        set(supporters_overseen_by(program, user).values_list("pk", flat=True))
        if has_role(membership, Role.SUPERVISOR)
        else set()
    )
    relationships = list(
        participant.relationships.select_related("supporter", "supporter__user").prefetch_related(
            Prefetch("contacts", Contact.objects.select_related("logged_by", "corrected_by")),
            Prefetch("changes", to_attr="history"),
        )
    )
    for relationship in relationships:
        relationship.notes_visible = can_read_contact_notes(
            membership, user, relationship, overseen_ids=overseen, show_previous_notes=settings_row.show_previous_notes
        )
    return {
        "relationships": relationships,
        "open_relationship": next((r for r in relationships if r.state in OPEN_STATES), None),
        "focus_areas": list(participant.focus_areas.all()),
        "conflicts": list(Conflict.objects.filter(participant=participant).select_related("supporter")),
        "concerns": list(Concern.objects.filter(participant=participant).select_related("supporter")),
        "adverse_events": list(AdverseEvent.objects.filter(participant=participant).select_related("supporter")),
    }


# The audit actions that are a read of one participant's record: a page that opened it, an export.
READ_ACTIONS = ("participant.view", "participant.export")


def read_history(program: Program, participant: Participant) -> QuerySet[AuditEntry]:
    """Who opened this participant's record, when and on which page, newest first: the audit
    entries of reads of the record itself (lists that showed their name among others are in
    the audit log, not here). Served by the audit log's (program, target_type, target_id) index."""
    return (
        AuditEntry.objects.filter(
            program=program, target_type="support.participant", target_id=str(participant.pk), action__in=READ_ACTIONS
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def relationship_detail(program: Program, membership: Any, user: Any, relationship: SupportRelationship) -> dict:
    """A relationship's page (and the API's record of it): the participant as the rule shows them
    to this person (`shown`), its contacts (notes only where both the rule and the notes rule
    allow), history, concerns and hard events, and the writes its state allows."""
    settings_row = get_settings(program)
    overseen = overseen_ids(program, membership, user)
    viewer = viewer_of(membership, user, relationship, overseen_ids=overseen)
    sight = sight_of(viewer, relationship) or Sight.NOTHING_IDENTIFYING
    focus_areas = list(relationship.participant.focus_areas.all()) if sight != Sight.NOTHING_IDENTIFYING else []
    shown = shown_participant(relationship, sight, focus_areas=focus_areas)
    earlier = list(
        SupportRelationship.objects.filter(participant=relationship.participant)
        .exclude(pk=relationship.pk)
        .select_related("supporter")
        .annotate(contact_count=Count("contacts"))
        .order_by("-proposed_at")
    )
    return {
        "contacts": list(relationship.contacts.select_related("logged_by", "corrected_by")),
        "history": list(relationship.changes.select_related("actor")),
        "concerns": list(relationship.concerns.all()),
        "adverse_events": list(relationship.adverse_events.all()),
        "shown": shown,
        "notes_hidden": "" if shown.notes_visible else gettext("Hidden: the relationship is closed."),
        "notes_visible": shown.notes_visible
        and can_read_contact_notes(
            membership, user, relationship, overseen_ids=overseen, show_previous_notes=settings_row.show_previous_notes
        ),
        "can_correct": has_role(membership, Role.SUPERVISOR) and relationship.supporter_id in overseen,
        "earlier": earlier,
        "previous_notes_visible": has_role(membership, Role.COORDINATOR) or settings_row.show_previous_notes,
        "writes": {write.name.lower() for write in rule_for(relationship.state).writes},
        "viewer": viewer,
    }


def caseload(program: Program, user: Any, *, with_closed: bool = True) -> dict[str, Any]:
    """A supporter's own page: offers to answer, working relationships with their flags, drafts
    (and the latest closed relationships, which the home page does not show)."""
    windows = w.Windows.for_program(program)
    # With the supporter's latest answer to "Is this a good fit?" (the home page asks until it is given).
    latest_fit = FitAnswer.objects.filter(relationship=OuterRef("pk"), by=FitAnswerBy.SUPPORTER).order_by(
        "-created_at", "-id"
    )
    working = list(
        w.tracked_relationships(program, windows)
        .filter(supporter__user=user)
        .annotate(latest_supporter_fit=Subquery(latest_fit.values("answer")[:1]))
    )
    for relationship in working:
        relationship.flags = w.flags_for(relationship, windows)
    offers = list(
        SupportRelationship.objects.filter(
            program=program, supporter__user=user, state=RelationshipState.PROPOSED
        ).select_related("participant")
    )
    closed = (
        list(
            SupportRelationship.objects.filter(
                program=program, supporter__user=user, state=RelationshipState.CLOSED
            ).select_related("participant")[:20]
        )
        if with_closed
        else []
    )
    # Drafts only where a contact may still be logged: a closed match's draft names nobody.
    drafts = list(
        ContactDraft.objects.filter(
            user=user, relationship__program=program, relationship__state__in=states_allowing(Write.CONTACT)
        ).select_related("relationship", "relationship__participant")
    )
    show_as(Viewer.SUPPORTER, [*offers, *working, *closed, *(d.relationship for d in drafts)])
    # What other apps date in these relationships (a plan review, a referral to check on), due
    # and overdue by the same windows as the contacts' own follow-ups.
    others = [f for f in extensions.followups(program, user, working, windows.today) if f.on <= windows.today]
    return {
        "windows": windows,
        "offers": offers,
        "working": working,
        "due": [r for r in working if "due" in r.flags],
        "overdue": [r for r in working if "overdue" in r.flags],
        "other_due": [f for f in others if f.on >= windows.overdue_before],
        "other_overdue": [f for f in others if f.on < windows.overdue_before],
        "drafts": drafts,
        "closed": closed,
    }


def attention(program: Program) -> dict[str, Any]:
    """The coordinator's list of relationships needing attention, from the program's windows."""
    windows = w.Windows.for_program(program)
    rows = w.tracked_relationships(program, windows)
    unreachable, quiet, overdue = (
        list(w.unreachable(rows, windows)),
        list(w.quiet(rows, windows)),
        list(w.followups_overdue(rows, windows)),
    )
    show_as(Viewer.COORDINATOR, [*unreachable, *quiet, *overdue])
    return {
        "windows": windows,
        "describe": windows.describe(),
        "unreachable": unreachable,
        "quiet": quiet,
        "overdue": overdue,
        "steps": get_settings(program).unreachable_steps.splitlines(),
    }


def supervision(program: Program, user: Any) -> dict[str, Any]:
    """A supervisor's page: their supporters (and those covered) with flags, concerns, covers."""
    windows = w.Windows.for_program(program)
    overseen = list(supporters_overseen_by(program, user).select_related("supervisor").order_by("full_name"))
    ids = [s.pk for s in overseen]
    rows = list(w.tracked_relationships(program, windows).filter(supporter_id__in=ids))
    for relationship in rows:
        relationship.flags = w.flags_for(relationship, windows)
    show_as(Viewer.SUPERVISOR, rows)
    today = timezone.localdate()
    return {
        "windows": windows,
        "supporters": overseen,
        "relationships": rows,
        "concerns": open_concerns(program).filter(supporter_id__in=ids),
        "covers_named": SupervisorCover.objects.filter(program=program, supervisor=user, ends_on__gte=today)
        .select_related("backup")
        .order_by("starts_on"),
        "covers_taken": SupervisorCover.objects.filter(program=program, backup=user, ends_on__gte=today)
        .select_related("supervisor")
        .order_by("starts_on"),
        "today": today,
    }


def open_concerns(program: Program) -> QuerySet[Concern]:
    return (
        Concern.objects.filter(program=program)
        .exclude(state=ConcernState.RESOLVED)
        .select_related("participant", "supporter", "on_call", "acknowledged_by", "relationship")
        .order_by("-kind", "raised_at")
    )


def concerns_for(program: Program, membership: Any, user: Any) -> list[Concern]:
    """The open concerns this person handles (coordinators: all; supervisors: their supporters'
    and those they are on call for, never their own), each with the participant as shown to them."""
    rows = open_concerns(program)
    if has_role(membership, Role.COORDINATOR):
        concerns, viewer = list(rows), Viewer.COORDINATOR
    else:
        handled = rows.filter(Q(supporter__in=supporters_overseen_by(program, user)) | Q(on_call=user))
        concerns, viewer = list(handled.exclude(supporter__user=user)), Viewer.SUPERVISOR
    show_concerns(viewer, concerns)
    return concerns


def supporters_overview(program: Program) -> dict[str, Any]:
    """Active supporters with caseload, capacity and whether they can take a new match."""
    pool = eligibility.supporter_pool(program)
    reasons = {s.pk: r for s, r in pool.excluded}
    load = eligibility.loads(program)
    supporters = list(eligibility.active_supporters(program))
    rows = [
        {
            "supporter": s,
            "profile": eligibility.profile_of(s),
            "load": load.get(s.pk, 0),
            "eligible": s.pk in pool.supporters,
            "reason": reasons.get(s.pk, ""),
        }
        for s in supporters
    ]
    return {"rows": rows}


def notifications(program: Program, user: Any, limit: int = 8) -> list[Notice]:
    """The person's unread notices of this program, urgent first (the home page's panel)."""
    return list(
        Notice.objects.filter(program=program, user=user, in_inbox=True, read_at__isnull=True).order_by(
            "-is_urgent", "-created_at"
        )[:limit]
    )


def participant_export(participant: Participant) -> dict[str, Any]:
    """Everything held about one participant, decrypted, as plain data (JSON or CSV)."""

    def day(value: dt.date | dt.datetime | None) -> str:
        return value.isoformat() if value else ""

    relationships = participant.relationships.select_related("supporter").prefetch_related("contacts", "changes")
    return {
        "participant": {
            "reference": participant.reference,
            "full_name": participant.full_name,
            "email": participant.email,
            "phone": participant.phone,
            "preferred_contact": participant.preferred_contact,
            "preferred_language": participant.preferred_language,
            "languages": participant.languages,
            "focus_areas": [a.name for a in participant.focus_areas.all()],
            "modes": participant.modes,
            "area": participant.area,
            "availability": participant.availability,
            "preferred_gender": participant.preferred_gender,
            "preferred_age_bands": participant.preferred_age_bands,
            "preferred_communities": participant.preferred_communities,
            "must_haves": participant.must_haves,
            "status": participant.status,
            "source": participant.source,
            "waiting_since": day(participant.waiting_since),
            "created_at": day(participant.created_at),
            "intake_notes": participant.intake_notes,
        },
        "consent": {
            "given": participant.consent_given,
            "what_was_agreed": participant.consent_scope,
            "when": day(participant.consent_at),
            "recorded_by": participant.consent_recorded_by_label,
        },
        "relationships": [
            {
                "id": r.pk,
                "supporter": r.supporter.full_name,
                "state": r.state,
                "proposed_at": day(r.proposed_at),
                "activated_at": day(r.activated_at),
                "first_contact_on": day(r.first_contact_on),
                "closing_conversation_on": day(r.closing_conversation_on),
                "closed_at": day(r.closed_at),
                "close_reason": r.close_reason,
                "close_note": r.close_note,
                "history": [
                    {"from": c.from_state, "to": c.to_state, "at": day(c.created_at), "reason": c.reason}
                    for c in r.changes.all()
                ],
                "contacts": [
                    {
                        "date": day(c.contacted_on),
                        "channel": c.channel,
                        "reached": c.reached,
                        "duration_minutes": c.duration_minutes,
                        "tasks": c.tasks,
                        "kind": c.kind,
                        "notes": c.notes,
                        "next_follow_up": day(c.next_follow_up),
                    }
                    for c in r.contacts.all()
                ],
            }
            for r in relationships
        ],
        # What the apps built on support hold about them (their plan, needs, referrals).
        **extensions.participant_export(participant),
        "concerns": [
            {
                "kind": c.kind,
                "state": c.state,
                "raised_at": day(c.raised_at),
                "answers": c.answer_pairs(),
                "notes": c.notes,
                "acknowledged_at": day(c.acknowledged_at),
                "escalated_at": day(c.escalated_at),
                "follow_up": c.follow_up,
                "referral": c.referral,
            }
            for c in Concern.objects.filter(participant=participant)
        ],
        "adverse_events": [
            {"kind": e.kind, "occurred_at": day(e.occurred_at), "notes": e.notes}
            for e in AdverseEvent.objects.filter(participant=participant)
        ],
        "conflicts": [
            {"supporter": c.supporter.full_name, "reason": c.reason, "declared_at": day(c.created_at)}
            for c in Conflict.objects.filter(participant=participant).select_related("supporter")
        ],
    }


def export_rows(data: dict[str, Any]) -> list[list[str]]:
    """The export flattened for CSV: section, item, field, value."""
    rows: list[list[str]] = [["section", "item", "field", "value"]]

    def add(section: str, item: str, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                for i, sub in enumerate(value, start=1):
                    add(section, f"{item}.{key}{i}", sub)
            else:
                text = (
                    "; ".join(" / ".join(map(str, v)) if isinstance(v, list | tuple) else str(v) for v in value)
                    if (isinstance(value, list))
                    else str(value)
                )
                rows.append([section, item, key, text])

    def add_any(section: str, value: Any) -> None:
        """A part whose shape support does not know: a record (dict) or a list of records."""
        if isinstance(value, dict):
            add(section, "", value)
        elif isinstance(value, list):
            for i, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    add(section, str(i), item)
                else:
                    rows.append([section, str(i), "", str(item)])
        elif value is not None:
            rows.append([section, "", "", str(value)])

    add("participant", "", data["participant"])
    add("consent", "", data["consent"])
    for section in ["relationships", "concerns", "adverse_events", "conflicts"]:
        for i, item in enumerate(data[section], start=1):
            add(section, str(i), item)
    # What the apps built on support add (plans, groups, voice, hours): support.extensions.
    for key in extensions.participant_export_keys():
        add_any(key, data.get(key))
    return rows


def escalation_order(program: Program) -> list[Any]:
    """The coordinators in the order a crisis reaches them after the supporter's supervisor
    (`support.oncall.crisis_chain`): shown on the support settings page."""
    return oncall.ordered_coordinators(program, get_settings(program))


def crisis_chain_rows(concern: Concern, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The on-call chain of a crisis as its page shows it: each step alerted so far (who, why,
    when, until when) and, while it is waiting for an acknowledgement, the people still to come
    in the chain as it stands now, the next one with the time they will be alerted."""
    if not concern.is_crisis:
        return []
    rows: list[dict[str, Any]] = []
    for n, entry in enumerate(concern.alerted, start=1):
        rows.append(
            {
                "number": n,
                "name": entry.get("name") or "",
                "reason": entry.get("reason") or "",
                "at": dt.datetime.fromisoformat(entry["at"]) if entry.get("at") else None,
                "until": dt.datetime.fromisoformat(entry["until"]) if entry.get("until") else None,
                "state": "alerted",
            }
        )
    if concern.state != ConcernState.OPEN or concern.next_step_at is None:
        return rows
    done = {entry["user"] for entry in concern.alerted}
    chain = oncall.crisis_chain(concern.program, concern.supporter, get_settings(concern.program), now)
    for step in chain:
        if step.user.pk in done:
            continue
        rows.append(
            {
                "number": len(rows) + 1,
                "name": str(step.user),
                "reason": step.reason,
                "at": concern.next_step_at if not any(r["state"] == "next" for r in rows) else None,
                "until": None,
                "state": "next" if not any(r["state"] == "next" for r in rows) else "later",
            }
        )
    return rows


def late_crisis_escalations(now: dt.datetime, grace: dt.timedelta) -> int:
    """Open crises (nobody acknowledged them) whose next on-call step fell due more than ``grace``
    ago and was not taken: the escalation that should have happened, installation-wide."""
    return Concern.objects.filter(state=ConcernState.OPEN, next_step_at__lte=now - grace).count()
