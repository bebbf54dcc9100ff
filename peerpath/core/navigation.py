"""Registries that let each app add to the shared shell without the shell importing it.

Apps register in their AppConfig.ready(): navigation links (shown when the current
membership may perform the link's action) and home-page panels (one function per panel
returning a template and its context, or None when it has nothing to show).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    action: str
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    name: str
    render: Callable[[HttpRequest, Any, Any], tuple[str, dict[str, Any]] | None]
    order: int = 100


NAV_LINKS: list[NavLink] = []
HOME_PANELS: list[HomePanel] = []


def register_nav(label: str, url_name: str, action: str, order: int = 100) -> None:
    if not any(link.url_name == url_name for link in NAV_LINKS):
        NAV_LINKS.append(NavLink(label, url_name, action, order))
        NAV_LINKS.sort(key=lambda link: link.order)


def register_home_panel(name: str, render: Callable[..., Any], order: int = 100) -> None:
    if not any(panel.name == name for panel in HOME_PANELS):
        HOME_PANELS.append(HomePanel(name, render, order))
        HOME_PANELS.sort(key=lambda panel: panel.order)
