"""Who is asking, and how often: the client address every limit keys on, and the public-form limit.

One setting, ``PEERPATH_PROXY_COUNT`` (``settings.PROXY_COUNT``), says how many reverse proxies
stand in front of PeerPath. ``client_address`` reads the address they recorded, and it is the
only place anything reads a client address: django-ratelimit's ``ip`` key
(``RATELIMIT_IP_META_KEY``) and django-axes (``AXES_CLIENT_IP_CALLABLE``) both call it. Behind a
proxy the raw ``REMOTE_ADDR`` is the proxy's, shared by everyone; a client can write anything
into ``X-Forwarded-For``, so only the entries the trusted proxies appended are believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of the person making the request.

    With no proxy (``PROXY_COUNT`` 0) it is the connection's address. With N proxies, each
    appends the address it received the request from to ``X-Forwarded-For``, so the client is the
    N-th entry from the right; entries further left were written by the client and are ignored.
    A header with fewer entries than proxies (the request did not come through them all) or an
    entry that is not an address falls back to the connection's address.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count and (address := _valid(forwarded[-count])):
            return address
    return _valid(remote) or remote


def _public_form_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_FORM_RATE


def _usage(request: HttpRequest, group: str, *, increment: bool) -> dict[str, Any] | None:
    usage: dict[str, Any] | None = get_usage(
        request, group=group, key="ip", rate=_public_form_rate, method="POST", increment=increment
    )
    return usage


def limit_accepted_submissions(group: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit an anonymous form to ``PEERPATH_PUBLIC_FORM_RATE`` accepted submissions per client
    address (``client_address``).

    Only a submission the view accepted counts: a POST it answered with a redirect (the form was
    valid and saved). A person correcting a form with errors is never refused for it. Once the
    address has reached the limit, every POST is answered 429 until the window passes.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                usage = _usage(request, group, increment=False)
                if usage is not None and usage["count"] >= usage["limit"]:
                    return render(request, "core/rate_limited.html", status=429)
            response = view(request, *args, **kwargs)
            if request.method == "POST" and 300 <= response.status_code < 400:
                _usage(request, group, increment=True)
            return response

        return limited

    return decorator
