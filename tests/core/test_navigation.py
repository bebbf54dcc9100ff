"""The navigation registry: every link sits in a known task group, and each role sees its groups
in menu order with only the links it may follow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from peerpath.core.navigation import GROUPS, NAV_LINKS, grouped_links, register_nav, settings_sections
from peerpath.core.permissions import Role, allowed_actions


@dataclass
class Member:
    roles: set[Role]
    program: Any = None
    # The pathway stage recruitment's "not while in training" condition reads once per request
    # and keeps on the membership: none here, a supporter past training.
    _pathway_stage: Any = None


def menu(*roles: Role) -> dict[str, list[str]]:
    return {
        str(group.label): [str(link.label) for link in links]
        for group, links in grouped_links(allowed_actions(Member(set(roles))))
    }


def test_every_link_is_in_a_known_group_and_named_once() -> None:
    assert NAV_LINKS
    assert all(link.group in GROUPS for link in NAV_LINKS)
    names = [link.url_name for link in NAV_LINKS]
    assert len(names) == len(set(names))


def test_an_unknown_group_is_refused() -> None:
    with pytest.raises(LookupError, match="Unknown navigation group"):
        register_nav("Somewhere", "programs:home", "program.home", group="elsewhere")


def test_coordinator_sees_every_task_group_in_order() -> None:
    groups = menu(Role.COORDINATOR)
    assert list(groups) == ["My work", "People", "Training", "Support", "Care", "Reports", "Setup"]
    assert groups["People"] == ["Recruitment", "Supporters", "Former participants", "Members"]
    assert groups["Support"] == [
        "Participants",
        "Matching",
        "Needs attention",
        "Goal progress",
        "Groups",
        "Resource directory",
        "Concerns",
        "Participant feedback",
    ]
    assert groups["Reports"] == ["Reports", "Import & export", "Failed messages", "Audit log"]
    assert groups["Setup"] == ["Settings"]  # one settings area
    # No supporter's own pages (Events: the program's events everyone may RSVP to; the practice
    # lab, where every member may practise).
    assert groups["My work"] == ["Home", "Practice lab", "Events"]


def test_trainer_sees_teaching_and_no_support_or_setup() -> None:
    groups = menu(Role.TRAINER)
    assert list(groups) == ["My work", "Training", "Care"]
    assert groups["My work"] == ["Home", "My cohorts", "Practice lab", "Events"]
    assert groups["Training"] == [
        "Cohorts",
        "Curriculum",
        "Refreshers",
        "Training feedback",
        "Learning library",
        "Learning progress",
        "Practice reviews",
        "Practice scenarios",
        "Competencies",
        "Calendar",
    ]


def test_supervisor_sees_supervision_care_and_concerns() -> None:
    groups = menu(Role.SUPERVISOR)
    assert list(groups) == ["My work", "Training", "Support", "Care"]
    assert groups["My work"] == ["Home", "Supervision", "Practice lab", "Events"]
    assert groups["Training"] == ["Practice reviews", "Competencies", "Calendar"]
    assert groups["Support"] == ["Goal progress", "Resource directory", "Concerns"]
    assert groups["Care"] == ["Supporter care", "Care tasks", "Service hours", "Newsletters"]


def test_supporter_sees_their_own_work_first() -> None:
    groups = menu(Role.SUPPORTER)
    assert list(groups) == ["My work", "Training", "Support", "Care"]
    assert groups["Support"] == ["Resource directory"]
    assert groups["My work"] == [
        "Home",
        "My pathway",
        "My training",
        "My participants",
        "My groups",
        "My matching profile",
        "Continuing education",
        "My qualifications",
        "My credential",
        "My learning",
        "Practice lab",
        "My well-being",
        "My hours",
        "Events",
    ]
    assert groups["Training"] == ["Competencies", "Calendar"]


def test_a_person_with_two_roles_sees_both_menus_merged() -> None:
    groups = menu(Role.TRAINER, Role.SUPERVISOR)
    assert groups["My work"] == ["Home", "My cohorts", "Supervision", "Practice lab", "Events"]
    assert "Concerns" in groups["Support"] and "Cohorts" in groups["Training"]


@pytest.mark.django_db
def test_the_page_shows_the_groups_and_marks_the_current_link(world: Any) -> None:
    url = reverse("training:cohorts", args=[world.program.slug])
    html = world.client_for(world.coordinator).get(url).content.decode()
    assert '<nav class="program" aria-label="Program">' in html
    for label in ("People", "Training", "Support", "Care", "Reports", "Setup"):
        assert f">{label}</span>" in html
    assert f'<a href="{url}" aria-current="page">Cohorts</a>' in html
    assert html.count('aria-current="page"') == 1
    # A page under a link's address belongs to that link, never to Home alone.
    home = reverse("programs:home", args=[world.program.slug])
    html = world.client_for(world.supporter).get(home).content.decode()
    assert f'<a href="{home}" aria-current="page">Home</a>' in html
    assert ">People</span>" not in html


SETTINGS_PAGES = [
    ("Program details", "programs:settings"),
    ("Two-factor sign-in", "programs:second_factor_settings"),
    ("Screening", "recruitment:setup"),
    ("Certification rules", "certification:settings"),
    ("Continuing-education rule", "certification:ce_rule"),
    ("Initial credential", "credentials:setup"),
    ("Practice lab", "practice:settings"),
    ("Support", "support:settings"),
    ("Groups", "groups:settings"),
    ("Plans and needs", "plans:settings"),
    ("Participant feedback and outcomes", "voice:settings"),
    ("Supporter care", "care:settings"),
    ("Service hours", "hours:settings"),
    ("Retention", "programs:retention"),
    ("System health", "programs:system_health"),
    ("Undelivered e-mail", "programs:undelivered"),
]


def test_the_settings_area_has_every_apps_section_in_order_for_coordinators_only() -> None:
    coordinator = settings_sections(allowed_actions(Member({Role.COORDINATOR})))
    assert [(str(section.label), section.url_name) for section in coordinator] == SETTINGS_PAGES
    assert all(section.description for section in coordinator)
    for role in (Role.TRAINER, Role.SUPERVISOR, Role.SUPPORTER):
        assert settings_sections(allowed_actions(Member({role}))) == []


@pytest.mark.django_db
def test_the_settings_index_lists_the_sections(world: Any) -> None:
    index = reverse("programs:settings_index", args=[world.program.slug])
    assert index == "/p/riverside/settings/"  # the old address of the program's settings
    response = world.client_for(world.coordinator).get(index)
    assert response.status_code == 200
    html = response.content.decode()
    for label, name in SETTINGS_PAGES:
        assert f'<a href="{reverse(name, args=[world.program.slug])}">{label}</a>' in html
    assert f'<a href="{index}" aria-current="page">Settings</a>' in html
    assert world.client_for(world.supervisor).get(index).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name"), SETTINGS_PAGES)
def test_every_settings_page_shares_the_sections_and_is_in_the_settings_area(world: Any, label: str, name: str) -> None:
    url = reverse(name, args=[world.program.slug])
    html = world.client_for(world.coordinator).get(url).content.decode()
    index = reverse("programs:settings_index", args=[world.program.slug])
    assert '<nav aria-label="Settings">' in html
    assert f'<a href="{url}" aria-current="page">{label}</a>' in html
    for _other, other_name in SETTINGS_PAGES:
        assert f'href="{reverse(other_name, args=[world.program.slug])}"' in html
    # The program menu marks Settings, even for a page its app keeps elsewhere (/recruitment/setup/).
    assert f'<a href="{index}" aria-current="page">Settings</a>' in html
    assert html.count('aria-current="page"') == 2


@pytest.mark.django_db
def test_the_two_factor_section_saves_only_its_own_fields(world: Any) -> None:
    client = world.client_for(world.coordinator)
    url = reverse("programs:second_factor_settings", args=[world.program.slug])
    assert client.post(url, {"second_factor_for_trainers": "on"}).status_code == 302
    world.program.refresh_from_db()
    assert world.program.second_factor_for_trainers and world.program.name == "Riverside"
    details = reverse("programs:settings", args=[world.program.slug])
    assert client.post(details, {"name": "", "contact_email": "nope"}).status_code == 400
