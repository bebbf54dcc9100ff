"""Registries that let each app add to the shared shell without the shell importing it.

Apps register in their AppConfig.ready(): navigation links (shown when the current
membership may perform the link's action), grouped by task under one of the `GROUPS` below;
the sections of the one settings area (each app's settings page, listed on the settings index
and in the sub-navigation every settings page shares); and home-page panels (one function per
panel returning a template and its context, or None when it has nothing to show).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

type Label = str | Promise


@dataclass(frozen=True)
class NavGroup:
    """A heading of the navigation: the links for one kind of task."""

    key: str
    label: Label
    order: int


# The groups, in the order the menu shows them. A person sees a group only when they may
# follow at least one of its links.
MINE = NavGroup("mine", _("My work"), 10)
PEOPLE = NavGroup("people", _("People"), 20)
TRAINING = NavGroup("training", _("Training"), 30)
SUPPORT = NavGroup("support", _("Support"), 40)
CARE = NavGroup("care", _("Care"), 50)
REPORTS = NavGroup("reports", _("Reports"), 60)
SETUP = NavGroup("setup", _("Setup"), 70)
GROUPS: dict[str, NavGroup] = {group.key: group for group in (MINE, PEOPLE, TRAINING, SUPPORT, CARE, REPORTS, SETUP)}


@dataclass(frozen=True)
class NavLink:
    label: Label
    url_name: str
    action: str
    group: str
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    name: str
    render: Callable[[HttpRequest, Any, Any], tuple[str, dict[str, Any]] | None]
    order: int = 100
    # Kept rendered per person, program and data generation (`peerpath.core.generation`): only a
    # panel whose template needs nothing but ``program`` and ``ctx`` (no form token), and whose
    # render records nothing (no audited read), may be.
    cached: bool = False


NAV_LINKS: list[NavLink] = []
HOME_PANELS: list[HomePanel] = []


def register_nav(label: Label, url_name: str, action: str, *, group: str, order: int = 100) -> None:
    """Add a link to the navigation under ``group`` (a key of `GROUPS`), ordered within its
    group by ``order``; shown to those who may perform ``action``."""
    if group not in GROUPS:
        raise LookupError(f"Unknown navigation group {group!r}; use one of {sorted(GROUPS)}.")
    if not any(link.url_name == url_name for link in NAV_LINKS):
        NAV_LINKS.append(NavLink(label, url_name, action, group, order))
        NAV_LINKS.sort(key=lambda link: (GROUPS[link.group].order, link.order))


def grouped_links(may: Collection[str]) -> list[tuple[NavGroup, list[NavLink]]]:
    """The links a person who may perform the actions in ``may`` sees, under their groups, in
    menu order; groups with no such link are left out."""
    grouped: dict[str, list[NavLink]] = {}
    for link in NAV_LINKS:  # kept sorted by group, then order
        if link.action in may:
            grouped.setdefault(link.group, []).append(link)
    return [(GROUPS[key], links) for key, links in grouped.items()]


@dataclass(frozen=True)
class SettingsSection:
    """One page of the settings area: what it sets, and who may open it."""

    label: Label
    url_name: str
    action: str
    description: Label
    order: int = 100


SETTINGS_SECTIONS: list[SettingsSection] = []
# The settings index's URL name (the programs app registers it): a page of any section marks
# that navigation link as the current one.
SETTINGS_INDEX: list[str] = []


def register_settings_index(url_name: str) -> None:
    SETTINGS_INDEX[:] = [url_name]


def register_settings(label: Label, url_name: str, action: str, *, description: Label, order: int = 100) -> None:
    """Add an app's settings page to the settings area, shown to those who may perform ``action``."""
    if not any(section.url_name == url_name for section in SETTINGS_SECTIONS):
        SETTINGS_SECTIONS.append(SettingsSection(label, url_name, action, description, order))
        SETTINGS_SECTIONS.sort(key=lambda section: section.order)


def settings_sections(may: Collection[str]) -> list[SettingsSection]:
    """The settings sections a person who may perform the actions in ``may`` can open, in order."""
    return [section for section in SETTINGS_SECTIONS if section.action in may]


def register_home_panel(name: str, render: Callable[..., Any], order: int = 100, *, cached: bool = False) -> None:
    if not any(panel.name == name for panel in HOME_PANELS):
        HOME_PANELS.append(HomePanel(name, render, order, cached))
        HOME_PANELS.sort(key=lambda panel: panel.order)
