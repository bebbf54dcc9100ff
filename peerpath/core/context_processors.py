from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from peerpath.core.navigation import NAV_LINKS
from peerpath.core.permissions import allowed_actions


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The current program and the links the current role may follow (the program switcher's
    list comes from peerpath.programs.context_processors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    program = getattr(request, "program", None)
    may = allowed_actions(membership) if membership else set()
    links = []
    if program is not None:
        for link in NAV_LINKS:
            if link.action in may:
                url = _program_url(get_script_prefix(), link.url_name, program.slug)
                links.append(
                    {
                        "label": link.label,
                        "url": url,
                        "current": request.path == url or (link.order > 0 and request.path.startswith(url)),
                    }
                )
    return {
        "current_program": program,
        "current_membership": membership,
        "may": may,
        "nav_links": links,
    }


@lru_cache(maxsize=4096)
def _program_url(prefix: str, url_name: str, slug: str) -> str:
    # Reversing every navigation link on every page was a measurable share of a page's time;
    # a link's address depends only on these three values.
    # ``prefix`` is part of the key only: reverse() reads the same script prefix itself.
    return reverse(url_name, args=[slug])
