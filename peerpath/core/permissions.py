"""Roles, the actions each role may perform, and the view decorators.

Views declare what they do with one of three decorators, and a test walks the URL
configuration to make sure each one did:

* ``@public`` - reachable without logging in (the application form, certificate checks).
* ``@login_required_view`` - any logged-in person, no program data (choosing a program).
* ``@program_view("action")`` - inside one program: the user must hold a role that the
  ``ACTIONS`` map allows for that action. Non-members get 404 (we do not confirm that a
  program's records exist); members without the role get 403.

Object-level rules (which participant or supporter a person may see) live in the app that
owns the records, in its ``access.py``, as functions named ``can_*`` or queryset helpers named
``*_visible_to``. Core knows no other app: the programs app registers how a person's
membership is found (``register_membership_lookup``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from peerpath.core.http import MemberRequest, ProgramMember


class Role(StrEnum):
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    SUPERVISOR = "supervisor"
    SUPPORTER = "supporter"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.COORDINATOR: _("Coordinator"),
    Role.TRAINER: _("Trainer"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.SUPPORTER: _("Supporter"),
}
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
    "program.view_health": frozenset({C}),
    "program.resend_email": frozenset({C}),
    # Notifications: the program's texts and e-mails that could not be delivered, to retry.
    "notifications.view_failed": frozenset({C}),
    # Recruitment
    "recruitment.view_board": frozenset({C}),
    "recruitment.view_person": frozenset({C}),
    "recruitment.screen": frozenset({C}),
    "recruitment.edit_screening_setup": frozenset({C}),
    "recruitment.move_pathway": frozenset({C}),
    "recruitment.review_application": frozenset({C}),
    "recruitment.view_own_pathway": frozenset({P}),
    "recruitment.assign_supervisor": frozenset({C}),
    # Reports and data exchange
    "reports.view": frozenset({C}),
    "exchange.import": frozenset({C}),
    "exchange.archive": frozenset({C}),
    # Training (curriculum, cohorts, sessions, attendance, evidence, feedback, refreshers).
    # Trainers see only the cohorts they teach (peerpath.training.access); coordinators see all.
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
    # Credentials (peerpath/credentials): qualifications that gate work, credential progress.
    "credentials.manage": frozenset({C}),
    "credentials.own": frozenset({P}),
    # Self-paced learning: trainers and coordinators write modules and follow learners (trainers
    # the trainees of their cohorts, peerpath.credentials.access); trainees and supporters learn.
    "credentials.teach": frozenset({C, T}),
    "credentials.learn": frozenset({P}),
    # Supporter care (peerpath/care): supervisors see the people they supervise, coordinators
    # everyone (object rules in peerpath.care.access).
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
    "care.own_breaks": frozenset({P}),  # not while still in training (peerpath.recruitment.access)
    # The service-hours ledger (peerpath/hours): supervisors see the people they supervise,
    # coordinators everyone (object rules in peerpath.hours.access).
    # Practice lab: every member plays (and sees their own sessions); reviewers see the sessions
    # of the people they look after (peerpath.practice.access).
    "practice.play": EVERYONE,
    "practice.review": frozenset({C, T, S}),
    "practice.edit_scenarios": frozenset({C, T}),
    "practice.edit_settings": frozenset({C}),
    "hours.own": frozenset({P}),
    "hours.view_ledgers": frozenset({C, S}),
    "hours.review_duties": frozenset({C}),
    "hours.edit_settings": frozenset({C}),
    # Support: participants, matching, relationships, contacts, concerns (peerpath.support).
    # Supporters and supervisors pass these only for the records peerpath.support.access allows.
    "support.view_participants": frozenset({C, S, P}),
    # Recording that a participant agreed to texts (or no longer does), on their record.
    "support.record_text_consent": frozenset({C, P}),
    "support.manage_participants": frozenset({C}),
    "support.export_participant": frozenset({C}),
    "support.view_read_history": frozenset({C}),
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
    # Peer-led groups and events (peerpath/groups): coordinators run them all; supporters see the
    # groups they facilitate (object rules in peerpath.groups.access) and RSVP to events.
    "groups.manage": frozenset({C}),
    "groups.edit_settings": frozenset({C}),
    "groups.facilitate": frozenset({C, P}),
    "groups.mine": frozenset({P}),
    "groups.events": frozenset({C, T, S, P}),
    # The participant's side (peerpath/plans): goals, plan reviews, needs, referrals. Supporters
    # and supervisors pass these only for the relationships peerpath.plans.access allows.
    "plans.view": frozenset({C, S, P}),
    "plans.edit": frozenset({C, P}),
    "plans.view_progress": frozenset({C, S}),
    "plans.edit_settings": frozenset({C}),
    "plans.view_resources": frozenset({C, S, P}),
    "plans.manage_resources": frozenset({C}),
    # The participant's voice (peerpath.voice): feedback links, outcome measures, summaries to
    # share. Supervisors and supporters pass these only for the relationships support.access allows.
    "voice.view_feedback": frozenset({C}),
    "voice.edit_settings": frozenset({C}),
    "voice.view_outcomes": frozenset({C}),
    "voice.record_outcome": frozenset({C, P}),
    "voice.view_summary": frozenset({C, S}),
    "voice.manage_consents": frozenset({C}),
    "voice.ask_former_participant": frozenset({C, P}),
    "voice.invite_former_participants": frozenset({C}),
}

_ACCESS_ATTR = "peerpath_access"


def roles_for(action: str) -> frozenset[Role]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise LookupError(f"Unknown permission action {action!r}; add it to ACTIONS.") from None


# A page: the request (and URL arguments) in, a response out.
type View = Callable[..., HttpResponseBase]


def _mark[F: Callable[..., Any]](view: F, kind: str, action: str | None = None) -> F:
    setattr(view, _ACCESS_ATTR, (kind, action))
    return view


def access_of(view: Callable[..., Any]) -> tuple[str, str | None] | None:
    """The access declaration of a view (following wrappers), or None if undeclared."""
    seen: Callable[..., Any] | None = view
    while seen is not None:
        marked: tuple[str, str | None] | None = getattr(seen, _ACCESS_ATTR, None)
        if marked:
            return marked
        seen = getattr(seen, "__wrapped__", None)
    return None


def public[F: Callable[..., Any]](view: F) -> F:
    """Declare a view public: no login, no program role. Keep these few."""
    return _mark(view, "public")


def api_endpoint[F: Callable[..., Any]](view: F) -> F:
    """Declare a JSON API endpoint: it authenticates by token and checks the program role itself
    (`peerpath.api.auth.require`), so it is not a page of its own kind."""
    return _mark(view, "api")


def login_required_view(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, "login")


def program_view(action: str) -> Callable[[View], View]:
    """Resolve ``program_slug`` from the URL and require a role allowed for ``action``.

    Sets ``request.program`` and ``request.membership`` and passes ``program`` on to the view
    instead of the slug.
    """
    allowed = roles_for(action)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, program_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, program_slug)
            if membership is None:
                raise Http404(_("No such program."))
            if not membership.roles & allowed:
                raise PermissionDenied(_("Your role in this program does not include this page."))
            if reason := refusal(membership, action):
                raise PermissionDenied(reason)
            inside = cast("MemberRequest", request)  # it now is one: the attributes the views rely on
            inside.program = membership.program
            inside.membership = membership
            if request.session.get("current_program") != membership.program.slug:
                request.session["current_program"] = membership.program.slug  # written only on a change
            for hook in _PAGE_HOOKS.values():
                hook(request, membership)
            return view(request, membership.program, *args, **kwargs)

        return _mark(wrapper, "program", action)

    return decorate


# Conditions beyond the role: an app registers, for some actions, a check that says why a member
# holding the role may not perform them now ("" when they may), e.g. a supporter still in
# training has no match offers, matching profile or breaks yet. `program_view` refuses the page
# with that reason and `can` (so navigation, links and buttons) leaves it out.
_CONDITIONS: dict[str, list[Callable[[ProgramMember], str]]] = {}


def register_condition(actions: Iterable[str], condition: Callable[[ProgramMember], str]) -> None:
    """Require ``condition(membership)`` to return "" before any of ``actions`` is allowed."""
    for action in actions:
        roles_for(action)  # a misspelt action fails at start-up
        conditions = _CONDITIONS.setdefault(action, [])
        if condition not in conditions:
            conditions.append(condition)


def refusal(membership: ProgramMember, action: str) -> str:
    """Why the membership may not perform the action now, despite its role; "" when nothing stops it."""
    for condition in _CONDITIONS.get(action, ()):
        if reason := condition(membership):
            return reason
    return ""


# Cheap checks run on every program page after its permission check, before the view, with the
# request and the membership (e.g. support's "a crisis escalation step is due"). Registered by
# the apps in their AppConfig.ready(); each must keep to a constant, small number of queries.
_PAGE_HOOKS: dict[str, Callable[[HttpRequest, ProgramMember], None]] = {}


def register_program_page_hook(name: str, hook: Callable[[HttpRequest, ProgramMember], None]) -> None:
    """Run ``hook(request, membership)`` on every program page a member is allowed to see."""
    _PAGE_HOOKS[name] = hook


# How a person's membership of a program is found. Core knows no other app: the programs app
# registers the lookup in ProgramsConfig.ready() (see peerpath.programs.access).
_MEMBERSHIP_LOOKUP: list[Callable[[int, str], ProgramMember | None]] = []


def register_membership_lookup(lookup: Callable[[int, str], ProgramMember | None]) -> None:
    """Set how ``membership_for`` finds (user id, program slug) -> the active membership with its
    program in the active program with that slug, or None."""
    _MEMBERSHIP_LOOKUP[:] = [lookup]


def membership_for(user: object, program_slug: str) -> ProgramMember | None:
    """The user's active membership in the active program with this slug, or None."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    if not _MEMBERSHIP_LOOKUP:
        raise LookupError("No membership lookup is registered; the programs app registers it when ready.")
    return _MEMBERSHIP_LOOKUP[0](user_id, program_slug)


def has_role(membership: ProgramMember | None, *roles: Role) -> bool:
    return bool(membership is not None and membership.roles & set(roles))


def can(membership: ProgramMember | None, action: str) -> bool:
    """Whether the membership may perform the action (for showing links and buttons)."""
    return bool(membership is not None and membership.roles & roles_for(action) and not refusal(membership, action))


def allowed_actions(membership: ProgramMember | None, actions: Iterable[str] | None = None) -> set[str]:
    names = ACTIONS.keys() if actions is None else actions
    return {name for name in names if can(membership, name)}
