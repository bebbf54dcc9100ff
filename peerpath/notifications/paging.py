"""Paging by text: an urgent message texted at once and again every ``PEERPATH_PAGE_REPEAT_MINUTES``
until the person acknowledges it or the page is ended.

`services.notify` starts a page for an urgent kind when the person gets it by text. Each text
carries a short code: replying with it (through the provider's signature-checked webhook,
`inbound.receive`) or following the link in the text acknowledges the page. What an
acknowledgement means belongs to the app that sent the kind, which registers it with
`register_acknowledger` (support: the crisis is acknowledged, with that app's own rules). The
sender ends pages (`end`) when the chain moves on or the matter is settled. Repeats are taken
by the periodic sweep (`delivery.release_sweep`) and, where the task backend can defer, a
task queued for each round's time; each round is one delivery whose key names the page and
the round, so a round is never texted twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerpath.core import audit, mail
from peerpath.core.models import User
from peerpath.notifications import services
from peerpath.notifications.language import language_for
from peerpath.notifications.models import Notice, Page, Preferences

_SALT = "peerpath.notifications.page"
Acknowledger = Callable[[User, str], None]
_ACKNOWLEDGERS: dict[str, Acknowledger] = {}


def register_acknowledger(kind: str, acknowledge: Acknowledger) -> None:
    """``acknowledge(user, about)`` runs when ``user`` acknowledges a page of ``kind``; it may
    raise ValidationError or PermissionDenied to refuse (the page stays open)."""
    _ACKNOWLEDGERS[kind] = acknowledge


def repeat_every() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.PAGE_REPEAT_MINUTES))


def link_token(page: Page) -> str:
    return signing.dumps(page.pk, salt=_SALT)


def page_for_token(token: str) -> Page | None:
    try:
        pk = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return Page.objects.filter(pk=pk).select_related("notice").first() if isinstance(pk, int) else None


def _new_code(user_id: int) -> str:
    taken = set(Page.objects.filter(user_id=user_id, ended_at__isnull=True).values_list("code", flat=True))
    while True:
        code = f"{secrets.randbelow(9000) + 1000}"
        if code not in taken:
            return code


def start(*, notice: Notice, preferences: Preferences, now: dt.datetime) -> Page | None:
    """Page the notice's person by text, at once (None when they cannot be texted)."""
    if not preferences.texts_allowed:
        return None
    page = Page.objects.create(
        user=notice.user,
        notice=notice,
        kind=notice.kind,
        about=notice.about,
        code=_new_code(notice.user_id),
        started_at=now,
        next_round_at=now,
    )
    _round(page, preferences, now)
    return page


def _round(page: Page, preferences: Preferences, now: dt.datetime) -> None:
    number = page.rounds + 1
    link = mail.absolute_url(reverse("notifications:page", args=[link_token(page)]))
    with translation.override(language_for(page.user)):
        body = " ".join(
            render_to_string(
                "notifications/page_text.txt",
                {"text": page.notice.text, "code": page.code, "url": link, "round": number},
            ).split()
        )
    page.rounds = number
    page.next_round_at = now + repeat_every()
    page.save(update_fields=["rounds", "next_round_at"])
    services._text(page.notice, preferences, body, now, key=f"page:{page.pk}:{number}")
    if repeat_round.get_backend().supports_defer:
        when = page.next_round_at
        transaction.on_commit(lambda: repeat_round.using(run_after=when).enqueue(page_id=page.pk))


@task()
def repeat_round(*, page_id: int) -> bool:
    return repeat_if_due(page_id)


def repeat_if_due(page_id: int, now: dt.datetime | None = None) -> bool:
    """Text the page's next round if it is still open and its time has come (row locked)."""
    now = now or timezone.now()
    with transaction.atomic():
        page = Page.objects.select_for_update(of=("self",)).select_related("notice", "user").filter(pk=page_id).first()
        if page is None or page.ended_at is not None or page.next_round_at is None or now < page.next_round_at:
            return False
        preferences = Preferences.objects.filter(user_id=page.user_id).first()
        if preferences is None or not preferences.texts_allowed:
            _end(page, now, "texts stopped")
            return False
        _round(page, preferences, now)
    return True


def repeat_due(now: dt.datetime | None = None) -> int:
    """Every open page whose next round is due gets it. Returns how many rounds were texted."""
    now = now or timezone.now()
    ids = Page.objects.filter(ended_at__isnull=True, next_round_at__lte=now).values_list("pk", flat=True)
    return sum(repeat_if_due(pk, now) for pk in list(ids[:200]))


def _end(page: Page, now: dt.datetime, reason: str) -> None:
    page.ended_at, page.end_reason, page.next_round_at = now, reason[:100], None
    page.save(update_fields=["ended_at", "end_reason", "next_round_at"])


def end(*, about: str, reason: str, users: list[Any] | None = None) -> int:
    """End the open pages about something (for some people, or everyone): no more rounds."""
    if not about:
        return 0
    rows = Page.objects.filter(about=about, ended_at__isnull=True)
    if users is not None:
        rows = rows.filter(user__in=users)
    return rows.update(ended_at=timezone.now(), end_reason=reason[:100], next_round_at=None)


def open_pages_for_phone(phone: str) -> list[Page]:
    users = Preferences.objects.filter(phone=phone).values_list("user_id", flat=True)
    return list(Page.objects.filter(user_id__in=list(users), ended_at__isnull=True).select_related("user", "notice"))


def acknowledge(*, actor: User, page: Page, via: str) -> Page:
    """The paged person acknowledges (by replying with the code, or by the link).

    Rules: only the person paged; only an open page; the sending app's acknowledger decides
    what it means and may refuse. Every open page about the same thing ends."""
    if page.user_id != actor.pk:
        raise ValidationError(_("This page was sent to someone else."))
    now = timezone.now()
    with transaction.atomic():
        locked = Page.objects.select_for_update().get(pk=page.pk)
        if locked.ended_at is not None:
            raise ValidationError(_("This page has ended already."))
        handler = _ACKNOWLEDGERS.get(locked.kind)
        if handler is not None:
            handler(actor, locked.about)
        locked.acknowledged_at, locked.acknowledged_via = now, via
        locked.save(update_fields=["acknowledged_at", "acknowledged_via"])
        _end(locked, now, f"acknowledged by {via}")
        end(about=locked.about, reason=f"acknowledged by {actor}")
        audit.record(
            actor=actor,
            program=locked.notice.program,
            action="notifications.page_acknowledged",
            target=locked,
            note=f"{locked.kind} {locked.about}, by {via}",
        )
    return locked
