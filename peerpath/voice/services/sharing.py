"""Consent to share a progress summary with a named clinician or agency, and the summary itself:
built for a date range, on screen or as a PDF, each generation audited."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.plans.access import access_to
from peerpath.plans.models import GoalStatus, NeedStatus, ReferralState
from peerpath.plans.queries import GoalInRange, goals_and_progress, needs_and_referrals
from peerpath.support.access import Viewer
from peerpath.support.models import Contact, Participant, SupportRelationship, SupportTask
from peerpath.voice.models import OutcomeResponse, ShareConsent, SummarySection

MAX_CONSENT_DAYS = 366 * 2


def record_consent(
    *, actor: Actor, participant: Participant, recipient: str, scope: list[str], expires_on: dt.date
) -> ShareConsent:
    """Record that the participant agreed to share their summary with a named recipient.

    Rules: the recipient is named; the scope lists at least one section of the summary; the
    consent expires after today and within two years.
    """
    errors: dict[str, str] = {}
    if not recipient.strip():
        errors["recipient"] = _("Name the clinician or agency.")
    if not scope or any(s not in SummarySection.values for s in scope):
        errors["scope"] = _("Choose what they may receive.")
    today = timezone.localdate()
    if not today < expires_on <= today + dt.timedelta(days=MAX_CONSENT_DAYS):
        errors["expires_on"] = _("A date after today and within two years.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = ShareConsent.objects.create(
            program=participant.program,
            participant=participant,
            recipient=recipient.strip(),
            scope=[s for s in SummarySection.values if s in scope],
            expires_on=expires_on,
            recorded_by=actor if isinstance(actor, User) else None,
        )
        audit.record(
            actor=actor,
            program=participant.program,
            action="voice.consent.create",
            target=consent,
            target_label=participant.reference,
            note=f"Scope: {', '.join(consent.scope)}; until {expires_on.isoformat()}",
        )
    return consent


def withdraw_consent(*, actor: Actor, consent: ShareConsent) -> ShareConsent:
    """The participant withdrew their consent: no summary is prepared for that recipient again."""
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    with transaction.atomic():
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=actor,
            program=consent.program,
            action="voice.consent.withdraw",
            target=consent,
            target_label=consent.participant.reference,
        )
    return consent


@dataclass
class RelationshipSummary:
    relationship: SupportRelationship
    goals: list[GoalInRange] | None  # None: the plan is not the reader's to see
    contacts: int = 0
    reached: int = 0
    by_task: list[tuple[str, int]] = field(default_factory=list)
    needs: dict[str, Any] | None = None  # None: not in the summary, or not the reader's to see


@dataclass
class Summary:
    participant: Participant
    start: dt.date
    end: dt.date
    sections: list[str]
    consent: ShareConsent | None
    relationships: list[RelationshipSummary]
    outcomes: list[OutcomeResponse]
    generated_at: dt.datetime

    @property
    def recipient(self) -> str:
        return self.consent.recipient if self.consent else ""

    def shows(self, section: str) -> bool:
        return section in self.sections


def build_summary(
    *,
    participant: Participant,
    relationships: list[tuple[SupportRelationship, Viewer]],
    start: dt.date,
    end: dt.date,
    consent: ShareConsent | None = None,
) -> Summary:
    """The progress summary of the relationships the reader may see, from ``start`` to ``end``.

    Rules: the range runs forwards; a summary for a recipient needs their consent in force, and
    shows only the sections it covers. Contacts are counted by the four tasks (a contact may
    serve several); goals come from the plan where the reader may read it.
    """
    if end < start:
        raise ValidationError({"end": _("The end comes after the start.")})
    if consent is not None and (consent.participant_id != participant.pk or not consent.in_force()):
        raise ValidationError(_("This consent is withdrawn or has expired: no summary may be prepared for them."))
    sections = list(consent.scope) if consent else list(SummarySection.values)
    rows = []
    ids = [r.pk for r, _viewer in relationships]
    contacts = list(
        Contact.objects.filter(relationship_id__in=ids, contacted_on__gte=start, contacted_on__lte=end).only(
            "relationship_id", "reached", "tasks"
        )
    )
    for relationship, viewer in relationships:
        mine = [c for c in contacts if c.relationship_id == relationship.pk]
        tasks = Counter(t for c in mine if c.reached for t in c.tasks)
        goals = None
        if SummarySection.GOALS in sections and access_to(relationship, viewer).may_read:
            goals = goals_and_progress(relationship, start, end)
        needs = None
        if SummarySection.NEEDS in sections and access_to(relationship, viewer).may_read:
            needs = needs_and_referrals(relationship, start, end)
        rows.append(
            RelationshipSummary(
                relationship=relationship,
                goals=goals,
                needs=needs,
                contacts=len(mine),
                reached=sum(1 for c in mine if c.reached),
                by_task=[(str(task.label), tasks.get(task.value, 0)) for task in SupportTask],
            )
        )
    outcomes = list(
        OutcomeResponse.objects.filter(
            relationship_id__in=ids,
            completed_at__date__gte=start,
            completed_at__date__lte=end,
        ).select_related("questionnaire")
    )
    return Summary(participant, start, end, sections, consent, rows, outcomes, timezone.now())


def audit_generation(*, actor: Actor, summary: Summary, fmt: str) -> None:
    """Every summary prepared, on screen or as a PDF, leaves an entry: who, for whom, which range."""
    note = f"{summary.start.isoformat()} to {summary.end.isoformat()}; {fmt}"
    if summary.consent is not None:
        note += f"; for the recipient of consent {summary.consent.pk} ({', '.join(summary.sections)})"
    audit.record(
        actor=actor,
        program=summary.participant.program,
        action="voice.summary",
        target=summary.participant,
        note=note,
    )


def summary_lines(summary: Summary) -> list[tuple[str, Any]]:
    """The summary as (kind, value) lines, for the PDF: "h1", "h2", "p", "table"."""
    lines: list[tuple[str, Any]] = []
    for row in summary.relationships:
        lines.append(("h2", _("With %(supporter)s") % {"supporter": row.relationship.supporter.full_name}))
        if summary.shows(SummarySection.CONTACTS):
            lines.append(
                (
                    "p",
                    _("%(contacts)s contacts logged, %(reached)s reaching them.")
                    % {"contacts": row.contacts, "reached": row.reached},
                )
            )
            lines.append(("table", [[_("Task"), _("Contacts")], *[[label, str(n)] for label, n in row.by_task]]))
        if summary.shows(SummarySection.GOALS) and row.goals is not None:
            if not row.goals:
                lines.append(("p", _("No goals recorded by the end of the period.")))
            for item in row.goals:
                goal = {"goal": item.goal.text, "status": GoalStatus(item.status).label}
                text = (
                    _("Goal: %(goal)s (%(status)s), met in the period") % goal
                    if item.met_in_range
                    else _("Goal: %(goal)s (%(status)s)") % goal
                )
                lines.append(("p", text))
                for progress in item.progress:
                    lines.append(
                        (
                            "p",
                            "  {date}: {note}".format(
                                date=date_format(progress.noted_on, "SHORT_DATE_FORMAT"),
                                note=progress.note or _("worked on"),
                            ),
                        )
                    )
        if summary.shows(SummarySection.NEEDS) and row.needs is not None:
            found = row.needs
            needs = [f"{n.area}: {NeedStatus(n.status).label}" for n in found["needs"]]
            lines.append(("p", _("Needs: %(needs)s.") % {"needs": "; ".join(needs) if needs else _("none recorded")}))
            for referral in found["referrals"]:
                state = ReferralState(referral.state).label
                lines.append(
                    (
                        "p",
                        _("Referral: %(resource)s (%(need)s): %(state)s")
                        % {
                            "resource": referral.resource_name,
                            "need": referral.need or _("no need named"),
                            "state": state,
                        },
                    )
                )
    if summary.shows(SummarySection.OUTCOMES):
        lines.append(("h2", _("Outcome scores")))
        if summary.outcomes:
            table = [[_("Date"), _("Measure"), _("When"), _("Scores")]]
            for response in summary.outcomes:
                scores = ", ".join(f"{s['name']} {s['score']}" for s in (response.scores or {}).values())
                table.append(
                    [
                        date_format(timezone.localtime(response.completed_at).date(), "SHORT_DATE_FORMAT"),
                        response.questionnaire.name,
                        response.get_point_display(),
                        scores,
                    ]
                )
            lines.append(("table", table))
        else:
            lines.append(("p", _("No outcome measure was completed in the period.")))
    return lines
