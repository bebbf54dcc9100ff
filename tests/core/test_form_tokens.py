"""Every create form is idempotent: its one-time token makes a second send create nothing.

The mechanism is peerpath.core.idempotency (`creates_once` on the view, the token rendered by
`form_fields.html` or `{% form_token %}`). The list below enumerates the create views; a test
checks each is wrapped, that no route named like a create view is missing from the list, and
that every template form posting to one carries the token. Then the main forms are sent twice
for real.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerpath.care.models import Debrief, SupervisionMeeting
from peerpath.certification.models import CEActivity
from peerpath.core.idempotency import FIELD, KEEP_DAYS, is_create_view, prune
from peerpath.core.models import UsedFormToken
from peerpath.recruitment.models import Application, Milestone
from peerpath.support.defaults import get_settings
from peerpath.support.models import Concern, Contact, Participant
from tests.core.test_url_permissions import project_views
from tests.factories import MembershipFactory
from tests.fixtures import SupportWorld
from tests.recruitment.test_apply import form_data as application_data
from tests.support.test_views import contact_post, participant_post

# Every view that creates a record on POST, by URL name.
CREATE_VIEWS = {
    "programs:members",
    "programs:competency_new",
    "programs:focus_area_new",
    "recruitment:apply",
    "recruitment:interview_schedule",
    "recruitment:milestone_add",
    "recruitment:question_new",
    "recruitment:red_flag_new",
    "training:module_new",
    "training:topic_new",
    "training:cohort_new",
    "training:cohort_enrol",
    "training:session_new",
    "training:role_play_add",
    "training:shadowing_add",
    "training:my_shadowing_add",
    "training:refresher_new",
    "training:feedback_session",
    "training:feedback_course",
    "certification:my_ce_new",
    "certification:certificate_renew",
    "support:request",
    "support:participant_new",
    "support:conflict_add",
    "support:participant_match",
    "support:batch",
    "support:contact_new",
    "support:concern_new",
    "support:adverse_event_new",
    "support:relationship_conflict",
    "support:cover_add",
    "care:checkin",
    "care:my_debriefs",
    "care:my_breaks",
    "care:meeting_new",
    "care:break_new",
    "care:buddy_pair",
    "care:recognition_new",
    "care:newsletter_new",
    "care:questionnaire_import",
    "care:topic_plan",
    "groups:kinds",
    "groups:group_new",
    "groups:member_add",
    "groups:session_add",
    "groups:session_concern",
    "groups:session_debrief",
    "groups:public_join",
    "plans:goal_new",
    "plans:step_new",
    "plans:progress_new",
    "plans:review_new",
    "plans:resource_new",
    "plans:referral_new",
    "voice:outcome_new",
    "hours:duty_new",
    "practice:scenario_new",
    "practice:step_new",
    "exchange:upload",
    "api_tokens:list",
    "certification:ce_subject_new",
    "credentials:type_new",
    "credentials:person",
    "credentials:sign",
    "credentials:domain_new",
    "credentials:progress",
    "credentials:my_progress",
    "credentials:module_new",
    "credentials:module",
    "credentials:my_module",
}
LOOKS_LIKE_CREATE = re.compile(r"(_new|_add|_import|_pair|_plan|:upload)$")


def views_by_name() -> dict[str, Any]:
    return {name: view for _route, name, view in project_views()}


def test_every_create_view_is_idempotent() -> None:
    views = views_by_name()
    assert set(views) >= CREATE_VIEWS, sorted(CREATE_VIEWS - set(views))
    missing = sorted(name for name in CREATE_VIEWS if not is_create_view(views[name]))
    assert not missing, f"Create views without @creates_once: {missing}"


def test_no_create_view_is_left_out_of_the_list() -> None:
    views = views_by_name()  # once: walking the URL configuration is not free
    named_like_one = {name for name in views if LOOKS_LIKE_CREATE.search(name)}
    decorated = {name for name, view in views.items() if is_create_view(view)}
    assert named_like_one <= CREATE_VIEWS, sorted(named_like_one - CREATE_VIEWS)
    # Views sharing a function with a create view (an edit page) are wrapped too: that is harmless.
    shares_function = {n for n, v in views.items() if any(v is views[c] for c in CREATE_VIEWS)}
    assert decorated <= CREATE_VIEWS | shares_function, sorted(decorated - CREATE_VIEWS - shares_function)


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ACTION = re.compile(r"""action="\{% url '([\w:]+)'""")


def test_every_template_form_posting_to_a_create_view_carries_the_token() -> None:
    root = Path(__file__).resolve().parents[2] / "peerpath"
    found, problems = 0, []
    for template in sorted(root.glob("**/templates/**/*.html")):
        for attrs, body in FORM.findall(template.read_text()):
            action = ACTION.search(attrs)
            if "post" not in attrs.lower() or not action or action.group(1) not in CREATE_VIEWS:
                continue
            found += 1
            if "form_fields.html" not in body and "{% form_token %}" not in body:
                problems.append(f"{template.relative_to(root)} -> {action.group(1)}")
    assert found > 5
    assert not problems, "Forms posting to a create view without the one-time token:\n" + "\n".join(problems)


# --- Sending the main forms twice ---------------------------------------------------------------

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def token_from(client: Client, page_url: str, action: str | None = None) -> str:
    """The token of the form on ``page_url`` (the one posting to ``action`` when given)."""
    html = client.get(page_url).content.decode()
    if action is not None:
        html = next(body for attrs, body in FORM.findall(html) if f'action="{action}"' in attrs)
    found = TOKEN.search(html)
    assert found, f"no one-time token in the form at {page_url}"
    return found.group(1)


def send_twice(client: Client, page_url: str, post_url: str, data: dict[str, Any], count: Callable[[], int]) -> None:
    token = token_from(client, page_url, None if page_url == post_url else post_url)
    before = count()
    first = client.post(post_url, {**data, FIELD: token})
    assert first.status_code == 302, first.content.decode()[:2000]
    second = client.post(post_url, {**data, FIELD: token})
    assert count() == before + 1, "the second send created again"
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert any("already been sent" in str(m) for m in get_messages(second.wsgi_request))


def r(name: str, *args: Any) -> str:
    return reverse(name, args=["riverside", *args])


def test_a_participant_sent_twice_is_added_once(support: SupportWorld) -> None:
    client = support.client_for(support.coordinator)
    page = r("support:participant_new")
    send_twice(client, page, page, participant_post(), lambda: Participant.objects.count())


def test_a_contact_sent_twice_is_logged_once(support: SupportWorld) -> None:
    client = support.client_for(support.supporter)
    page = r("support:contact_new", support.ana_rel.pk)
    send_twice(client, page, page, contact_post(kind="check_in"), lambda: Contact.objects.count())


def test_an_application_sent_twice_is_received_once(support: SupportWorld) -> None:
    page = reverse("recruitment:apply", args=["riverside"])
    send_twice(Client(), page, page, application_data(support.world), lambda: Application.objects.count())


def test_a_request_for_support_sent_twice_is_received_once(support: SupportWorld) -> None:
    get_settings(support.program).__class__.objects.filter(program=support.program).update(requests_open=True)
    page = reverse("support:request", args=["riverside"])
    data = {"full_name": "Fatima Noor", "email": "fatima@example.net", "preferred_contact": "email"}
    data |= {"languages": "English", "consent_given": "on"}
    send_twice(Client(), page, page, data, lambda: Participant.objects.count())


def test_a_concern_sent_twice_is_raised_once(support: SupportWorld) -> None:
    client = support.client_for(support.supporter)
    page = r("support:concern_new", support.ana_rel.pk)
    data = {"kind": "concern", "notes": "She sounded low.", "q_0": "Yes"}
    send_twice(client, page, page, data, lambda: Concern.objects.count())


def test_a_debrief_sent_twice_is_kept_once(support: SupportWorld) -> None:
    client = support.client_for(support.supporter)
    page = r("care:my_debriefs")
    data = {"kind": "hard_contact", "occurred_on": timezone.localdate().isoformat(), "what_happened": "A long call"}
    send_twice(client, page, page, data, lambda: Debrief.objects.count())


def test_a_supervision_meeting_sent_twice_is_logged_once(support: SupportWorld) -> None:
    client = support.client_for(support.supervisor)
    page = r("care:meeting_new")
    data = {
        "kind": "one_on_one",
        "held_on": timezone.localdate().isoformat(),
        "duration_minutes": "50",
        "supervisor": support.supervisor.pk,
        "attendees": [support.priya.pk],
        "topics": "The week",
        "notes": "",
        "follow_ups": "",
    }
    send_twice(client, page, page, data, lambda: SupervisionMeeting.objects.count())


def test_a_continuing_education_activity_sent_twice_is_logged_once(support: SupportWorld) -> None:
    client = support.client_for(support.supporter)
    page = r("certification:my_ce_new")
    data = {"date": timezone.localdate().isoformat(), "title": "Motivational interviewing", "provider": ""}
    data |= {"hours": "2", "category": "peer-specific"}
    send_twice(client, page, page, data, lambda: CEActivity.objects.count())


def test_a_milestone_sent_twice_from_the_person_page_is_recorded_once(support: SupportWorld) -> None:
    client = support.client_for(support.coordinator)
    page = reverse("recruitment:person", args=["riverside", support.priya.pk])
    post = reverse("recruitment:milestone_add", args=["riverside", support.priya.pk])
    data = {"title": "Led an information session", "achieved_on": timezone.localdate().isoformat(), "note": ""}
    send_twice(client, page, post, data, lambda: Milestone.objects.count())


# --- The mechanism's edges ----------------------------------------------------------------------


def test_a_failed_send_releases_the_token_for_the_corrected_form(support: SupportWorld) -> None:
    client = support.client_for(support.coordinator)
    page = r("support:participant_new")
    token = token_from(client, page)
    bad = client.post(page, {**participant_post(email="", phone=""), FIELD: token})
    assert bad.status_code == 400 and not UsedFormToken.objects.exists()
    assert client.post(page, {**participant_post(), FIELD: token}).status_code == 302
    assert Participant.objects.filter(source="coordinator").count() == 4  # the three of the fixture and this one


def test_every_render_gives_a_new_token(support: SupportWorld) -> None:
    client = support.client_for(support.coordinator)
    page = r("support:participant_new")
    first, second = token_from(client, page), token_from(client, page)
    assert first != second
    client.post(page, {**participant_post(), FIELD: first})
    client.post(
        page,
        {**participant_post(full_name="Another Person", email="other@example.net", phone="555-0300"), FIELD: second},
    )
    assert Participant.objects.filter(source="coordinator").count() == 5


def test_a_forged_or_borrowed_token_is_not_honoured(support: SupportWorld) -> None:
    page = r("support:participant_new")
    coordinator = support.client_for(support.coordinator)
    token = token_from(coordinator, page)
    coordinator.post(page, {**participant_post(), FIELD: token})
    # Another coordinator sending the same token is not sent to the first one's record: theirs is added.
    other = support.client_for(MembershipFactory(program=support.program, is_coordinator=True).user)
    response = other.post(
        page, {**participant_post(full_name="Other", email="x@example.net", phone="555-0301"), FIELD: token}
    )
    assert response.status_code == 302 and Participant.objects.count() == 5
    forged = coordinator.post(
        page, {**participant_post(full_name="Forged", email="f@example.net", phone="555-0302"), FIELD: "x:y:z"}
    )
    assert forged.status_code == 302 and Participant.objects.count() == 6


def test_used_tokens_are_forgotten_after_a_while(db: Any) -> None:
    UsedFormToken.objects.create(nonce="old", created_at=timezone.now() - dt.timedelta(days=KEEP_DAYS + 1))
    UsedFormToken.objects.create(nonce="recent")
    assert prune() == 1
    assert list(UsedFormToken.objects.values_list("nonce", flat=True)) == ["recent"]


# --- A participant already held -----------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "ANA.LOPEZ@example.net", "phone": ""},  # Ana's e-mail, in another case
        {"email": "", "phone": "(555) 0142"},  # Ana's phone, written differently
    ],
)
def test_adding_someone_already_held_warns_and_links(support: SupportWorld, overrides: dict) -> None:
    client = support.client_for(support.coordinator)
    page = r("support:participant_new")
    data = participant_post(full_name="Ana L.", **overrides)
    before = Participant.objects.count()
    warned = client.post(page, data)
    assert warned.status_code == 400 and Participant.objects.count() == before
    text = warned.content.decode()
    assert "already on the list" in text and r("support:participant", support.ana.pk) in text
    assert "Add anyway" in text
    added = client.post(page, {**data, "add_anyway": "1"})
    assert added.status_code == 302 and Participant.objects.count() == before + 1


def test_someone_new_is_added_without_a_warning(support: SupportWorld) -> None:
    response = support.client_for(support.coordinator).post(r("support:participant_new"), participant_post())
    assert response.status_code == 302
