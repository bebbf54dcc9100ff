"""``{% settings_sections as sections %}``: the settings area's sections the current person may
open (the shared sub-navigation of every settings page, and the settings index)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from peerpath.core.navigation import SETTINGS_INDEX
from peerpath.core.navigation import settings_sections as sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def settings_sections(context: Any) -> list[dict[str, Any]]:
    program = context.get("current_program")
    request = context.get("request")
    if program is None or request is None:
        return []
    path = request.path
    found = []
    for section in sections_for(context.get("may") or set()):
        url = reverse(section.url_name, args=[program.slug])
        found.append(
            {"label": section.label, "url": url, "description": section.description, "current": path.startswith(url)}
        )
    return found


@register.simple_tag(takes_context=True)
def settings_index_url(context: Any) -> str:
    program = context.get("current_program")
    if program is None or not SETTINGS_INDEX:
        return ""
    return reverse(SETTINGS_INDEX[0], args=[program.slug])
