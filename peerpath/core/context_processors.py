from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from peerpath.core.navigation import SETTINGS_INDEX, grouped_links, settings_sections
from peerpath.core.permissions import allowed_actions


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The current program and the links the current role may follow, under their groups
    (the program switcher's list comes from peerpath.programs.context_processors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    program = getattr(request, "program", None)
    may = allowed_actions(membership) if membership else set()
    groups: list[dict[str, Any]] = []
    if program is not None:
        prefix = get_script_prefix()
        for group, links in grouped_links(may):
            entries = [
                {"label": link.label, "url": _program_url(prefix, link.url_name, program.slug), "name": link.url_name}
                for link in links
            ]
            groups.append({"key": group.key, "label": group.label, "links": entries})
        every = [entry for group_entry in groups for entry in group_entry["links"]]
        # A settings page belongs to the settings area wherever its app keeps it
        # (screening set-up under /recruitment/setup/ is not under "Recruitment").
        sections = [_program_url(prefix, section.url_name, program.slug) for section in settings_sections(may)]
        if SETTINGS_INDEX and any(request.path.startswith(url) for url in sections):
            for entry in every:
                entry["current"] = entry["name"] == SETTINGS_INDEX[0]
        else:
            _mark_current(request.path, every)
    return {
        "current_program": program,
        "current_membership": membership,
        "may": may,
        "nav_groups": groups,
    }


def _mark_current(path: str, entries: list[dict[str, Any]]) -> None:
    """Mark the one link the page belongs to: its own address, or else the longest link address
    the page's address starts with (a cohort's page under "Cohorts"), never the home page's alone."""
    home = min((entry["url"] for entry in entries), key=len, default="")
    best: dict[str, Any] | None = None
    for entry in entries:
        url = entry["url"]
        entry["current"] = False
        if path == url:
            best = entry
            break
        if url != home and path.startswith(url) and (best is None or len(url) > len(best["url"])):
            best = entry
    if best is not None:
        best["current"] = True


@lru_cache(maxsize=4096)
def _program_url(prefix: str, url_name: str, slug: str) -> str:
    # Reversing every navigation link on every page was a measurable share of a page's time;
    # a link's address depends only on these three values.
    # ``prefix`` is part of the key only: reverse() reads the same script prefix itself.
    return reverse(url_name, args=[slug])
