"""State changes in recruitment: applications, screening, decisions, milestones, setup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.mail import queue_email
from peerpath.core.models import User, normalize_email
from peerpath.core.permissions import Role
from peerpath.notifications.services import notify
from peerpath.programs.models import FocusArea, Membership, Program
from peerpath.programs.services import add_member
from peerpath.recruitment.lifecycle import SCREENING_INTERVIEW
from peerpath.recruitment.models import (
    Application,
    Decision,
    InterviewStatus,
    Milestone,
    RedFlag,
    RedFlagNote,
    ScreeningAnswer,
    ScreeningInterview,
    ScreeningQuestion,
    Source,
    Stage,
    StageChange,
    Supporter,
)
from peerpath.recruitment.pathway import move_to_stage

APPLICANT_ACTOR = SystemActor("applicant (public form)")
# People who are still applying and so can be (re)screened.
SCREENABLE_STAGES = frozenset({Stage.APPLICANT, Stage.SCREENING, Stage.COACHING, Stage.REDIRECTED})


def submit_application(
    *,
    program: Program,
    full_name: str,
    email: str,
    phone: str,
    preferred_contact: str,
    focus_areas: Iterable[FocusArea],
    motivation: str,
    availability: str,
    languages: list[str],
    source: str,
    clinician_name: str = "",
    source_detail: str = "",
    consent_to_contact: bool,
) -> Application:
    """Take an application from the public form.

    Rules: the program must be accepting applications; consent to be contacted is required;
    a clinician referral names the clinician. The form is anonymous, so it never writes to a
    person already on the pathway and never moves their stage: a second application with the
    same e-mail (in any case) is kept as a new application linked to that person, awaiting a
    coordinator's review (`accept_application_changes`, `dismiss_application`,
    `reopen_from_application`). The applicant gets the same confirmation either way, so the
    form does not tell anyone whether an address is known; the coordinators get a notice.
    """
    if not program.accepting_applications:
        raise ValidationError(_("This program is not taking applications at the moment."))
    if not consent_to_contact:
        raise ValidationError({"consent_to_contact": _("We can only process your application if we may contact you.")})
    if source == Source.CLINICIAN and not clinician_name.strip():
        raise ValidationError({"clinician_name": _("Please tell us the name of the clinician who referred you.")})
    areas = list(focus_areas)
    if any(area.program_id != program.pk for area in areas):
        raise ValidationError({"focus_areas": _("Choose from this program's areas.")})
    email = normalize_email(email)
    with transaction.atomic():
        supporter = Supporter.objects.filter(program=program, email=email).first()
        is_repeat = supporter is not None
        if supporter is None:
            supporter = Supporter.objects.create(
                program=program,
                full_name=full_name,
                email=email,
                phone=phone,
                preferred_contact=preferred_contact,
                languages=languages,
                source=source,
            )
            supporter.focus_areas.add(*areas)
            supporter.stage_changes.create(from_stage="", to_stage=Stage.APPLICANT, reason="Applied")
        application = Application.objects.create(
            program=program,
            supporter=supporter,
            full_name=full_name,
            email=email,
            phone=phone,
            preferred_contact=preferred_contact,
            motivation=motivation,
            availability=availability,
            languages=languages,
            source=source,
            clinician_name=clinician_name if source == Source.CLINICIAN else "",
            source_detail=source_detail,
            consent_to_contact=consent_to_contact,
            is_repeat=is_repeat,
            needs_review=is_repeat,
        )
        application.focus_areas.set(areas)
        audit.record(
            actor=APPLICANT_ACTOR,
            program=program,
            action="application.submit",
            target=application,
            note="Repeat application: the person's record is unchanged until a coordinator reviews it"
            if is_repeat
            else "",
        )
        queue_email(
            to=email,
            template="recruitment/email/application_received",
            context={"program": program, "application": application},
            reply_to=program.contact_email,
        )
        coordinators = [
            m.user
            for m in Membership.objects.filter(program=program).with_role(Role.COORDINATOR).select_related("user")
        ]
        page = (
            reverse("recruitment:application", args=[program.slug, application.pk])
            if is_repeat
            else reverse("recruitment:person", args=[program.slug, supporter.pk])
        )
        notify(
            kind="recruitment.new_application",
            users=coordinators,
            program=program,
            context={"application": application},
            url=page,
            key=f"recruitment.new_application:{application.pk}",
        )
    return application


def _awaiting_review(application: Application) -> Application:
    """The application, locked, if it is a repeat still awaiting review; else a ValidationError."""
    locked = Application.objects.select_for_update().select_related("supporter").get(pk=application.pk)
    if not locked.needs_review:
        raise ValidationError(_("This application has already been reviewed."))
    return locked


def _mark_reviewed(*, actor: User, application: Application, action: str, note: str) -> None:
    application.needs_review = False
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.save(update_fields=["needs_review", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        program=application.program,
        action=action,
        target=application,
        changes={"needs_review": [True, False]},
        note=note,
    )


def accept_application_changes(*, actor: User, application: Application, fields: Iterable[str]) -> Application:
    """Copy the chosen fields of a repeat application onto the person's record, and close the review.

    Rules: the application is a repeat awaiting review; each chosen field is one where the
    application differs from the record (`Application.differences`); lived-experience areas
    are added, never removed. The change to the person is audited with old and new values;
    the fields not chosen are dismissed with it.
    """
    chosen = list(dict.fromkeys(fields))
    with transaction.atomic():
        application = _awaiting_review(application)
        offered = {d.name for d in application.differences()}
        if not chosen:
            raise ValidationError({"accept": _("Choose the changes to accept, or dismiss them all.")})
        if set(chosen) - offered:
            raise ValidationError({"accept": _("Only the details that differ from the record can be accepted.")})
        person = Supporter.objects.select_for_update().get(pk=application.supporter_id)
        before = audit.snapshot(person, chosen)
        for name in chosen:
            if name == "focus_areas":
                person.focus_areas.add(*application.focus_areas.all())
            else:
                setattr(person, name, getattr(application, name))
        if scalar := [n for n in chosen if n != "focus_areas"]:
            person.save(update_fields=scalar)
        audit.record(
            actor=actor,
            program=application.program,
            action="supporter.accept_application",
            target=person,
            changes=audit.diff(before, audit.snapshot(person, chosen)),
            note=f"From the application of {application.submitted_at:%Y-%m-%d}",
        )
        dismissed = sorted(offered - set(chosen))
        _mark_reviewed(
            actor=actor,
            application=application,
            action="application.review",
            note=f"Accepted: {', '.join(chosen)}" + (f"; dismissed: {', '.join(dismissed)}" if dismissed else ""),
        )
    return application


def dismiss_application(*, actor: User, application: Application) -> Application:
    """Keep the person's record as it is and close the review of a repeat application.

    Rule: the application is a repeat awaiting review. The application itself is kept.
    """
    with transaction.atomic():
        application = _awaiting_review(application)
        dismissed = [d.name for d in application.differences()]
        _mark_reviewed(
            actor=actor,
            application=application,
            action="application.dismiss",
            note=f"Dismissed: {', '.join(dismissed)}" if dismissed else "Nothing differed",
        )
    return application


def reopen_from_application(*, actor: User, application: Application, reason: str) -> StageChange:
    """A coordinator brings a withdrawn person, or a declined one past their re-apply date, back
    to 'applicant' on the strength of their new application.

    Rules: a reason is required; the person is withdrawn, or declined with no re-apply date or
    one that has come. The move goes through the pathway (`move_to_stage`), which writes the
    history row and the audit entry.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why they are being reopened.")})
    person = application.supporter
    person.refresh_from_db()
    today = timezone.localdate()
    if person.stage == Stage.DECLINED and person.may_reapply_after and person.may_reapply_after > today:
        raise ValidationError(
            _("%(name)s may re-apply only after %(date)s.")
            % {"name": person.full_name, "date": person.may_reapply_after.isoformat()}
        )
    if person.stage not in (Stage.WITHDRAWN, Stage.DECLINED):
        raise ValidationError(
            _("Only a withdrawn or declined person is reopened from an application; %(name)s is '%(stage)s'.")
            % {"name": person.full_name, "stage": person.get_stage_display()}
        )
    return move_to_stage(
        actor=actor,
        supporter=person,
        to_stage=Stage.APPLICANT,
        reason=f"Reopened from the application of {application.submitted_at:%Y-%m-%d}: {reason.strip()}",
    )


INTERVIEW_HORIZON = dt.timedelta(days=366)  # how far ahead an interview may be scheduled


def schedule_interview(
    *, actor: Actor, supporter: Supporter, scheduled_for: dt.datetime, location: str, interviewer: Any
) -> ScreeningInterview:
    """Schedule a screening interview.

    Rules: only people who are applying (applicant, screening, not yet ready, redirected) can
    be screened; an applicant moves to 'screening'; the interview is at most a year ahead
    (`INTERVIEW_HORIZON`). The applicant is told by e-mail.
    """
    if supporter.stage not in SCREENABLE_STAGES:
        raise ValidationError(f"{supporter.full_name} is '{supporter.get_stage_display()}' and cannot be screened.")
    if scheduled_for > timezone.now() + INTERVIEW_HORIZON:
        raise ValidationError({"scheduled_for": _("Schedule the interview within a year from today.")})
    if (
        interviewer is not None
        and not Membership.objects.filter(program=supporter.program, user=interviewer).staff().exists()
    ):
        raise ValidationError({"interviewer": _("The interviewer must be a member of the program's staff.")})
    with transaction.atomic():
        interview = ScreeningInterview.objects.create(
            program=supporter.program,
            supporter=supporter,
            scheduled_for=scheduled_for,
            location=location,
            interviewer=interviewer,
        )
        audit.record(actor=actor, program=supporter.program, action="screening.schedule", target=interview)
        if supporter.stage != Stage.SCREENING:
            move_to_stage(
                actor=actor, supporter=supporter, to_stage=Stage.SCREENING, reason="Screening interview scheduled"
            )
        queue_email(
            to=supporter.email,
            template="recruitment/email/interview_scheduled",
            context={"program": supporter.program, "interview": interview, "supporter": supporter},
            reply_to=supporter.program.contact_email,
        )
    return interview


def cancel_interview(*, actor: Actor, interview: ScreeningInterview, reason: str) -> ScreeningInterview:
    """Cancel a scheduled interview. Rule: completed interviews cannot be cancelled."""
    SCREENING_INTERVIEW.check(interview, InterviewStatus.CANCELLED)
    SCREENING_INTERVIEW.move(
        actor=actor,
        obj=interview,
        to=InterviewStatus.CANCELLED,
        # The reason goes into the (encrypted) notes; the entry records only that they changed.
        changes={"notes": (interview.notes + "\n" if interview.notes else "") + f"Cancelled: {reason}"},
        audit_action="screening.cancel",
        audit_changes={"notes": [audit.CHANGED, audit.CHANGED]},
    )
    return interview


def record_screening(
    *,
    actor: Actor,
    interview: ScreeningInterview,
    answers: dict[int, str],
    red_flags: dict[int, str],
    notes: str,
) -> ScreeningInterview:
    """Record the answers to the program's screening questions and any red flags noted.

    Rules: the interview must not be cancelled or decided; questions and red flags must be
    the program's own. Recording again replaces the earlier answers (before a decision).
    """
    if interview.status == InterviewStatus.CANCELLED:
        raise ValidationError(_("This interview was cancelled."))
    if interview.decision:
        raise ValidationError(_("A decision has been recorded; the screening can no longer be changed."))
    program = interview.program
    questions = {q.pk: q for q in ScreeningQuestion.objects.filter(program=program, pk__in=answers.keys())}
    flags = {f.pk: f for f in RedFlag.objects.filter(program=program, pk__in=red_flags.keys())}
    if set(answers) - set(questions) or set(red_flags) - set(flags):
        raise ValidationError(_("Some questions or red flags do not belong to this program."))
    with transaction.atomic():
        # Answers, red-flag notes and notes are encrypted: the entry records that they changed
        # (audit.Secret), and which red flags were noted.
        before = {
            "answers": audit.Secret(list(interview.answers.values_list("question_text", "answer"))),
            "red_flags": list(interview.red_flags.values_list("red_flag_text", flat=True)),
            "red_flag_notes": audit.Secret(list(interview.red_flags.values_list("red_flag_text", "note"))),
            "notes": audit.Secret(interview.notes),
            "status": interview.status,
        }
        interview.answers.all().delete()
        interview.red_flags.all().delete()
        ScreeningAnswer.objects.bulk_create(
            ScreeningAnswer(interview=interview, question=q, question_text=q.text, factor=q.factor, answer=answers[pk])
            for pk, q in questions.items()
        )
        RedFlagNote.objects.bulk_create(
            RedFlagNote(interview=interview, red_flag=f, red_flag_text=f.text, note=red_flags[pk])
            for pk, f in flags.items()
        )
        after = {
            "answers": audit.Secret([(q.text, answers[pk]) for pk, q in questions.items()]),
            "red_flags": [f.text for f in flags.values()],
            "red_flag_notes": audit.Secret([(f.text, red_flags[pk]) for pk, f in flags.items()]),
            "notes": audit.Secret(notes),
            "status": InterviewStatus.COMPLETED,
        }
        if interview.status == InterviewStatus.SCHEDULED:
            SCREENING_INTERVIEW.move(
                actor=actor,
                obj=interview,
                to=InterviewStatus.COMPLETED,
                changes={"notes": notes, "completed_at": timezone.now()},
                audit_action="screening.record",
                audit_changes=audit.diff(before, after),
            )
        else:  # recorded again: the interview is already completed
            interview.notes = notes
            interview.save(update_fields=["notes"])
            audit.record(
                actor=actor,
                program=program,
                action="screening.record",
                target=interview,
                changes=audit.diff(before, after),
            )
    return interview


def decide(
    *,
    actor: User,
    interview: ScreeningInterview,
    decision: str,
    note: str = "",
    revisit_on: dt.date | None = None,
    redirect_role: str = "",
    decline_reason: str = "",
    may_reapply_after: dt.date | None = None,
) -> ScreeningInterview:
    """Record the screening decision and move the person along the pathway.

    Rules: the screening must be recorded first and decided once. 'Not yet' needs a revisit
    date in the future; 'redirect' names the other role; 'decline' gives a reason and may
    set a date after which the person may re-apply. Accepting someone with a red flag noted at
    the screening needs a written reason in the note (audited as
    `screening.accept_despite_red_flag`). Accepting creates (or reuses) the person's account
    with the supporter role, sends an invitation to set a password, and puts them 'in training'.
    """
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if interview.status != InterviewStatus.COMPLETED:
        raise ValidationError(_("Record the screening interview before deciding."))
    if interview.decision:
        raise ValidationError(_("A decision has already been recorded for this interview."))
    if decision not in Decision.values:
        errors["decision"] = "Choose a decision."
    if decision == Decision.NOT_YET and (revisit_on is None or revisit_on <= today):
        errors["revisit_on"] = "Give a date in the future to revisit."
    if decision == Decision.REDIRECT and not redirect_role.strip():
        errors["redirect_role"] = "Name the volunteering role you are redirecting them to."
    if decision == Decision.DECLINE and not decline_reason.strip():
        errors["decline_reason"] = "Give the reason for declining."
    if decision == Decision.DECLINE and may_reapply_after is not None and may_reapply_after <= today:
        errors["may_reapply_after"] = "The re-apply date must be in the future."
    flags = list(interview.red_flags.values_list("red_flag_text", flat=True))
    if decision == Decision.ACCEPT and flags and len(note.strip()) < 10:
        errors["note"] = (
            f"A red flag was noted ({'; '.join(flags)}). To accept them, write why in the note; "
            "it is kept in the audit log."
        )
    if errors:
        raise ValidationError(errors)
    supporter = interview.supporter
    with transaction.atomic():
        interview.decision = decision
        interview.decision_note = note
        interview.revisit_on = revisit_on if decision == Decision.NOT_YET else None
        interview.redirect_role = redirect_role if decision == Decision.REDIRECT else ""
        interview.decline_reason = decline_reason if decision == Decision.DECLINE else ""
        interview.may_reapply_after = may_reapply_after if decision == Decision.DECLINE else None
        interview.decided_by = actor
        interview.decided_at = timezone.now()
        interview.save()
        audit.record(
            actor=actor,
            program=interview.program,
            action="screening.decide",
            target=interview,
            # The note and a decline reason are encrypted on the interview: recorded as changed.
            changes={
                "decision": ["", decision],
                **({"decision_note": [audit.CHANGED, audit.CHANGED]} if note else {}),
                **({"decline_reason": [audit.CHANGED, audit.CHANGED]} if interview.decline_reason else {}),
            },
        )
        if decision == Decision.ACCEPT and flags:
            audit.record(
                actor=actor,
                program=interview.program,
                action="screening.accept_despite_red_flag",
                target=interview,
                changes={"red_flags": [flags, None], "decision_note": [audit.CHANGED, audit.CHANGED]},
                note="Why is in the decision's note on the interview (encrypted).",
            )
        # The pathway history and its audit entry name the decision only: the note and a decline
        # reason stay on the interview, encrypted.
        reason = f"Screening decision: {Decision(decision).label}"
        if decision == Decision.ACCEPT:
            move_to_stage(actor=actor, supporter=supporter, to_stage=Stage.ACCEPTED, reason=reason)
            membership = add_member(
                actor=actor,
                program=interview.program,
                email=supporter.email,
                full_name=supporter.full_name,
                roles={Role.SUPPORTER},
            )
            supporter.user = membership.user
            supporter.save(update_fields=["user"])
            move_to_stage(
                actor=actor, supporter=supporter, to_stage=Stage.IN_TRAINING, reason="Account created; joins training"
            )
        elif decision == Decision.NOT_YET:
            move_to_stage(
                actor=actor, supporter=supporter, to_stage=Stage.COACHING, reason=reason, revisit_on=revisit_on
            )
        elif decision == Decision.REDIRECT:
            move_to_stage(
                actor=actor, supporter=supporter, to_stage=Stage.REDIRECTED, reason=reason, redirected_to=redirect_role
            )
        else:
            move_to_stage(
                actor=actor,
                supporter=supporter,
                to_stage=Stage.DECLINED,
                reason=reason,
                may_reapply_after=may_reapply_after,
            )
    return interview


def record_milestone(
    *, actor: User, supporter: Supporter, title: str, achieved_on: dt.date, note: str = ""
) -> Milestone:
    """Record a building block on the pathway. Rule: not dated in the future."""
    if achieved_on > timezone.localdate():
        raise ValidationError({"achieved_on": _("A milestone cannot be dated in the future.")})
    with transaction.atomic():
        milestone = Milestone.objects.create(
            supporter=supporter, title=title, achieved_on=achieved_on, note=note, recorded_by=actor
        )
        audit.record(actor=actor, program=supporter.program, action="milestone.create", target=supporter, note=title)
    return milestone


def assign_supervisor(*, actor: Actor, supporter: Supporter, supervisor: Any) -> Supporter:
    """Assign (or clear, with None) a supporter's supervisor.

    Rule: the supervisor must hold the supervisor role in the same program, and nobody
    supervises themselves.
    """
    if supervisor is not None:
        if (
            not Membership.objects.filter(program=supporter.program, user=supervisor)
            .with_role(Role.SUPERVISOR)
            .exists()
        ):
            raise ValidationError({"supervisor": _("Choose a supervisor of this program.")})
        if supporter.user_id == supervisor.pk:
            raise ValidationError({"supervisor": _("Nobody can supervise themselves.")})
    with transaction.atomic():
        before = audit.snapshot(supporter, ["supervisor"])
        supporter.supervisor = supervisor
        supporter.save(update_fields=["supervisor"])
        audit.record(
            actor=actor,
            program=supporter.program,
            action="supporter.assign_supervisor",
            target=supporter,
            changes=audit.diff(before, audit.snapshot(supporter, ["supervisor"])),
        )
    return supporter


def save_screening_question(
    *, actor: Actor, program: Program, question: ScreeningQuestion | None, data: dict[str, Any]
) -> ScreeningQuestion:
    """Add or edit one of the program's screening questions (past interviews keep their copy)."""
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=question or ScreeningQuestion(program=program),
            fields=["factor", "text", "position", "is_active"],
            data=data,
            action="screening_question",
        )


def save_red_flag(*, actor: Actor, program: Program, red_flag: RedFlag | None, data: dict[str, Any]) -> RedFlag:
    """Add or edit one of the program's red flags (past interviews keep their copy)."""
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=red_flag or RedFlag(program=program),
            fields=["text", "position", "is_active"],
            data=data,
            action="red_flag",
        )
