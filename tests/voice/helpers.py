"""Helpers for the voice tests: a first contact, the links due, and the link a participant got."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.utils import timezone

from peerpath.support.models import SupportRelationship
from peerpath.support.services import contacts
from peerpath.voice.models import AnswerLink
from peerpath.voice.services import feedback

LINK = re.compile(r"http://testserver(/voice/answer/[^/\s]+/)")


def first_contact(relationship: SupportRelationship, actor: Any) -> None:
    contacts.log_contact(
        actor=actor,
        relationship=relationship,
        data={
            "contacted_on": timezone.localdate(),
            "channel": "phone",
            "reached": True,
            "tasks": ["rapport"],
            "kind": "first",
            "notes": "",
            "next_follow_up": None,
        },
    )


def send_and_read_link(to: str) -> str:
    """Send the due links and return the path of the link e-mailed to ``to``."""
    mail.outbox.clear()
    feedback.send_due_links()
    for message in mail.outbox:
        if to in message.to:
            found = LINK.search(message.body)
            assert found, message.body
            return found.group(1)
    raise AssertionError(f"no link e-mailed to {to}")


def latest_link(relationship: SupportRelationship) -> AnswerLink:
    return AnswerLink.objects.filter(relationship=relationship).latest("created_at")


VOICE_SECRETS = {
    "feedback_message": "gondola-feedback",
    "share_recipient": "Dr Ottoline Pemberton-Vasquez",
}


def fill_voice_secrets(support: Any, relationship: SupportRelationship) -> None:
    """Every encrypted voice record, for the at-rest tests: a feedback answer through a link, an
    outcome measure with its answers and scores, and a consent to share (the relationship must
    still be active)."""
    from datetime import timedelta

    from peerpath.voice.services import outcomes, sharing

    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    plan = feedback.DueLink(relationship, "first_contact", [measure], "intake")
    link = feedback.send_link(plan=plan)
    feedback.answer(
        link=link,
        felt_heard="not_really",
        good_fit="not_sure",
        message=VOICE_SECRETS["feedback_message"],
        measures={measure.pk: {1: 3, 2: 3, 3: 3, 4: 3, 5: 1}},
    )
    sharing.record_consent(
        actor=support.coordinator,
        participant=relationship.participant,
        recipient=VOICE_SECRETS["share_recipient"],
        scope=["outcomes"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
