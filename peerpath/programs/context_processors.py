from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from peerpath.programs.access import current_memberships


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The program switcher: the logged-in person's current memberships, on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_memberships": current_memberships(user.pk)}
