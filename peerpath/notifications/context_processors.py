from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from peerpath.notifications.models import Notice


def unread(request: HttpRequest) -> dict[str, Any]:
    """The count on the menu's notifications link (counted only when a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notices": SimpleLazyObject(
            lambda: Notice.objects.filter(user=user, in_inbox=True, read_at__isnull=True).count()
        )
    }
