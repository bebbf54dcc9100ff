"""A crisis is sent with one tap and described afterwards by the person who raised it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerpath.core.models import AuditEntry
from peerpath.notifications.models import Notice as Notification
from peerpath.support.defaults import CONCERN_QUESTIONS
from peerpath.support.models import Concern
from peerpath.support.services import concerns
from peerpath.support.views.concerns import dial_number


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["riverside", *args])


def crisis(support: Any) -> Concern:
    return concerns.raise_concern(
        actor=support.supporter, relationship=support.ana_rel, kind="crisis", answers=[], notes=""
    )


def test_one_post_with_nothing_but_the_kind_raises_a_crisis(support: Any) -> None:
    client = support.client_for(support.supporter)
    page = client.get(url("support:concern_new", support.ana_rel.pk) + "?kind=crisis").content.decode()
    assert 'href="tel:911"' in page and 'href="tel:988"' in page
    assert page.index("Tell my supervisor now") < page.index("Crisis protocol")
    response = client.post(url("support:concern_new", support.ana_rel.pk), {"kind": "crisis"})
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == concern.get_absolute_url()
    assert concern.kind == "crisis" and not concern.has_details()
    assert Notification.objects.filter(
        user=support.supervisor, about=f"support.concern:{concern.pk}", is_urgent=True
    ).exists()


def test_details_are_added_merged_and_the_supervisor_told(support: Any) -> None:
    concern = crisis(support)
    concerns.add_concern_details(
        actor=support.supporter,
        concern=concern,
        answers=[(CONCERN_QUESTIONS[0], "No, alone at home"), (CONCERN_QUESTIONS[1], "")],
        notes="Said they cannot go on.",
    )
    concerns.add_concern_details(
        actor=support.supporter,
        concern=concern,
        answers=[(CONCERN_QUESTIONS[0], ""), (CONCERN_QUESTIONS[1], "Yes")],
        notes="Their sister is on her way.",
    )
    concern.refresh_from_db()
    assert concern.answer_pairs() == [(CONCERN_QUESTIONS[0], "No, alone at home"), (CONCERN_QUESTIONS[1], "Yes")]
    assert concern.notes == "Said they cannot go on.\n\nTheir sister is on her way."
    assert list(concern.events.filter(action="details added").values_list("actor", flat=True)) == [
        support.supporter.pk,
        support.supporter.pk,
    ]
    assert AuditEntry.objects.filter(action="concern.add_details", target_id=str(concern.pk)).count() == 2
    told = Notification.objects.filter(
        user=support.supervisor, about=f"support.concern:{concern.pk}", text__contains="added details"
    )
    assert told.count() == 2


def test_details_rules(support: Any) -> None:
    concern = crisis(support)
    with pytest.raises(ValidationError, match="Answer a question"):
        concerns.add_concern_details(actor=support.supporter, concern=concern, answers=[], notes="  ")
    with pytest.raises(PermissionDenied):
        concerns.add_concern_details(actor=support.supervisor, concern=concern, answers=[], notes="Not mine")
    concerns.acknowledge_concern(actor=support.supervisor, concern=concern)
    concerns.record_follow_up(actor=support.supervisor, concern=concern, follow_up="Called them together.")
    with pytest.raises(ValidationError, match="followed up already"):
        concerns.add_concern_details(actor=support.supporter, concern=concern, answers=[], notes="Late")


def test_details_page_for_the_raiser_only(support: Any) -> None:
    concern = crisis(support)
    mine = support.client_for(support.supporter)
    page = mine.get(concern.get_absolute_url()).content.decode()
    assert "Add what you know" in page and CONCERN_QUESTIONS[0] in page
    empty = mine.post(url("support:concern_details", concern.pk), {"notes": ""})
    assert empty.status_code == 400 and "Answer a question or write what happened." in empty.content.decode()
    saved = mine.post(url("support:concern_details", concern.pk), {"q_0": "Not safe", "notes": "Alone"})
    assert saved.status_code == 302
    concern.refresh_from_db()
    assert concern.answer_pairs()[0] == (CONCERN_QUESTIONS[0], "Not safe")
    supervisor = support.client_for(support.supervisor)
    assert "Add what you know" not in supervisor.get(concern.get_absolute_url()).content.decode()
    # A supervisor does not raise concerns (no role for it): 403; another supporter's concern is not found.
    assert supervisor.post(url("support:concern_details", concern.pk), {"notes": "x"}).status_code == 403
    other = support.client_for(support.uma_user)
    assert other.post(url("support:concern_details", concern.pk), {"notes": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("988 Suicide & Crisis Lifeline (call or text 988)", "988"),
        ("911", "911"),
        ("+44 116 123 (Samaritans)", "+44116123"),
        ("Call (555) 010-4477 any time", "5550104477"),
        ("the local crisis team", ""),
    ],
)
def test_the_number_to_dial(text: str, number: str) -> None:
    assert dial_number(text) == number
