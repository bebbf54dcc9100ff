"""Sections higher apps add to the support relationship page, without support importing them.

An app registers a ``render(request, program, relationship)`` in its ``AppConfig.ready()``; it
returns ``(template, context)`` or None (nothing to show this reader). The page has already
checked that the reader may see the relationship; each section applies its own rules on top.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Render = Callable[[Any, Any, Any], tuple[str, dict[str, Any]] | None]


@dataclass(frozen=True)
class Section:
    name: str
    render: Render
    order: int = 100


RELATIONSHIP_SECTIONS: list[Section] = []


def register_relationship_section(name: str, render: Render, order: int = 100) -> None:
    if not any(section.name == name for section in RELATIONSHIP_SECTIONS):
        RELATIONSHIP_SECTIONS.append(Section(name, render, order))
        RELATIONSHIP_SECTIONS.sort(key=lambda section: section.order)


def relationship_sections(request: Any, program: Any, relationship: Any) -> list[dict[str, Any]]:
    """The registered sections this reader sees on the relationship page, in order."""
    shown = []
    for section in RELATIONSHIP_SECTIONS:
        rendered = section.render(request, program, relationship)
        if rendered is not None:
            shown.append({"name": section.name, "template": rendered[0], "context": rendered[1]})
    return shown
