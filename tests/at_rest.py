"""Fill a fresh database through the pages, for the at-rest test (tests/support/test_encryption.py).

Run as ``python -m tests.at_rest <markers.json>`` with DATABASE_URL (or the default SQLite file
in PEERPATH_VAR_DIR) naming an empty or freshly migrated database (a copy, tests/migrated.py): it
migrates it (nothing to do on a copy), builds the personas' world and
writes each marker into its sensitive field by posting the real forms with Django's test client,
each request committed as in production. The test then reads the database raw.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from html.parser import HTMLParser
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


class _Forms(HTMLParser):
    """Every form of a page: its action and the values a browser would send as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "values": {}, "names": set()}
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            form["names"].add(name)
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form["values"].setdefault(name, []).append(a.get("value", "on"))
            elif kind not in {"submit", "button", "file"}:
                form["values"][name] = [a.get("value", "")]
        elif tag == "select" and name:
            form["names"].add(name)
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            form["values"][self._select] = [a.get("value", "")]
        elif tag == "textarea" and name:
            form["names"].add(name)
            form["values"][name] = [""]
            self._textarea = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["values"][self._textarea] = [self.forms[-1]["values"][self._textarea][0] + data]


def submit(client: Client, url: str, values: dict[str, Any], expect: int = 302) -> Any:
    """Open ``url``, fill the form holding every name in ``values`` as a person would and send it."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    parser = _Forms()
    parser.feed(page.content.decode())
    forms = [f for f in parser.forms if f["method"] == "post" and set(values) <= f["names"]]
    assert forms, f"{url}: no form with {sorted(values)}"
    form = forms[0]
    data: dict[str, Any] = {k: (v if len(v) > 1 else v[0]) for k, v in form["values"].items()}
    data.update(values)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(form["action"] or url, data)
    assert response.status_code == expect, (url, response.status_code, response.content.decode()[:3000])
    return response


def fill(markers: dict[str, str]) -> None:
    from peerpath.care.models import CareTask, Questionnaire
    from peerpath.care.services.common import get_settings as care_settings
    from peerpath.core.models import User
    from peerpath.recruitment.models import RedFlag, ScreeningInterview, ScreeningQuestion, Supporter
    from peerpath.recruitment.services import assign_supervisor
    from tests.factories import TESTS
    from tests.fixtures import build_world

    rows = build_world()
    coordinator, supervisor, supporter_user = rows["coordinator"], rows["supervisor"], rows["supporter"]
    priya = Supporter.objects.get(pk=rows["supporter_record"].pk)
    assign_supervisor(actor=TESTS, supporter=priya, supervisor=supervisor)
    today = timezone.localdate()
    base = "/p/riverside"

    def as_user(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    # --- Care: the supporter's own check-in, debrief and break -------------------------------
    me = as_user(supporter_user)
    questionnaire = care_settings(priya.program).checkin_questionnaire
    assert isinstance(questionnaire, Questionnaire)
    answers = {f"item_{item.number}": "4" for item in questionnaire.items.all()}
    submit(me, f"{base}/care/me/check-in/", {**answers, "comment": markers["checkin_comment"], "wants_to_talk": "on"})
    submit(
        me,
        f"{base}/care/me/debriefs/",
        {
            "kind": "other",
            "occurred_on": today.isoformat(),
            "what_happened": markers["debrief_what"],
            "went_well": markers["debrief_well"],
            "was_hard": markers["debrief_hard"],
            "topics": markers["debrief_topics"],
        },
    )
    submit(
        me,
        f"{base}/care/me/breaks/",
        {
            "starts_on": (today + dt.timedelta(days=30)).isoformat(),
            "ends_on": (today + dt.timedelta(days=40)).isoformat(),
            "reason": markers["break_reason"],
        },
    )
    # --- Care: the supervisor's meeting, its follow-up and the task closed with an outcome --------
    boss = as_user(supervisor)
    submit(
        boss,
        f"{base}/care/supervision/new/",
        {
            "kind": "one_on_one",
            "held_on": today.isoformat(),
            "duration_minutes": "45",
            "supervisor": str(supervisor.pk),
            "attendees": [str(priya.pk)],
            "topics": markers["supervision_topics"],
            "notes": markers["supervision_notes"],
            "follow_ups": markers["follow_up"],
            "follow_up_due_on": (today + dt.timedelta(days=7)).isoformat(),
        },
    )
    for task in CareTask.objects.filter(status="open"):
        response = boss.post(f"{base}/care/tasks/{task.pk}/done/", {"outcome": markers["outcome"]})
        assert response.status_code == 302, response.status_code
    # --- Recruitment: the public application, screening and decision -------------------------
    anonymous = Client()
    submit(
        anonymous,
        "/apply/riverside/",
        {
            "full_name": "Applicant Person",
            "email": "applicant.person@example.net",
            "phone": "",
            "preferred_contact": "email",
            "motivation": markers["motivation"],
            "availability": markers["availability"],
            "languages": "English",
            "source": "clinician",
            "clinician_name": markers["clinician"],
            "source_detail": markers["source_detail"],
            "consent_to_contact": "on",
        },
    )
    applicant = Supporter.objects.get(email="applicant.person@example.net")
    boss_c = as_user(coordinator)
    for n in range(2):
        submit(
            boss_c,
            f"{base}/recruitment/people/{applicant.pk}/",
            {
                "scheduled_for": (timezone.localtime() + dt.timedelta(days=2 + n)).strftime("%Y-%m-%dT%H:%M"),
                "location": "Room 4",
                "interviewer": str(coordinator.pk),
            },
        )
    first, second = ScreeningInterview.objects.filter(supporter=applicant).order_by("scheduled_for")
    response = boss_c.post(f"{base}/recruitment/interviews/{second.pk}/cancel/", {"reason": markers["cancel_reason"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    questions = list(ScreeningQuestion.objects.filter(program=applicant.program, is_active=True))
    flags = list(RedFlag.objects.filter(program=applicant.program, is_active=True))
    assert questions and flags
    screening = {f"q_{q.pk}": markers["screening_answer"] for q in questions}
    screening.update({f"flag_{flags[0].pk}": "on", f"flagnote_{flags[0].pk}": markers["red_flag_note"]})
    submit(boss_c, f"{base}/recruitment/interviews/{first.pk}/", {**screening, "notes": markers["screening_notes"]})
    submit(
        boss_c,
        f"{base}/recruitment/interviews/{first.pk}/",
        {"decision": "decline", "note": markers["decision_note"], "decline_reason": markers["decline_reason"]},
    )
    fill_support(markers, rows)


def fill_support(markers: dict[str, str], rows: dict[str, Any]) -> None:
    """A participant taken in, edited, matched and supported, and a public request, through the
    support pages: every free-text field of theirs, and their languages and lived-experience
    areas (held in clear for matching) changed so that the audit log records the change."""
    from types import SimpleNamespace

    from peerpath.programs.models import FocusArea
    from peerpath.recruitment.models import Stage, Supporter
    from peerpath.support.defaults import get_settings as support_settings
    from peerpath.support.models import Concern, Contact, Participant, SupportRelationship
    from tests.factories import SupporterFactory
    from tests.support.helpers import profile

    program, coordinator, supervisor = rows["program"], rows["coordinator"], rows["supervisor"]
    priya = Supporter.objects.get(pk=rows["supporter_record"].pk)
    base = "/p/riverside/support"
    # Program configuration, not participant data (so made directly, as the world is): a
    # lived-experience area named by a marker, Priya's matching profile, a second supporter for
    # the declared conflict, and the public request form opened.
    area = FocusArea.objects.create(program=program, name=markers["focus_area"])
    profile(SimpleNamespace(coordinator=coordinator, program=program), priya)
    SupporterFactory(program=program, full_name="Uma Other", stage=Stage.ACTIVE)
    row = support_settings(program)
    row.requests_open = True
    row.save()

    def as_user(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    boss_c, boss, me = as_user(coordinator), as_user(supervisor), as_user(rows["supporter"])
    intake = {
        "full_name": f"Zed {markers['participant_name']}",
        "email": f"{markers['participant_email']}@example.net",
        "phone": "",
        "preferred_contact": "email",
        "languages": f"English, {markers['language']}",
        "focus_areas": [],
        "modes": ["phone"],
        "consent_given": "on",
        "consent_scope": markers["consent_scope"],
        "intake_notes": markers["intake_notes"],
    }
    submit(boss_c, f"{base}/participants/new/", intake)
    person = Participant.objects.get(program=program)
    # The change of languages and areas is audited: that they changed, never to what.
    submit(
        boss_c,
        f"{base}/participants/{person.pk}/edit/",
        {"languages": f"English, {markers['language_changed']}", "focus_areas": [str(area.pk)]},
    )
    submit(
        boss_c,
        f"{base}/participants/{person.pk}/",
        {"supporter": str(Supporter.objects.get(full_name="Uma Other").pk), "reason": markers["conflict_reason"]},
    )
    submit(boss_c, f"{base}/participants/{person.pk}/match/", {"supporter": str(priya.pk)})
    relationship = SupportRelationship.objects.get(participant=person)
    submit(me, f"{base}/offers/{relationship.pk}/", {"decision": "accept"})
    rel = f"{base}/relationships/{relationship.pk}"
    contact = {"contacted_on": timezone.localdate().isoformat(), "channel": "phone", "reached": "yes", "kind": "first"}
    submit(me, f"{rel}/contacts/new/", {**contact, "notes": markers["contact_notes"]})
    goal = fill_plans(markers, me, boss_c, relationship, person)
    fill_voice(markers, me, boss_c, relationship, person)
    # A second contact, corrected by the supervisor (the correction replaces its notes); it worked
    # on the goal, with a word on what moved (the contact form's part from plans).
    submit(
        me,
        f"{rel}/contacts/new/",
        {
            **contact,
            "kind": "check_in",
            "notes": "A second call.",
            f"plan-worked_{goal.pk}": "on",
            f"plan-note_{goal.pk}": markers["goal_progress_contact"],
        },
    )
    second = Contact.objects.filter(relationship=relationship).latest("pk")
    submit(
        boss,
        f"{base}/contacts/{second.pk}/correct/",
        {"notes": markers["contact_corrected"], "reason": markers["correction_reason"]},
    )
    # A third one being written: the autosaved draft stays until it is logged or discarded.
    draft = me.post(f"{rel}/contacts/draft/", {**contact, "kind": "check_in", "notes": markers["contact_draft"]})
    assert draft.status_code == 200, draft.status_code
    # A crisis goes in one tap; what happened is added on its own page afterwards.
    submit(me, f"{rel}/concerns/new/?kind=crisis", {"kind": "crisis"})
    crisis = Concern.objects.get(relationship=relationship)
    submit(
        me,
        f"{base}/concerns/{crisis.pk}/",
        {"q_0": markers["concern_answer"], "notes": markers["concern_notes"]},
    )
    response = boss.post(f"{base}/concerns/{crisis.pk}/acknowledge/")
    assert response.status_code == 302, response.status_code
    submit(boss, f"{base}/concerns/{crisis.pk}/", {"follow_up": markers["concern_follow_up"]})
    submit(me, f"{rel}/adverse-events/new/", {"kind": "hospitalised", "notes": markers["adverse_notes"]})
    submit(me, f"{rel}/", {"action": "close", "close_reason": "goals_met", "note": markers["close_note"]})
    submit(
        Client(),
        "/ask/riverside/",
        {
            "full_name": f"Yara {markers['request_name']}",
            "email": f"{markers['request_email']}@example.net",
            "phone": "",
            "preferred_contact": "email",
            "languages": "English",
            "intake_notes": markers["request_notes"],
            "consent_given": "on",
        },
    )


def fill_plans(markers: dict[str, str], me: Client, boss_c: Client, relationship: Any, person: Any) -> Any:
    """The participant's plan through the plans pages, in the working relationship: a goal in
    their words, a step, progress, a plan review, a need of the checklist with its note, and a
    referral with its warm-handoff notes and what happened. Returns the goal."""
    from peerpath.plans.models import Goal, Referral

    plans = "/p/riverside/plans"
    submit(me, f"{plans}/relationships/{relationship.pk}/goals/new/", {"text": markers["goal_text"]})
    goal = Goal.objects.get(relationship=relationship)
    today = timezone.localdate().isoformat()
    submit(me, f"{plans}/goals/{goal.pk}/", {"text": markers["goal_step"], "owner": "participant"})
    submit(me, f"{plans}/goals/{goal.pk}/", {"noted_on": today, "note": markers["goal_progress"]})
    submit(me, f"{plans}/relationships/{relationship.pk}/", {"reviewed_on": today, "note": markers["plan_review"]})
    submit(boss_c, f"{plans}/participants/{person.pk}/needs/", {"status_0": "open", "note_0": markers["need_note"]})
    submit(
        me,
        f"{plans}/relationships/{relationship.pk}/referrals/new/",
        {"resource_name": "Riverside Food Bank", "handoff_notes": markers["referral_handoff"]},
    )
    referral = Referral.objects.get(relationship=relationship)
    for to, note in (("made", ""), ("connected", markers["referral_outcome"])):
        moved = me.post(f"{plans}/referrals/{referral.pk}/state/", {"to": to, "note": note})
        assert moved.status_code == 302, (to, moved.status_code, moved.content.decode()[:2000])
    return goal


def fill_voice(markers: dict[str, str], me: Client, boss_c: Client, relationship: Any, person: Any) -> None:
    """The participant's voice through its pages: the coordinator adds the project's outcome
    measure, the scheduler's job sends the first-contact link, the participant answers it with no
    account (a message and the measure), the supporter completes the measure with them, and the
    coordinator records a consent to share with a named clinician and prepares a summary for them
    (audited: the audit entry must not hold the name)."""
    from peerpath.voice import links
    from peerpath.voice.models import AnswerLink, OutcomeResponse, ShareConsent
    from peerpath.voice.services import feedback

    voice = "/p/riverside/voice"
    added = boss_c.post(f"{voice}/settings/add-measure/")
    assert added.status_code == 302, added.status_code
    feedback.send_due_links()  # the scheduler's voice.send_links job
    link = AnswerLink.objects.get(relationship=relationship)
    assert link.measures, "the first link asks the outcome measure"
    items = {f"m{pk}_{n}": "3" for pk in link.measures for n in range(1, 6)}
    submit(
        Client(),
        f"/voice/answer/{links.token_for(link)}/",
        {"felt_heard": "not_really", "good_fit": "not_sure", "message": markers["feedback_message"], **items},
    )
    measure = int(link.measures[0])
    together = {f"item_{n}": "2" for n in range(1, 6)}
    submit(me, f"{voice}/relationships/{relationship.pk}/measures/{measure}/", {"point": "review", **together})
    assert OutcomeResponse.objects.filter(participant=person).count() == 2
    ends = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    submit(
        boss_c,
        f"{voice}/participants/{person.pk}/consents/",
        {"recipient": markers["share_recipient"], "scope": ["goals", "outcomes"], "expires_on": ends},
    )
    consent = ShareConsent.objects.get(participant=person)
    today = timezone.localdate().isoformat()
    for suffix in ("summary/", "summary.pdf"):
        shown = boss_c.get(
            f"{voice}/participants/{person.pk}/{suffix}", {"start": today, "end": today, "consent": consent.pk}
        )
        assert shown.status_code == 200, (suffix, shown.status_code)


if __name__ == "__main__":
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    with open(sys.argv[1], encoding="utf-8") as source:
        markers = json.load(source)
    fill(markers)
    # What the pages wrote reads back through the models (decrypted): the markers were stored.
    from peerpath.core.encryption import encrypted_models

    held = " ".join(
        json.dumps(value, ensure_ascii=False)
        for model, names in encrypted_models().items()
        for row in model._base_manager.values_list(*names)
        for value in row
    )
    print(json.dumps(sorted(name for name, marker in markers.items() if marker in held)))
