"""Composing e-mail from templates and queueing it for the background worker."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation

from peerpath.core import account_links, languages, outbox
from peerpath.core.models import User

_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("peerpath_mail_suppressed", default=False)


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Queue no e-mail inside this block (loading demo data must not write to anyone)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    """Whether messages are being held back (inside `suppressed`): texts follow e-mail here."""
    return _suppressed.get()


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _program(context: dict[str, Any]) -> models.Model | None:
    """The program an e-mail belongs to (every template's context names it as ``program``):
    its coordinators see the message if it cannot be delivered."""
    program = context.get("program")
    if isinstance(program, models.Model) and program._meta.label_lower == "programs.program":
        return program
    return None


def queue_email(
    *, to: str | list[str], template: str, context: dict[str, Any], reply_to: str = "", language: str | None = None
) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and queue the message.

    ``language`` is the recipient's (``peerpath.core.languages.language_for(recipient)``); without
    it the message is in the language active where it is queued.

    Queued in the caller's transaction (the outbox and the task queue are in the same
    database), so a rolled-back change never sends its e-mail. Delivery (at least once, retried,
    shown to coordinators when it finally fails) is peerpath.core.outbox.
    """
    if _suppressed.get():
        return
    recipients = [to] if isinstance(to, str) else list(to)
    subject, body = _render(template, context, language)
    if account_links.holds_link(subject) or account_links.holds_link(body):
        raise ValueError(
            f"{template}: an account link must not be queued (the task queue is stored in the database); "
            "send it with queue_account_link_email."
        )
    outbox.store(
        to=recipients, subject=subject, body=body, program=_program(context), reply_to=[reply_to] if reply_to else None
    )


def queue_account_link_email(*, user: User, kind: account_links.Kind, template: str, context: dict[str, Any]) -> None:
    """Queue an e-mail to ``user`` holding an invitation or password-reset link, in their language.

    The template shows the link as ``{{ url }}``. The outbox keeps only the text around it, the
    user id and the kind: the link is built when the e-mail is sent, so the database (and
    every backup of it) never holds a link that would log someone in."""
    if _suppressed.get():
        return
    subject, body = _render(
        template, {**context, "user": user, "url": account_links.PLACEHOLDER}, languages.language_for(user)
    )
    outbox.store(
        to=[user.email], subject=subject, body=body, program=_program(context), link_user_id=user.pk, link_kind=kind
    )


def queue_link_email(
    *,
    kind: str,
    record_id: int,
    template: str,
    context: dict[str, Any],
    to: str = "",
    reply_to: str = "",
    language: str | None = None,
) -> None:
    """Queue an e-mail holding a registered link (`account_links.register_link`) to the record
    ``record_id``: as with account links, the outbox keeps a placeholder and the link is built
    when the e-mail is sent (or the message is cancelled when the link may no longer be sent).
    Without ``to`` the outbox keeps no address either: the kind's registered recipient gives it
    at sending time (a participant's address never rests in the outbox)."""
    if _suppressed.get():
        return
    subject, body = _render(template, {**context, "url": account_links.PLACEHOLDER}, language)
    outbox.store(
        to=[to] if to else [],
        subject=subject,
        body=body,
        program=_program(context),
        reply_to=[reply_to] if reply_to else None,
        link_user_id=record_id,
        link_kind=kind,
    )


def _render(template: str, context: dict[str, Any], language: str | None = None) -> tuple[str, str]:
    with translation.override(language) if language else contextlib.nullcontext():
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        return subject, render_to_string(f"{template}_body.txt", context)
