"""The voice app's retention rule: answer links never used. (Answers and outcome scores go with
their participant's record, erased by support's rule for closed participant records.)"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peerpath.programs.models import Program
from peerpath.programs.retention import Rule, register_rule
from peerpath.voice.models import AnswerLink


def _due(program: Program, before: dt.datetime) -> int:
    return AnswerLink.objects.filter(program=program, used_at__isnull=True, expires_at__lt=before).count()


def _remove(program: Program, before: dt.datetime) -> int:
    with transaction.atomic():
        deleted, _counts = AnswerLink.objects.filter(
            program=program, used_at__isnull=True, expires_at__lt=before
        ).delete()
    return deleted


def register() -> None:
    register_rule(
        Rule(
            key="unused_answer_links",
            label=_("Participants' answer links never used (counted from their expiry)"),
            field="draft_days",
            due=_due,
            remove=_remove,
        )
    )
