"""Who may see which supporter's care records, and fetching them for a view; anything else is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peerpath.care.models import (
    Break,
    BuddyPair,
    CareTask,
    CheckIn,
    CheckInStatus,
    Debrief,
    Newsletter,
    NewsletterStatus,
    Questionnaire,
    Recognition,
    SupervisionMeeting,
)
from peerpath.core.models import User
from peerpath.core.permissions import Role, has_role
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.access import own_supporter_record
from peerpath.recruitment.models import Supporter


def can_see_supporter_care(membership: Membership | None, user: User, supporter: Supporter) -> bool:
    """Supervision notes, check-ins and debriefs: the coordinator, or the person's own supervisor."""
    if membership is None or supporter.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.SUPERVISOR) and supporter.supervisor_id == user.pk


def care_supporters_visible_to(membership: Membership, user: User) -> QuerySet[Supporter]:
    """The pathway records whose care a member may see: all (coordinator) or supervised ones."""
    rows = Supporter.objects.filter(program_id=membership.program_id)
    if has_role(membership, Role.COORDINATOR):
        return rows
    if has_role(membership, Role.SUPERVISOR):
        return rows.filter(supervisor=user)
    return rows.none()


def can_edit_supervision_meeting(membership: Membership | None, user: User, meeting: SupervisionMeeting) -> bool:
    """A logged meeting: the coordinator, or the supervisor who led or logged it."""
    if membership is None or meeting.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.SUPERVISOR) and user.pk in (meeting.supervisor_id, meeting.logged_by_id)


def can_handle_care_task(membership: Membership | None, user: User, task: CareTask) -> bool:
    """A care task: the coordinator, or the supervisor it is assigned to."""
    if membership is None or task.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.SUPERVISOR) and task.assigned_to_id == user.pk


def visible_supporters(request: ProgramRequest) -> QuerySet[Supporter]:
    return care_supporters_visible_to(request.membership, request.user)


def get_supporter(request: ProgramRequest, program: Program, pk: int) -> Supporter:
    supporter = get_object_or_404(Supporter.objects.select_related("supervisor", "user"), program=program, pk=pk)
    if not can_see_supporter_care(request.membership, request.user, supporter):
        raise Http404("No such supporter.")
    return supporter


def get_any_supporter(program: Program, pk: int) -> Supporter:
    """For coordinator-only pages (breaks, buddies, recognition)."""
    return get_object_or_404(Supporter, program=program, pk=pk)


def own_record(request: ProgramRequest, program: Program) -> Supporter:
    return own_supporter_record(program, request.user)


def get_meeting(request: ProgramRequest, program: Program, pk: int) -> SupervisionMeeting:
    meeting = get_object_or_404(
        SupervisionMeeting.objects.select_related("supervisor", "logged_by"), program=program, pk=pk
    )
    if not can_edit_supervision_meeting(request.membership, request.user, meeting):
        raise Http404("No such meeting.")
    return meeting


def get_task(request: ProgramRequest, program: Program, pk: int) -> CareTask:
    task = get_object_or_404(CareTask.objects.select_related("supporter", "assigned_to"), program=program, pk=pk)
    if not can_handle_care_task(request.membership, request.user, task):
        raise Http404("No such task.")
    return task


def get_debrief(request: ProgramRequest, program: Program, pk: int) -> Debrief:
    debrief = get_object_or_404(Debrief.objects.select_related("supporter"), program=program, pk=pk)
    if not can_see_supporter_care(request.membership, request.user, debrief.supporter):
        raise Http404("No such debrief.")
    return debrief


def get_checkin(request: ProgramRequest, program: Program, pk: int) -> CheckIn:
    checkin = get_object_or_404(
        CheckIn.objects.select_related("supporter", "questionnaire"),
        program=program,
        pk=pk,
        status=CheckInStatus.COMPLETED,
    )
    if not can_see_supporter_care(request.membership, request.user, checkin.supporter):
        raise Http404("No such check-in.")
    return checkin


def own_checkin(request: ProgramRequest, program: Program, pk: int) -> CheckIn:
    record = own_record(request, program)
    return get_object_or_404(
        CheckIn.objects.select_related("questionnaire"),
        program=program,
        supporter=record,
        pk=pk,
        status=CheckInStatus.COMPLETED,
    )


def own_break(request: ProgramRequest, program: Program, pk: int) -> Break:
    return get_object_or_404(
        Break.objects.select_related("supporter"), program=program, supporter=own_record(request, program), pk=pk
    )


def get_break(program: Program, pk: int) -> Break:
    return get_object_or_404(Break.objects.select_related("supporter"), program=program, pk=pk)


def get_pair(program: Program, pk: int) -> BuddyPair:
    return get_object_or_404(BuddyPair.objects.select_related("first", "second"), program=program, pk=pk)


def get_questionnaire(program: Program, pk: int) -> Questionnaire:
    return get_object_or_404(Questionnaire, program=program, pk=pk)


def get_recognition(program: Program, pk: int) -> Recognition:
    return get_object_or_404(Recognition.objects.select_related("supporter", "recorded_by"), program=program, pk=pk)


def own_recognition(request: ProgramRequest, program: Program, pk: int) -> Recognition:
    return get_object_or_404(
        Recognition.objects.select_related("supporter", "recorded_by"),
        program=program,
        supporter=own_record(request, program),
        pk=pk,
    )


def get_newsletter(program: Program, pk: int) -> Newsletter:
    return get_object_or_404(Newsletter, program=program, pk=pk)


def get_sent_newsletter(program: Program, pk: int) -> Newsletter:
    return get_object_or_404(
        Newsletter, program=program, pk=pk, status__in=[NewsletterStatus.SENDING, NewsletterStatus.SENT]
    )
