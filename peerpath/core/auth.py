"""Small pieces the login machinery needs."""

from __future__ import annotations

from django.http import HttpRequest

from peerpath.core.models import normalize_email


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """Lock out per account whatever case the address was typed in."""
    if credentials and credentials.get("username"):
        return normalize_email(credentials["username"])
    return normalize_email(request.POST.get("username", ""))
