"""Composing e-mail from templates and queueing it for the background worker."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from peerpath.core.tasks import send_email

_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("peerpath_mail_suppressed", default=False)


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Queue no e-mail inside this block (loading demo data must not write to anyone)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def queue_email(*, to: str | list[str], template: str, context: dict[str, Any], reply_to: str = "") -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and queue the message.

    Queued in the caller's transaction (the task queue is in the same database), so a
    rolled-back change never sends its e-mail.
    """
    if _suppressed.get():
        return
    recipients = [to] if isinstance(to, str) else list(to)
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    send_email.enqueue(to=recipients, subject=subject, body=body, reply_to=[reply_to] if reply_to else None)
