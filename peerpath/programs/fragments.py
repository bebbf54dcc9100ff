"""The home page's expensive panels, kept rendered per person and data generation.

A panel registered with ``cached=True`` (`peerpath.core.navigation.register_home_panel`) is
rendered once and kept under a key naming the program, the person, their membership and roles,
the language, the time zone, the day and the program's data generation
(`peerpath.core.generation`): one person's panels are never served to another, and any change
to the program's records (or a write anywhere) makes the next view compute them again. The
panels of one page are kept together, so a repeated home page reads them in one cache call.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from peerpath.core import generation
from peerpath.core.navigation import HomePanel
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program

ROLE_FIELDS = ("is_coordinator", "is_trainer", "is_supervisor", "is_supporter", "is_active")


def key_for(request: ProgramRequest, program: Program) -> str:
    """The cache key of this person's home panels in ``program`` as of now."""
    membership = request.membership
    roles = "".join("1" if getattr(membership, field, False) else "0" for field in ROLE_FIELDS)
    parts = [
        str(program.pk),
        str(request.user.pk),
        str(getattr(membership, "pk", "")),
        roles,
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        generation.current(program.pk),
    ]
    return "home-panels:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def enabled() -> bool:
    return settings.FRAGMENT_CACHE_SECONDS > 0


def kept_panels(request: ProgramRequest, program: Program, panels: list[HomePanel]) -> dict[str, str]:
    """The panels kept for this person as of now (name -> HTML, "" for a panel not shown)."""
    if not enabled() or not panels:
        return {}
    key = key_for(request, program)
    request.home_panels_key = key  # type: ignore[attr-defined]
    found = cache.get(key)
    if not isinstance(found, dict):
        return {}
    return {name: mark_safe(html) for name, html in found.items()}  # noqa: S308 - rendered by our templates


def render_panel(request: ProgramRequest, program: Program, panel: HomePanel) -> SafeString | str:
    """The panel's HTML ("" when it has nothing to show this person)."""
    rendered = panel.render(request, program, request.membership)
    if rendered is None:
        return ""
    template, context = rendered
    return get_template(template).render({"program": program, "ctx": context})


def keep_panels(request: ProgramRequest, program: Program, panels: dict[str, str]) -> None:
    """Keep what this view rendered, under the key read at its start (the generation it began in)."""
    key = getattr(request, "home_panels_key", None)
    if not enabled() or key is None or not panels:
        return
    cache.set(key, {name: str(html) for name, html in panels.items()}, timeout=settings.FRAGMENT_CACHE_SECONDS)
