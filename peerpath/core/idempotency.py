"""One-time form tokens: a create form sent twice (a double click, a resend after a slow answer,
the back button and "send again") creates once.

Every form rendered through `form_fields.html` (or with `{% form_token %}`) carries a hidden
``form_token``: a random nonce, signed together with the id of the person it was shown to, so
nothing is stored when a page is only viewed. Each view that creates something is wrapped in
`creates_once`. The first successful POST with a token claims it (a `UsedFormToken` row written
in the same transaction as whatever the view creates) and records where the view sent the
person; a later POST with the same token creates nothing and is sent to the same place with a
calm message. Two posts in flight at once are serialised by the row's unique key, so the
second waits for the first and then finds the claim. A post that fails validation (status 400
or more) releases its claim, so the corrected form can be sent with the same token.

A post without a token (a script, an old page) is served as before: the token keeps people
from creating things twice by accident; it is no access control, and a second form opened on
purpose is a second thing on purpose. Claims are pruned after `KEEP_DAYS` by a daily job.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from typing import Any, Concatenate

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.models import UsedFormToken

FIELD = "form_token"
KEEP_DAYS = 30
_SALT = "peerpath.core.form-token"
_MARK = "peerpath_creates_once"


def _owner(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return str(user.pk) if user is not None and user.is_authenticated else "-"


def issue(request: HttpRequest) -> str:
    """A fresh token for one rendered form, bound to the person it is shown to."""
    return signing.Signer(salt=_SALT).sign(f"{_owner(request)}:{secrets.token_urlsafe(18)}")


def posted_nonce(request: HttpRequest) -> str | None:
    """The nonce of the token posted with this request, if it is genuine and was issued to this
    person; None for a missing, forged or someone else's token."""
    token = request.POST.get(FIELD, "") if request.method == "POST" else ""
    if not token:
        return None
    try:
        owner, _sep, nonce = signing.Signer(salt=_SALT).unsign(token).partition(":")
    except signing.BadSignature:
        return None
    return nonce if nonce and owner == _owner(request) else None


def creates_once[R: HttpRequest, **P](
    view: Callable[Concatenate[R, P], HttpResponse],
) -> Callable[Concatenate[R, P], HttpResponse]:
    """Make a create view idempotent per rendered form (see the module docstring).

    Put it under the access decorator, so only a permitted request reaches the claim. The view
    keeps its signature, typed request included.
    """

    @functools.wraps(view)
    def wrapper(request: R, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        nonce = posted_nonce(request)
        if nonce is None:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    UsedFormToken.objects.create(nonce=nonce)
            except IntegrityError:
                return _already_sent(request, nonce)
            response = view(request, *args, **kwargs)
            claim = UsedFormToken.objects.filter(nonce=nonce)
            if response.status_code >= 400:
                claim.delete()  # nothing was created: the corrected form may use the same token
            else:
                claim.update(result_url=_where_it_went(request, response)[:500])
        return response

    setattr(wrapper, _MARK, True)
    return wrapper


def is_create_view(view: Callable[..., Any]) -> bool:
    """Whether a view (through its decorators) is wrapped in `creates_once`."""
    seen: Any = view
    while seen is not None:
        if getattr(seen, _MARK, False):
            return True
        seen = getattr(seen, "__wrapped__", None)
    return False


def _where_it_went(request: HttpRequest, response: HttpResponse) -> str:
    location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
    return location or request.get_full_path()


def _already_sent(request: HttpRequest, nonce: str) -> HttpResponse:
    claim = UsedFormToken.objects.filter(nonce=nonce).first()
    messages.info(request, _("This form had already been sent, so nothing was added twice. Here is what it saved."))
    return HttpResponseRedirect(claim.result_url if claim and claim.result_url else request.get_full_path())


def prune(now: dt.datetime | None = None) -> int:
    """Forget claims older than KEEP_DAYS; returns how many were removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    deleted, _counts = UsedFormToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted
