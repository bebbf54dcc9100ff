"""Crisis paging by text, end to end without a browser: the supervisor is texted at once and again
at the set interval; nobody answering moves the chain on to the next person, whose texts start
while the supervisor's stop; replying with the code acknowledges the crisis."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from peerpath.notifications import paging
from peerpath.notifications.models import Page
from peerpath.support.models import Concern, ConcernState
from peerpath.support.services import concerns
from tests.notifications.helpers import agree_to_texts, reply, texts_to

SAM = "+15417543010"
CORA = "+15417543011"


def raise_crisis(support: Any) -> Concern:
    return concerns.raise_concern(
        actor=support.supporter, relationship=support.ana_rel, kind="crisis", answers=[], notes=""
    )


def code_in(text: str) -> str:
    found = re.search(r"Reply (\d{4}) to acknowledge", text)
    assert found, text
    return found.group(1)


def test_a_supervisor_is_paged_until_they_acknowledge_by_reply(support: Any, settings: Any) -> None:
    settings.PAGE_REPEAT_MINUTES = 5
    agree_to_texts(support.supervisor, SAM)
    agree_to_texts(support.coordinator, CORA)
    concern = raise_crisis(support)

    [first] = texts_to(SAM)
    assert first.startswith(f"CRISIS: {support.supporter} raised a crisis about {concern.participant.reference}")
    assert support.ana.full_name not in first
    code = code_in(first)
    assert "http://testserver/notifications/pages/" in first

    # Not yet time: nothing more. Five minutes later: the same page again.
    assert paging.repeat_due(now=timezone.now() + dt.timedelta(minutes=4)) == 0
    assert paging.repeat_due(now=timezone.now() + dt.timedelta(minutes=5, seconds=1)) == 1
    [_, again] = texts_to(SAM)
    assert again.startswith("Reminder 2:") and code_in(again) == code

    # A wrong code changes nothing and says so.
    answer = reply(support.client_for(None), SAM, "0000" if code != "0000" else "1111")
    assert "Not understood" in answer.content.decode()
    concern.refresh_from_db()
    assert concern.state == ConcernState.OPEN

    answer = reply(support.client_for(None), SAM, f"ack {code}")
    assert answer.status_code == 200 and "acknowledged" in answer.content.decode()
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.acknowledged_by == support.supervisor
    assert concern.events.filter(action="acknowledged").exists()
    page = Page.objects.get(user=support.supervisor)
    assert page.acknowledged_via == "reply" and page.ended_at is not None
    # No more rounds, and nobody else is texted.
    assert paging.repeat_due(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert len(texts_to(SAM)) == 2 and texts_to(CORA) == []


def test_nobody_answering_moves_the_chain_on_and_the_next_person_acknowledges(support: Any) -> None:
    agree_to_texts(support.supervisor, SAM)
    agree_to_texts(support.coordinator, CORA)
    concern = raise_crisis(support)
    assert len(texts_to(SAM)) == 1

    later = concern.next_step_at + dt.timedelta(seconds=1)
    assert concerns.escalate_if_due(concern_id=concern.pk, noticed_by="the test", now=later)
    [escalated] = texts_to(CORA)
    assert escalated.startswith("ESCALATED CRISIS")
    sam_page = Page.objects.get(user=support.supervisor)
    assert sam_page.ended_at is not None and sam_page.end_reason == "the on-call chain moved on"
    assert paging.repeat_due(now=timezone.now() + dt.timedelta(minutes=6)) == 1  # Cora's second round only
    assert len(texts_to(SAM)) == 1 and len(texts_to(CORA)) == 2

    # The supervisor's old code no longer acknowledges anything.
    reply(support.client_for(None), SAM, code_in(texts_to(SAM)[0]))
    concern.refresh_from_db()
    assert concern.state == ConcernState.OPEN

    reply(support.client_for(None), CORA, code_in(escalated))
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.acknowledged_by == support.coordinator


def test_acknowledging_by_the_link(support: Any) -> None:
    agree_to_texts(support.supervisor, SAM)
    concern = raise_crisis(support)
    link = re.search(r"http://testserver(/notifications/pages/\S+/)", texts_to(SAM)[0])
    assert link
    # Someone else following the link finds nothing.
    assert support.client_for(support.coordinator).get(link.group(1)).status_code == 404
    client = support.client_for(support.supervisor)
    page = client.get(link.group(1))
    assert page.status_code == 200 and "Acknowledge" in page.content.decode()
    response = client.post(link.group(1))
    assert response.status_code == 302 and response["Location"] == concern.get_absolute_url()
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED
    assert Page.objects.get().acknowledged_via == "link"


def test_acknowledging_on_the_concern_page_ends_the_page(support: Any) -> None:
    agree_to_texts(support.supervisor, SAM)
    concern = raise_crisis(support)
    support.client_for(support.supervisor).post(reverse("support:concern_acknowledge", args=["riverside", concern.pk]))
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED
    assert Page.objects.get().ended_at is not None
    assert paging.repeat_due(now=timezone.now() + dt.timedelta(hours=1)) == 0


def test_a_person_without_texts_is_alerted_in_the_app_and_by_email_only(support: Any) -> None:
    raise_crisis(support)
    assert not Page.objects.exists()
