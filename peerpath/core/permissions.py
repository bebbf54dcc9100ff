"""Every permission rule in PeerPath, in one place.

Views declare what they do with one of three decorators, and a test walks the URL
configuration to make sure each one did:

* ``@public`` - reachable without logging in (the application form, certificate checks).
* ``@login_required_view`` - any logged-in person, no program data (choosing a program).
* ``@program_view("action")`` - inside one program: the user must hold a role that the
  ``ACTIONS`` map allows for that action. Non-members get 404 (we do not confirm that a
  program's records exist); members without the role get 403.

Object-level rules (which participant or supporter a person may see) live here too, as
functions named ``can_*`` or queryset helpers named ``*_visible_to``; each app's
``access.py`` uses them to fetch records for a view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse


class Role(StrEnum):
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    SUPERVISOR = "supervisor"
    SUPPORTER = "supporter"

    @property
    def label(self) -> str:
        return self.value.capitalize()


C, T, S, P = Role.COORDINATOR, Role.TRAINER, Role.SUPERVISOR, Role.SUPPORTER
EVERYONE = frozenset(Role)
STAFF = frozenset({C, T, S})

# Each action a page can perform, and the program roles that may perform it.
ACTIONS: dict[str, frozenset[Role]] = {
    # Programs
    "program.home": EVERYONE,
    "program.edit_settings": frozenset({C}),
    "program.manage_members": frozenset({C}),
    "program.view_competencies": EVERYONE,
    "program.edit_competencies": frozenset({C}),
    "audit.view": frozenset({C}),
    # Recruitment
    "recruitment.view_board": frozenset({C}),
    "recruitment.view_person": frozenset({C}),
    "recruitment.screen": frozenset({C}),
    "recruitment.edit_screening_setup": frozenset({C}),
    "recruitment.move_pathway": frozenset({C}),
    "recruitment.view_own_pathway": frozenset({P}),
    "recruitment.assign_supervisor": frozenset({C}),
    # Reports and data exchange
    "reports.view": frozenset({C}),
    "exchange.import": frozenset({C}),
    "exchange.archive": frozenset({C}),
    # Training (curriculum, cohorts, sessions, attendance, evidence, feedback, refreshers).
    # Trainers see only the cohorts they teach (object rules below); coordinators see all.
    "training.view_curriculum": frozenset({C, T}),
    "training.edit_curriculum": frozenset({C, T}),
    "training.view_cohorts": frozenset({C, T}),
    "training.manage_cohorts": frozenset({C}),
    "training.run_cohort": frozenset({C, T}),
    "training.my_cohorts": frozenset({T}),
    "training.view_feedback": frozenset({C, T}),
    "training.manage_refreshers": frozenset({C, T}),
    "training.my_training": frozenset({P}),
    "training.calendar": EVERYONE,
    # Certification (assessment, outcomes, certificates, continuing education, renewal).
    "certification.assess": frozenset({T}),
    "certification.view_record": frozenset({C, T}),
    "certification.overview": frozenset({C}),
    "certification.edit_settings": frozenset({C}),
    "certification.manage_certificates": frozenset({C}),
    "certification.review_ce": frozenset({C}),
    "certification.own_credentials": frozenset({P}),
    # Supporter care (peerpath/care): supervisors see the people they supervise, coordinators
    # everyone (object rules: can_see_supporter_care, care_supporters_visible_to below).
    "care.view_supporters": frozenset({C, S}),
    "care.log_supervision": frozenset({C, S}),
    "care.view_tasks": frozenset({C, S}),
    "care.view_attention": frozenset({C, S}),
    "care.view_topics": frozenset({C, T, S}),
    "care.plan_refresher": frozenset({C}),
    "care.assign_supervisors": frozenset({C}),
    "care.edit_settings": frozenset({C}),
    "care.manage_questionnaires": frozenset({C}),
    "care.manage_breaks": frozenset({C}),
    "care.manage_buddies": frozenset({C}),
    "care.manage_recognition": frozenset({C}),
    "care.write_newsletters": frozenset({C}),
    "care.read_newsletters": EVERYONE,
    "care.own_care": frozenset({P}),
    # Support: participants, matching, relationships, contacts, concerns (peerpath.support).
    # Supporters and supervisors pass these only for the records the object rules below allow.
    "support.view_participants": frozenset({C, S, P}),
    "support.manage_participants": frozenset({C}),
    "support.export_participant": frozenset({C}),
    "support.erase_participant": frozenset({C}),
    "support.match": frozenset({C}),
    "support.declare_conflict": frozenset({C, P}),
    "support.view_relationships": frozenset({C, S, P}),
    "support.manage_relationships": frozenset({C, P}),
    "support.respond_to_offer": frozenset({P}),
    "support.log_contact": frozenset({C, P}),
    "support.correct_contact": frozenset({S}),
    "support.raise_concern": frozenset({C, P}),
    "support.view_concerns": frozenset({C, S}),
    "support.handle_concern": frozenset({C, S}),
    "support.record_adverse_event": frozenset({C, S, P}),
    "support.view_attention": frozenset({C}),
    "support.view_caseload": frozenset({P}),
    "support.edit_own_profile": frozenset({P}),
    "support.view_supporters": frozenset({C}),
    "support.edit_supporter_profiles": frozenset({C}),
    "support.supervise": frozenset({S}),
    "support.edit_settings": frozenset({C}),
}

_ACCESS_ATTR = "peerpath_access"


def roles_for(action: str) -> frozenset[Role]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise LookupError(f"Unknown permission action {action!r}; add it to ACTIONS.") from None


def _mark(view: Callable, kind: str, action: str | None = None) -> Callable:
    setattr(view, _ACCESS_ATTR, (kind, action))
    return view


def access_of(view: Callable) -> tuple[str, str | None] | None:
    """The access declaration of a view (following wrappers), or None if undeclared."""
    seen = view
    while seen is not None:
        marked = getattr(seen, _ACCESS_ATTR, None)
        if marked:
            return marked
        seen = getattr(seen, "__wrapped__", None)
    return None


def public(view: Callable) -> Callable:
    """Declare a view public: no login, no program role. Keep these few."""
    return _mark(view, "public")


def api_endpoint(view: Callable) -> Callable:
    """Declare a JSON API endpoint: it authenticates by token and checks the program role itself
    (`peerpath.api.auth.require`), so it is not a page of its own kind."""
    return _mark(view, "api")


def login_required_view(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, "login")


def program_view(action: str) -> Callable[[Callable], Callable]:
    """Resolve ``program_slug`` from the URL and require a role allowed for ``action``.

    Sets ``request.program`` and ``request.membership`` and passes ``program`` on to the view
    instead of the slug.
    """
    allowed = roles_for(action)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, program_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, program_slug)
            if membership is None:
                raise Http404("No such program.")
            if not membership.roles & allowed:
                raise PermissionDenied("Your role in this program does not include this page.")
            request.program = membership.program
            request.membership = membership
            if request.session.get("current_program") != membership.program.slug:
                request.session["current_program"] = membership.program.slug  # written only on a change
            return view(request, membership.program, *args, **kwargs)

        return _mark(wrapper, "program", action)

    return decorate


# How a person's membership of a program is found. Core knows no other app: the programs app
# registers the lookup in ProgramsConfig.ready() (see peerpath.programs.access).
_MEMBERSHIP_LOOKUP: list[Callable[[int, str], Any]] = []


def register_membership_lookup(lookup: Callable[[int, str], Any]) -> None:
    """Set how ``membership_for`` finds (user id, program slug) -> the active membership with its
    program in the active program with that slug, or None."""
    _MEMBERSHIP_LOOKUP[:] = [lookup]


def membership_for(user: Any, program_slug: str) -> Any:
    """The user's active membership in the active program with this slug, or None."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    if not _MEMBERSHIP_LOOKUP:
        raise LookupError("No membership lookup is registered; the programs app registers it when ready.")
    return _MEMBERSHIP_LOOKUP[0](user_id, program_slug)


def has_role(membership: Any, *roles: Role) -> bool:
    return bool(membership is not None and membership.roles & set(roles))


def can(membership: Any, action: str) -> bool:
    """Whether the membership may perform the action (for showing links and buttons)."""
    return bool(membership is not None and membership.roles & roles_for(action))


def allowed_actions(membership: Any, actions: Iterable[str] | None = None) -> set[str]:
    names = ACTIONS.keys() if actions is None else actions
    return {name for name in names if can(membership, name)}


def can_run_cohort(membership: Any, cohort: Any) -> bool:
    """Coordinators run every cohort of their program; trainers only the cohorts they teach."""
    if membership is None or cohort.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.TRAINER) and cohort.trainers.filter(pk=membership.user_id).exists()


def cohorts_visible_to(membership: Any) -> Any:
    """The cohorts a member may open: all for coordinators, the ones they teach for trainers."""
    from peerpath.training.models import Cohort

    cohorts = Cohort.objects.filter(program=membership.program)
    if has_role(membership, Role.COORDINATOR):
        return cohorts
    if has_role(membership, Role.TRAINER):
        return cohorts.filter(trainers=membership.user_id)
    return cohorts.none()


def can_assess(membership: Any, cohort: Any, trainee: Any) -> bool:
    """A trainer of the trainee's cohort assesses them; nobody assesses themselves."""
    if membership is None or not has_role(membership, Role.TRAINER) or cohort.program_id != membership.program_id:
        return False
    if trainee.user_id is not None and trainee.user_id == membership.user_id:
        return False
    return cohort.trainers.filter(pk=membership.user_id).exists()


def supervised_supporters(program: Any, user: Any) -> Any:
    """The pathway records (recruitment.Supporter) this user supervises in this program."""
    from peerpath.recruitment.models import Supporter

    return Supporter.objects.filter(program=program, supervisor=user)


# --- Supporter care -------------------------------------------------------------------------


def can_see_supporter_care(membership: Any, user: Any, supporter: Any) -> bool:
    """Supervision notes, check-ins and debriefs: the coordinator, or the person's own supervisor."""
    if membership is None or supporter.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.SUPERVISOR) and supporter.supervisor_id == user.pk


def care_supporters_visible_to(membership: Any, user: Any) -> Any:
    """The pathway records whose care a member may see: all (coordinator) or supervised ones."""
    from peerpath.recruitment.models import Supporter

    rows = Supporter.objects.filter(program_id=membership.program_id)
    if has_role(membership, Role.COORDINATOR):
        return rows
    if has_role(membership, Role.SUPERVISOR):
        return rows.filter(supervisor=user)
    return rows.none()


def can_edit_supervision_meeting(membership: Any, user: Any, meeting: Any) -> bool:
    """A logged meeting: the coordinator, or the supervisor who led or logged it."""
    if membership is None or meeting.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.SUPERVISOR) and user.pk in (meeting.supervisor_id, meeting.logged_by_id)


def can_handle_care_task(membership: Any, user: Any, task: Any) -> bool:
    """A care task: the coordinator, or the supervisor it is assigned to."""
    if membership is None or task.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.SUPERVISOR) and task.assigned_to_id == user.pk


# --- Support (peerpath.support): who sees which participant, relationship and contact note ----


def supporters_overseen_by(program: Any, user: Any, on_date: Any = None) -> Any:
    """Supporters this user supervises, plus those of supervisors they cover for on ``on_date``."""
    from django.db.models import Q
    from django.utils import timezone

    from peerpath.recruitment.models import Supporter
    from peerpath.support.models import SupervisorCover

    day = on_date or timezone.localdate()
    covered = SupervisorCover.objects.filter(program=program, backup=user, starts_on__lte=day, ends_on__gte=day).values(
        "supervisor_id"
    )
    return Supporter.objects.filter(program=program).filter(Q(supervisor=user) | Q(supervisor_id__in=covered))


def relationships_visible_to(program: Any, membership: Any, user: Any) -> Any:
    """Coordinators: every relationship. Supervisors: their (or covered) supporters'. Supporters: their own."""
    from django.db.models import Q

    from peerpath.support.models import SupportRelationship

    rows = SupportRelationship.objects.filter(program=program)
    if has_role(membership, Role.COORDINATOR):
        return rows
    rule = Q(pk__in=[])
    if has_role(membership, Role.SUPERVISOR):
        rule |= Q(supporter__in=supporters_overseen_by(program, user))
    if has_role(membership, Role.SUPPORTER):
        rule |= Q(supporter__user=user)
    return rows.filter(rule)


def participants_visible_to(program: Any, membership: Any, user: Any) -> Any:
    """Coordinators: every participant. Supporters: those they are matched with (an active or closing
    relationship; a proposed match shows only the offer). Supervisors: those matched with the
    supporters they supervise or cover for (proposed, active or closing)."""
    from django.db.models import Q

    from peerpath.support.models import OPEN_STATES, WORKING_STATES, Participant

    rows = Participant.objects.filter(program=program)
    if has_role(membership, Role.COORDINATOR):
        return rows
    rule = Q(pk__in=[])
    if has_role(membership, Role.SUPERVISOR):
        rule |= Q(
            relationships__state__in=OPEN_STATES,
            relationships__supporter__in=supporters_overseen_by(program, user),
        )
    if has_role(membership, Role.SUPPORTER):
        rule |= Q(relationships__state__in=WORKING_STATES, relationships__supporter__user=user)
    return rows.filter(rule).distinct()


def can_view_participant(program: Any, membership: Any, user: Any, participant: Any) -> bool:
    return participants_visible_to(program, membership, user).filter(pk=participant.pk).exists()


def can_correct_contact(program: Any, membership: Any, user: Any, contact: Any) -> bool:
    """Only the supervisor of the supporter who logged the contact (or their backup while covering)."""
    if not has_role(membership, Role.SUPERVISOR):
        return False
    supporter_id = contact.relationship.supporter_id
    return supporters_overseen_by(program, user).filter(pk=supporter_id).exists()


def can_read_contact_notes(
    membership: Any, user: Any, relationship: Any, *, overseen_ids: Any, show_previous_notes: bool
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


def can_handle_concern(program: Any, membership: Any, user: Any, concern: Any) -> bool:
    """Coordinators; the supervisor overseeing the supporter who raised it (or covering for them)."""
    if has_role(membership, Role.COORDINATOR):
        return True
    if not has_role(membership, Role.SUPERVISOR):
        return False
    if concern.on_call_id == user.pk:
        return True
    return supporters_overseen_by(program, user).filter(pk=concern.supporter_id).exists()
