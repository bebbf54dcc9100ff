"""What each person sees of a participant through a support relationship, and what they may
record in it, in every relationship state, on every page and API endpoint that shows one
(issue 11, item 2).

The enumeration comes from the code, so nothing can be skipped silently: every relationship
state needs a rule (`support.access.VISIBILITY`) and a scenario here, and every support page and
API endpoint is either checked here or listed, with the reason, as showing no participant
through a relationship. The expected markers follow the rule; the rule's own content (what a
supporter sees in each state) is asserted separately, from the issue's wording.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from peerpath.api.tokens import create_token
from peerpath.support import access
from peerpath.support.access import VISIBILITY, Sight, Viewer, Write
from peerpath.support.models import (
    AdverseEvent,
    Concern,
    Contact,
    ContactDraft,
    RelationshipState,
    SupportRelationship,
)
from peerpath.support.services import adverse_events, concerns, contacts, matches
from tests.support.helpers import make_participant

RS = RelationshipState
FIRST, LAST, PHONE, EMAIL, NOTE = "Zephyrine", "Quillfeather", "555-0177", "zq.marker@example.org", "Harbourlight"
MARKERS = {FIRST, LAST, PHONE, EMAIL, NOTE}
# What each sight may show (a page shows those of them it has room for).
SIGHT_MARKERS = {
    Sight.NOTHING_IDENTIFYING: set(),
    Sight.OFFER: {FIRST},
    Sight.CONTACT_DETAILS: MARKERS,
}

# Each state reached the way people reach it. Declined is a closed relationship (its close
# reason says why), with or without "I know this person".
SCENARIOS: dict[str, str] = {
    "proposed": RS.PROPOSED,
    "active": RS.ACTIVE,
    "closing": RS.CLOSING,
    "closed": RS.CLOSED,
    "declined": RS.CLOSED,
    "declined, I know this person": RS.CLOSED,
}
WORKED = {"active", "closing", "closed"}  # scenarios that were active, so have contacts and concerns
VIEWERS = ["own supporter", "other supporter", "supervisor", "coordinator", "trainer"]
PLACE = {"own supporter": Viewer.SUPPORTER, "supervisor": Viewer.SUPERVISOR, "coordinator": Viewer.COORDINATOR}


def test_every_state_has_a_rule_and_a_scenario() -> None:
    assert set(VISIBILITY) == set(RS.values), "each relationship state needs its rule in support.access.VISIBILITY"
    assert set(SCENARIOS.values()) == set(RS.values), "each relationship state needs a scenario in this test"
    for state, rule in VISIBILITY.items():
        assert set(rule.sees) == set(Viewer), f"{state}: the rule names what every viewer sees"


def test_a_state_without_a_rule_is_refused_not_shown() -> None:
    with pytest.raises(LookupError, match="No visibility rule"):
        access.rule_for("suspended")


def test_the_rule_is_the_issues() -> None:
    """Offer: what the offer page shows; active/closing: contact details; declined/closed: nothing
    identifying; writes only while working."""
    supporter = {state: rule.sees[Viewer.SUPPORTER] for state, rule in VISIBILITY.items()}
    assert supporter == {
        RS.PROPOSED: Sight.OFFER,
        RS.ACTIVE: Sight.CONTACT_DETAILS,
        RS.CLOSING: Sight.CONTACT_DETAILS,
        RS.CLOSED: Sight.NOTHING_IDENTIFYING,
    }
    writes = {state: rule.writes for state, rule in VISIBILITY.items()}
    assert writes == {
        RS.PROPOSED: frozenset(),
        RS.ACTIVE: frozenset(Write),
        RS.CLOSING: frozenset(Write),
        RS.CLOSED: frozenset(),
    }
    # Coordinators and supervisors keep what they saw before the rule was written down.
    assert all(rule.sees[Viewer.COORDINATOR] == Sight.CONTACT_DETAILS for rule in VISIBILITY.values())
    assert all(rule.sees[Viewer.SUPERVISOR] == Sight.CONTACT_DETAILS for rule in VISIBILITY.values())


# --- The scenario -----------------------------------------------------------------------------


@dataclass
class Case:
    support: Any
    scenario: str
    relationship: SupportRelationship
    concern: Concern | None
    contact: Contact | None

    @property
    def state(self) -> str:
        return SCENARIOS[self.scenario]

    def user(self, viewer: str) -> Any:
        s = self.support
        return {
            "own supporter": s.supporter,
            "other supporter": s.uma_user,
            "supervisor": s.supervisor,
            "coordinator": s.coordinator,
            "trainer": s.trainer,
        }[viewer]

    def sight(self, viewer: str) -> Sight | None:
        return VISIBILITY[self.state].sees[PLACE[viewer]] if viewer in PLACE else None


def build(support: Any, scenario: str) -> Case:
    world = support.world
    participant = make_participant(
        world,
        full_name=f"{FIRST} {LAST}",
        email=EMAIL,
        phone=PHONE,
        focus_areas=[support.grief],
        area="Northside",
    )
    relationship = matches.propose_match(actor=world.coordinator, participant=participant, supporter=support.priya)
    concern = contact = None
    if scenario.startswith("declined"):
        reason = "conflict" if "know" in scenario else "capacity"
        matches.respond_to_offer(actor=world.supporter, relationship=relationship, accept=False, reason=reason)
    elif scenario != "proposed":
        matches.respond_to_offer(actor=world.supporter, relationship=relationship, accept=True)
        contact = contacts.log_contact(
            actor=world.supporter,
            relationship=relationship,
            data={
                "contacted_on": timezone.localdate(),
                "channel": "phone",
                "reached": True,
                "kind": "first",
                "tasks": [],
                "notes": f"We talked about the {NOTE} garden.",
                "next_follow_up": timezone.localdate(),
            },
        )
        concern = concerns.raise_concern(
            actor=world.supporter, relationship=relationship, kind="concern", answers=[], notes=f"{NOTE} worries."
        )
        if scenario == "closing":
            matches.start_closing(actor=world.supporter, relationship=relationship)
        if scenario == "closed":
            matches.close_relationship(actor=world.supporter, relationship=relationship, close_reason="goals_met")
    relationship.refresh_from_db()
    assert relationship.state == SCENARIOS[scenario]
    return Case(support, scenario, relationship, concern, contact)


# --- Every page and endpoint --------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page or endpoint that shows a participant through a relationship.

    ``url`` builds its address (None: the record it needs cannot exist in that scenario);
    ``status`` the exact answer for a viewer in a state; ``shows`` the markers it has room for
    at full sight; ``exact``: all of those must show (a list that shows a row only when due, or
    the home page, is checked for never showing more than the sight); ``body``: an endpoint that
    reads by POST (a search, whose term stays out of the URL) is sent this JSON."""

    url: Callable[[Case], str | None]
    status: Callable[[str, str], int]
    shows: frozenset[str]
    exact: bool = True
    api: bool = False
    body: dict[str, Any] | None = None


def _rel(name: str) -> Callable[[Case], str]:
    return lambda case: reverse(f"support:{name}", args=["riverside", case.relationship.pk])


def _by_role(allowed: set[str], *, mine_only: bool = False, working_only: bool = False) -> Callable[[str, str], int]:
    """The answer of a relationship page: 403 for a role without the action, 404 for a person with
    no place in the relationship, 403 for a write outside working states, else 200."""

    def status(viewer: str, state: str) -> int:
        role = {"own supporter": "P", "other supporter": "P", "supervisor": "S", "coordinator": "C", "trainer": "T"}
        if role[viewer] not in allowed:
            return 403
        if viewer == "other supporter" or (mine_only and viewer == "supervisor"):
            return 404
        if working_only and state not in (RS.ACTIVE, RS.CLOSING):
            return 403
        return 200

    return status


def _offer_status(viewer: str, state: str) -> int:
    if viewer in ("supervisor", "coordinator", "trainer"):
        return 403
    if viewer == "other supporter":
        return 404
    return 200 if state == RS.PROPOSED else 302


def _list(allowed: set[str]) -> Callable[[str, str], int]:
    role = {"own supporter": "P", "other supporter": "P", "supervisor": "S", "coordinator": "C", "trainer": "T"}
    return lambda viewer, state: 200 if role[viewer] in allowed else 403


def _participant_status(viewer: str, state: str) -> int:
    if viewer == "trainer":
        return 403
    if viewer == "other supporter":
        return 404
    rule = VISIBILITY[state]
    return 200 if PLACE[viewer] in rule.opens_record else 404


def _plan_status(viewer: str, state: str) -> int:
    """The participant's plan (peerpath.plans.access): whoever sees the contact details through the
    relationship in its state; supervisors and coordinators in every state, the own supporter
    while it is working."""
    if viewer == "trainer":
        return 403
    if viewer == "other supporter":
        return 404
    return 200 if VISIBILITY[state].sees[PLACE[viewer]] == Sight.CONTACT_DETAILS else 404


NAME = frozenset({FIRST, LAST})
EVERYTHING = frozenset(MARKERS)

PAGES: dict[str, Page] = {
    "support:offer": Page(_rel("offer"), _offer_status, frozenset({FIRST})),
    "support:relationship": Page(_rel("relationship"), _by_role({"C", "S", "P"}), EVERYTHING),
    "support:contact_new": Page(
        _rel("contact_new"), _by_role({"C", "P"}, mine_only=True, working_only=True), frozenset({FIRST})
    ),
    "support:concern_new": Page(
        _rel("concern_new"), _by_role({"C", "P"}, mine_only=True, working_only=True), frozenset({FIRST})
    ),
    "support:adverse_event_new": Page(
        _rel("adverse_event_new"), _by_role({"C", "S", "P"}, working_only=True), frozenset()
    ),
    "support:concern": Page(
        lambda case: reverse("support:concern", args=["riverside", case.concern.pk]) if case.concern else None,
        _by_role({"C", "S", "P"}),
        frozenset({FIRST, LAST, NOTE}),
    ),
    "support:contact_correct": Page(
        lambda case: reverse("support:contact_correct", args=["riverside", case.contact.pk]) if case.contact else None,
        lambda viewer, state: 200 if viewer == "supervisor" else 403,
        frozenset({NOTE}),
    ),
    "support:participant": Page(
        lambda case: reverse("support:participant", args=["riverside", case.relationship.participant_id]),
        _participant_status,
        EVERYTHING,
    ),
    "support:caseload": Page(
        lambda case: reverse("support:caseload", args=["riverside"]), _list({"P"}), NAME, exact=False
    ),
    "support:supervision": Page(
        lambda case: reverse("support:supervision", args=["riverside"]), _list({"S"}), NAME, exact=False
    ),
    "support:concerns": Page(
        lambda case: reverse("support:concerns", args=["riverside"]), _list({"C", "S"}), NAME, exact=False
    ),
    "support:attention": Page(
        lambda case: reverse("support:attention", args=["riverside"]), _list({"C"}), NAME, exact=False
    ),
    "support:participants": Page(
        lambda case: reverse("support:participants", args=["riverside"]), _list({"C", "S", "P"}), NAME, exact=False
    ),
    "programs:home": Page(
        lambda case: reverse("programs:home", args=["riverside"]),
        _list({"C", "S", "P", "T"}),
        NAME,
        exact=False,
    ),
    "api:participants": Page(
        lambda case: "/api/v1/programs/riverside/participants",
        _list({"C", "S", "P"}),
        NAME,
        exact=False,
        api=True,
    ),
    "api:participant_search": Page(
        lambda case: "/api/v1/programs/riverside/participants/search",
        _list({"C", "S", "P"}),
        NAME,
        exact=False,
        api=True,
        body={"q": LAST},
    ),
    "api:participant": Page(
        lambda case: f"/api/v1/programs/riverside/participants/{case.relationship.participant_id}",
        _participant_status,
        frozenset({FIRST, LAST, PHONE, EMAIL}),
        api=True,
    ),
    "api:relationships": Page(
        lambda case: "/api/v1/programs/riverside/relationships", _list({"C", "S", "P"}), frozenset(), api=True
    ),
    "api:relationship": Page(
        lambda case: f"/api/v1/programs/riverside/relationships/{case.relationship.pk}",
        _by_role({"C", "S", "P"}),
        frozenset({NOTE}),
        api=True,
    ),
    "api:contacts": Page(
        lambda case: f"/api/v1/programs/riverside/contacts?relationship={case.relationship.pk}",
        _list({"C", "S", "P"}),
        frozenset({NOTE}),
        exact=False,
        api=True,
    ),
    "api:follow_ups": Page(
        lambda case: "/api/v1/programs/riverside/follow-ups", _list({"C", "S", "P"}), frozenset(), api=True
    ),
    # The participant's plan, needs and referrals (peerpath.plans): by reference only in the API.
    "plans:plan": Page(
        lambda case: reverse("plans:plan", args=["riverside", case.relationship.pk]),
        _plan_status,
        frozenset({FIRST}),
    ),
    "plans:needs": Page(
        lambda case: reverse("plans:needs", args=["riverside", case.relationship.participant_id]),
        _participant_status,
        frozenset({FIRST}),
    ),
    "api:plan": Page(
        lambda case: f"/api/v1/programs/riverside/relationships/{case.relationship.pk}/plan",
        _plan_status,
        frozenset(),
        api=True,
    ),
    "api:referrals": Page(
        lambda case: f"/api/v1/programs/riverside/relationships/{case.relationship.pk}/referrals",
        _plan_status,
        frozenset(),
        api=True,
    ),
    "api:needs": Page(
        lambda case: f"/api/v1/programs/riverside/participants/{case.relationship.participant_id}/needs",
        _participant_status,
        frozenset(),
        api=True,
    ),
}

# Writes through a relationship, and their pages' and endpoints' names (checked in the write test).
WRITES = {
    "support:concern_details",
    "support:contact_draft",
    "support:relationship_move",
    "support:relationship_rematch",
    "support:relationship_conflict",
    "support:relationship_fit",
    "support:relationship_fit_rematch",
    "api:log_contact",
}

# Support pages and API endpoints that show no participant through a relationship, and why.
NOT_THROUGH_A_RELATIONSHIP = {
    "support:request": "the public request form",
    "support:request_thanks": "the public request form's thanks",
    "support:participant_new": "adds a participant (coordinators)",
    "support:participant_edit": "a participant's record (coordinators), not through a relationship",
    "support:participant_export": "a participant's export (coordinators)",
    "support:participant_erase": "erasure (coordinators)",
    "support:conflict_add": "a coordinator declares a conflict on the participant's record",
    "support:participant_texts": "a POST on the participant's record, fetched by its own rule (support:participant)",
    "support:participant_match": "matching (coordinators)",
    "support:batch": "batch matching (coordinators)",
    "support:batch_run": "a batch match under review (coordinators)",
    "support:batch_publish": "publishing a batch match (coordinators)",
    "support:batch_discard": "discarding a batch match (coordinators)",
    "support:concern_acknowledge": "handling a concern (a POST; its page is checked)",
    "support:concern_follow_up": "handling a concern (a POST; its page is checked)",
    "support:my_profile": "the supporter's own matching profile",
    "support:supporters": "supporters (coordinators)",
    "support:supporter_profile": "a supporter's matching profile (coordinators)",
    "support:cover_add": "naming a backup supervisor",
    "support:cover_end": "ending a cover",
    "support:settings": "the program's support settings",
    "support:notifications_read": "marking notifications read",
    "api:openapi-json": "the API's schema",
    "api:openapi-view": "the API's documentation",
    "api:api-root": "the API's root",
    "api:me": "the caller",
    "api:competencies": "the competency framework",
    "api:supporters": "supporters",
    "api:supporter": "a supporter",
    "api:applications": "applications",
    "api:cohorts": "training",
    "api:cohort": "training",
    "api:sessions": "training",
    "api:session": "training",
    "api:record_attendance": "training",
    "api:competency_record": "certification",
    "api:certificates": "certification",
    "api:certificate": "certification",
    "api:ce_activities": "continuing education",
    "api:ce_activity": "continuing education",
    "api:my_continuing_education": "continuing education",
    "api:log_ce_activity": "continuing education",
    "api:supervision_meetings": "supervision meetings name supporters only",
    "api:resources": "the resource directory names organisations, never a participant",
    "api:groups": "groups and their sessions as counts, never a member's name",
    "api:my_hours": "the caller's own service hours; participants only as a reference number",
    "api:ledgers": "supporters' service hours (coordinators and supervisors)",
    "api:ledger": "one supporter's service hours; participants only as a reference number",
}


def _names(patterns: list[Any], namespace: str) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace and namespace else pattern.namespace
            names |= _names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_support_page_and_api_endpoint_is_classified() -> None:
    """A new page or endpoint in support or the API fails here until it is checked or listed."""
    names = {n for n in _names(get_resolver().url_patterns, "") if n.split(":")[0] in ("support", "api")}
    known = {n for n in PAGES if n.split(":")[0] in ("support", "api")} | WRITES | set(NOT_THROUGH_A_RELATIONSHIP)
    assert names - known == set(), "classify these in tests/support/test_relationship_visibility.py"
    assert known - names == set(), "these pages or endpoints no longer exist"


def _client(user: Any, *, api: bool) -> tuple[Client, dict[str, str]]:
    client = Client()
    if api:
        _token, secret = create_token(actor=user, name="visibility")
        return client, {"Authorization": f"Bearer {secret}"}
    client.force_login(user)
    return client, {}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_page_shows_what_the_rule_allows(support: Any, scenario: str) -> None:
    case = build(support, scenario)
    failures = []
    for viewer in VIEWERS:
        user = case.user(viewer)
        sight = case.sight(viewer)
        allowed = SIGHT_MARKERS[sight] if sight else set()
        page_client, _ = _client(user, api=False)
        api_client, headers = _client(user, api=True)
        for name, page in PAGES.items():
            url = page.url(case)
            if url is None:
                continue
            client = api_client if page.api else page_client
            if page.body is None:
                response = client.get(url, headers=headers)
            else:
                response = client.post(url, page.body, content_type="application/json", headers=headers)
            where = f"{scenario} · {viewer} · {name}"
            expected = page.status(viewer, case.state)
            if response.status_code != expected:
                failures.append(f"{where}: answered {response.status_code}, expected {expected}")
                continue
            if page.api and expected >= 400:
                assert response["Content-Type"].startswith("application/json"), where
            body = response.content.decode()
            if page.api:
                body = json.dumps(json.loads(body), ensure_ascii=False)
            found = {marker for marker in MARKERS if marker in body}
            if expected != 200:
                allowed_here: set[str] = set()
            else:
                # A note exists only where the relationship was worked in.
                allowed_here = allowed & page.shows & (MARKERS if scenario in WORKED else MARKERS - {NOTE})
            if found - allowed_here:
                failures.append(f"{where}: shows {sorted(found - allowed_here)} (sight: {sight})")
            if page.exact and expected == 200 and allowed_here - found:
                failures.append(f"{where}: misses {sorted(allowed_here - found)} (sight: {sight})")
    assert not failures, "\n".join(failures)


# --- Writes ------------------------------------------------------------------------------------


def _contact_post(case: Case) -> dict[str, Any]:
    return {
        "contacted_on": timezone.localdate().isoformat(),
        "channel": "phone",
        "reached": "yes",
        "kind": "check_in",
        "notes": "A second call.",
        "duration_minutes": "15",
    }


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_writes_are_refused_outside_working_states(support: Any, scenario: str) -> None:
    case = build(support, scenario)
    working = case.state in (RS.ACTIVE, RS.CLOSING)
    rel = case.relationship
    supporter = support.world.supporter
    client, _ = _client(supporter, api=False)

    before = (Contact.objects.count(), Concern.objects.count(), AdverseEvent.objects.count())
    answers = {
        "contact": client.post(reverse("support:contact_new", args=["riverside", rel.pk]), {**_contact_post(case)}),
        "concern": client.post(
            reverse("support:concern_new", args=["riverside", rel.pk]),
            {"kind": "concern", "notes": "Worried."},
        ),
        "hard event": client.post(
            reverse("support:adverse_event_new", args=["riverside", rel.pk]),
            {
                "kind": "hospitalised",
                "occurred_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            },
        ),
        "draft": client.post(reverse("support:contact_draft", args=["riverside", rel.pk]), {"notes": "typing"}),
    }
    api_client, headers = _client(supporter, api=True)
    api_answer = api_client.post(
        f"/api/v1/programs/riverside/relationships/{rel.pk}/contacts",
        {"contacted_on": timezone.localdate().isoformat(), "channel": "phone", "reached": True, "notes": "API call"},
        content_type="application/json",
        headers=headers,
    )
    after = (Contact.objects.count(), Concern.objects.count(), AdverseEvent.objects.count())
    if case.concern is not None:  # details added to a concern raised while it was working
        answers["concern details"] = client.post(
            reverse("support:concern_details", args=["riverside", case.concern.pk]), {"notes": "More to say."}
        )
        case.concern.refresh_from_db()
        assert ("More to say." in case.concern.notes) == working
    if working:
        assert {k: r.status_code for k, r in answers.items()} == {
            "contact": 302,
            "concern": 302,
            "hard event": 302,
            "draft": 200,
            "concern details": 302,
        }
        assert api_answer.status_code == 201
        assert after == (before[0] + 2, before[1] + 1, before[2] + 1)
    else:
        assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 403)
        for key in ("contact", "concern", "hard event", *(["concern details"] if case.concern else [])):
            assert "only while it is active or closing" in answers[key].content.decode(), key
        assert api_answer.status_code == 403
        assert "only while it is active or closing" in api_answer.json()["detail"]
        assert after == before
        assert not ContactDraft.objects.filter(relationship=rel).exists()


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if SCENARIOS[s] not in (RS.ACTIVE, RS.CLOSING)])
def test_services_refuse_writes_outside_working_states(support: Any, scenario: str) -> None:
    """Whoever calls them (a page, the API, a command): the services check the rule too."""
    case = build(support, scenario)
    coordinator = support.world.coordinator
    rel = case.relationship
    with pytest.raises(ValidationError, match="only while it is active or closing"):
        contacts.log_contact(
            actor=coordinator,
            relationship=rel,
            data={"contacted_on": timezone.localdate(), "channel": "phone", "reached": True, "kind": "check_in"},
        )
    with pytest.raises(ValidationError, match="only while it is active or closing"):
        concerns.raise_concern(actor=coordinator, relationship=rel, kind="crisis", answers=[], notes="")
    with pytest.raises(ValidationError, match="only while it is active or closing"):
        adverse_events.record_adverse_event(
            actor=coordinator, relationship=rel, kind="hospitalised", occurred_at=timezone.now()
        )
    with pytest.raises(ValidationError, match="only while it is active or closing"):
        contacts.save_draft(actor=support.world.supporter, relationship=rel, values={"notes": "typing"})


def test_a_supporter_who_also_covers_for_their_supervisor_sees_their_own_closed_match_as_a_supporter(
    support: Any,
) -> None:
    case = build(support, "closed")
    membership = support.world.supporter.memberships.get(program=support.world.program)
    viewer = access.viewer_of(membership, support.world.supporter, case.relationship, overseen_ids={support.priya.pk})
    assert viewer == Viewer.SUPPORTER
    assert access.sight_of(viewer, case.relationship) == Sight.NOTHING_IDENTIFYING


def test_the_security_guides_table_is_the_rule() -> None:
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    start, end = "<!-- visibility-table:start -->\n", "<!-- visibility-table:end -->"
    assert start in guide and end in guide, "docs/security.md holds the table between its markers"
    table = guide.split(start, 1)[1].split(end, 1)[0]
    assert table.strip() == access.visibility_table().strip(), (
        "docs/security.md's table differs from the rule: run `manage.py visibility_table --write`"
    )
