"""Which language to speak to a person in.

Staff and supporters choose theirs on their account page (``User.language``); a participant's
is on their record (``preferred_language``). Anything PeerPath sends a person (an e-mail, a text
message, a PDF made for them) is rendered inside ``in_language_of(person)``; pages follow the
signed-in person's choice, else the language switch's cookie, else the browser's language.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.models import User


def supported(code: str | None) -> str | None:
    """``code`` as one of settings.LANGUAGES ("es-MX" is "es"), or None when PeerPath does not
    speak it."""
    if not code or not isinstance(code, str):
        return None
    known = {c.lower(): c for c, _name in settings.LANGUAGES}
    code = code.strip().lower().replace("_", "-")
    return known.get(code) or known.get(code.split("-")[0])


def language_for(person: Any) -> str:
    """The language to address ``person`` in: a User's chosen ``language``, or a record's
    ``preferred_language`` (a participant), else the installation's default language."""
    code = getattr(person, "language", None) or getattr(person, "preferred_language", None)
    return supported(code) or settings.LANGUAGE_CODE


def later(message: str | Promise, /, **params: Any) -> str:
    """``message % params``, put together when it is read, in the language active then.

    For text written in one person's request and read by another: a notice an English supporter's
    concern sends a Spanish supervisor is rendered inside ``in_language_of(supervisor)`` (the
    notification layer does this for every recipient), so the words must not be translated before.
    Write ``message`` with ``gettext_lazy`` (or ``ngettext_lazy(..., "count")`` with the count among
    the parameters) so the catalogue finds it; a parameter may be lazy too (a choice's label, or
    ``lowered(label)``) and is read in the same language."""

    def render() -> str:
        values = {key: str(value) if isinstance(value, Promise) else value for key, value in params.items()}
        return str(message % values)

    made: str = lazy(render, str)()
    return made


def lowered(text: str | Promise) -> str:
    """``text`` in lower case when it is read (a lazy label in the middle of a sentence)."""
    made: str = lazy(lambda: str(text).lower(), str)()
    return made


def lazy_date(day: Any) -> str:
    """A date in the short format of the language active when it is read."""
    from django.utils.formats import date_format

    made: str = lazy(lambda: date_format(day, "SHORT_DATE_FORMAT"), str)()
    return made


@contextlib.contextmanager
def in_language_of(person: Any) -> Iterator[str]:
    """Render what is sent to ``person`` in their language (yields the language code)."""
    language = language_for(person)
    with translation.override(language):
        yield language


def choices() -> list[tuple[str, str]]:
    """The languages a person may choose, each named in itself."""
    return [(code, name) for code, name in settings.LANGUAGES]


def choose_language(*, actor: Any, language: str) -> None:
    """A person chooses the language PeerPath speaks to them in: one it speaks, or "" to follow
    their browser. Only for oneself; audited."""
    if language and supported(language) != language:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if actor.language == language:
        return
    with transaction.atomic():
        changes = {"language": [actor.language, language]}
        User.objects.filter(pk=actor.pk).update(language=language)
        actor.language = language
        audit.record(actor=actor, program=None, action="account.language", target=actor, changes=changes)


class PersonLanguageMiddleware:
    """A signed-in person who chose a language sees every page in it, whatever their browser
    asks for (below AuthenticationMiddleware and LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        chosen = supported(getattr(user, "language", None)) if user is not None and user.is_authenticated else None
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen:
            response.headers.setdefault("Content-Language", chosen)
        return response


@receiver(user_logged_in, dispatch_uid="peerpath.core.languages.remember")
def remember_first_language(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A person who has not chosen a language keeps the one they signed in with (the switch on
    the sign-in page, or their browser's), so what PeerPath sends them is in it too."""
    if request is None or getattr(user, "language", "x") != "":
        return
    language = supported(getattr(request, "LANGUAGE_CODE", None))
    if language and language != settings.LANGUAGE_CODE:
        choose_language(actor=user, language=language)
