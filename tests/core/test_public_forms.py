"""No anonymous input rewrites a record that is already held.

Every public page is posted to with data that collides with existing people (the same e-mail
address in another case, someone else's name and phone); afterwards every row that existed
before is unchanged, and no many-to-many link was added to or taken from one. New rows (an
application to review, a new request, the audit entry) are what anonymous input may create.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from peerpath.core.permissions import access_of
from peerpath.programs.models import FocusArea
from peerpath.support.defaults import get_settings
from tests.core.test_url_permissions import concrete_path, project_views
from tests.fixtures import SupportWorld

pytestmark = pytest.mark.django_db


def public_routes() -> list[tuple[str, str]]:
    return sorted((name, route) for route, name, view in project_views() if access_of(view)[0] == "public")


def snapshot() -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every table, by primary key (encrypted fields as their plain values)."""
    rows: dict[str, dict[Any, dict[str, Any]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = {row[model._meta.pk.attname]: row for row in model._default_manager.values(*names)}
    return rows


def through_tables() -> dict[str, tuple[str, str]]:
    """Each many-to-many link table: the table of the records it links from, and its column."""
    return {
        field.remote_field.through._meta.label: (model._meta.label, field.m2m_column_name())
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    }


def links_of_existing(rows: dict[Any, dict[str, Any]], column: str, existing: set[Any]) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in rows.values() if r[column] in existing)


def colliding(s: SupportWorld) -> dict[str, Any]:
    """What an impostor types: an existing supporter's and participant's e-mail, other details."""
    chronic, _ = FocusArea.objects.get_or_create(program=s.program, name="Chronic pain")
    return {
        "full_name": "Ivan Impostor",
        "email": s.priya.email.upper(),
        "username": s.supporter.email.upper(),
        "password": "not the password",
        "phone": "555-9999",
        "preferred_contact": "phone",
        "languages": "Klingon",
        "focus_areas": [chronic.pk],
        "motivation": "Let me in.",
        "availability": "Always",
        "source": "flyer",
        "consent_to_contact": "on",
        "consent_given": "on",
        "intake_notes": "I am someone else.",
        "new_password1": "an entirely new password 1",
        "new_password2": "an entirely new password 1",
        "action": "unsubscribe",
    }


PAYLOADS: dict[str, Callable[[SupportWorld], list[dict[str, Any]]]] = {
    # The participant's e-mail as well as the supporter's: the request form must create, never merge.
    "support:request": lambda s: [
        colliding(s),
        {**colliding(s), "email": s.ana.email.upper(), "full_name": "Ana Impostor"},
    ],
    "core:password_reset": lambda s: [{"email": s.supporter.email.upper()}],
}


@pytest.mark.parametrize(("name", "route"), public_routes())
def test_anonymous_posts_never_change_existing_rows(support: SupportWorld, name: str, route: str) -> None:
    settings_row = get_settings(support.program)
    settings_row.requests_open = True
    settings_row.save()
    payloads = PAYLOADS.get(name, lambda s: [colliding(s)])(support)
    before = snapshot()
    links = through_tables()
    for payload in payloads:
        Client().post(concrete_path(route), payload)
    after = snapshot()
    changed = []
    for table, rows in before.items():
        if table in links:
            owner, column = links[table]
            existing = set(before[owner])
            if links_of_existing(after[table], column, existing) != links_of_existing(rows, column, existing):
                changed.append(f"{table}: links of an existing {owner} added or removed")
            continue
        for pk, row in rows.items():
            if after[table].get(pk) != row:
                diff = {k: (v, (after[table].get(pk) or {}).get(k)) for k, v in row.items()}
                changed.append(f"{table}#{pk}: { ({k: d for k, d in diff.items() if d[0] != d[1]}) }")
    assert not changed, f"POST {concrete_path(route)} changed existing rows:\n" + "\n".join(changed)


def test_the_collision_walk_covers_the_forms_that_write(support: SupportWorld) -> None:
    """The walk above reaches the public forms that store input (it would pass vacuously on 404s)."""
    get_settings(support.program).__class__.objects.filter(program=support.program).update(requests_open=True)
    names = {name for name, _route in public_routes()}
    assert {"recruitment:apply", "support:request", "core:login", "core:password_reset"} <= names
    assert Client().get(concrete_path(dict(public_routes())["recruitment:apply"])).status_code == 200
    assert Client().get(concrete_path(dict(public_routes())["support:request"])).status_code == 200


def test_snapshot_sees_a_changed_row(support: SupportWorld) -> None:
    before = snapshot()
    support.priya.phone = "555-0000"
    support.priya.save()
    assert snapshot()["recruitment.Supporter"][support.priya.pk] != before["recruitment.Supporter"][support.priya.pk]
