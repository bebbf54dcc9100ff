"""Walk the whole URL configuration: every view declares its access, and the declaration holds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from peerpath.core.permissions import ACTIONS, Role, access_of
from peerpath.programs.models import Membership

# The Django admin guards itself (staff login) and AdminForSuperusersOnly hides it from others.
SKIPPED_NAMESPACES = {"admin"}


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield prefix + str(entry.pattern), name, entry.callback


def project_views() -> list[tuple[str, str, Any]]:
    return [
        (route, name, view)
        for route, name, view in walk(get_resolver().url_patterns)
        if name.split(":")[0] not in SKIPPED_NAMESPACES and not route.startswith("admin/")
    ]


def concrete_path(route: str) -> str:
    """Fill a route's converters with plausible values (the objects need not exist)."""
    path = re.sub(r"<slug:program_slug>", "riverside", route)
    path = re.sub(r"<int:\w+>", "999999", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<(?:str|slug|path):?\w*>", "x", path)
    path = re.sub(r"<\w+>", "x", path)
    return "/" + path


def test_every_view_declares_its_access() -> None:
    undeclared = [f"{route} ({name})" for route, name, view in project_views() if access_of(view) is None]
    assert not undeclared, "Views without a permission declaration: " + ", ".join(undeclared)


def test_api_endpoints_live_under_the_api() -> None:
    for route, _name, view in project_views():
        if access_of(view)[0] == "api":
            assert route.startswith("api/v1/"), route


def test_every_program_view_names_a_known_action() -> None:
    for route, _name, view in project_views():
        kind, action = access_of(view)
        if kind == "program":
            assert action in ACTIONS, route
            assert "<slug:program_slug>" in route, f"{route} is a program view without a program in its URL"


def test_public_views_are_the_declared_few() -> None:
    public = sorted(name for _route, name, view in project_views() if access_of(view)[0] == "public")
    assert set(public) <= {
        "core:login",
        "core:logout",
        "core:password_reset",
        "core:password_reset_done",
        "core:password_reset_confirm",
        "core:password_reset_complete",
        "core:invitation",
        "core:health",
        "core:health_ready",
        # The language switch on the public pages (sets a cookie, nothing else).
        "core:set_language",
        "recruitment:apply",
        "recruitment:apply_thanks",
        # Calendar apps cannot log in: an unguessable, revocable per-person token is the key.
        "training:feed",
        # Anyone checks a certificate; the program's public key and issuer documents verify it.
        "certification:verify",
        "certification:jwks",
        "certification:issuer",
        "certification:achievement",
        # Supporter care: the signed one-click unsubscribe link in each newsletter e-mail.
        "care:unsubscribe",
        "support:request",
        "support:request_thanks",
        # Groups: the public listing (off by default) with its rate-limited request to join, and each
        # group's calendar feed (an unguessable token is the key, as for training's).
        "groups:public_groups",
        "groups:public_join",
        "groups:public_thanks",
        "groups:feed",
        # The participant's signed, single-use, expiring feedback link (no account).
        "voice:answer",
        # The text-message provider's webhooks: its request signature (X-Twilio-Signature) is the key.
        "notifications:sms_inbound",
        "notifications:sms_status",
        # Add each new public page here, deliberately.
    }, public


def program_routes() -> list[tuple[str, str, str]]:
    return [
        (route, name, access_of(view)[1])
        for route, name, view in project_views()
        if access_of(view) and access_of(view)[0] == "program"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "action"), program_routes())
def test_program_view_denies_anonymous_outsider_and_wrong_role(world: Any, route: str, name: str, action: str) -> None:
    path = concrete_path(route)
    anonymous = world.client_for(None).get(path)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], path

    outsider = world.client_for(world.outsider).get(path)
    assert outsider.status_code == 404, f"{path}: another program's coordinator got {outsider.status_code}"

    allowed = ACTIONS[action]
    for role in Role:
        if role in allowed:
            continue
        user = {
            Role.COORDINATOR: world.coordinator,
            Role.TRAINER: world.trainer,
            Role.SUPERVISOR: world.supervisor,
            Role.SUPPORTER: world.supporter,
        }[role]
        response = world.client_for(user).get(path)
        assert response.status_code == 403, f"{path}: a {role} got {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "action"), program_routes())
def test_program_view_hides_inactive_members(world: Any, route: str, name: str, action: str) -> None:
    Membership.objects.filter(user=world.coordinator).update(is_active=False)
    response = world.client_for(world.coordinator).get(concrete_path(route))
    assert response.status_code == 404
