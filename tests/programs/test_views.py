from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from peerpath.core.models import AuditEntry, User
from peerpath.programs.models import Competency, FocusArea, Membership, Program

pytestmark = pytest.mark.django_db


def test_each_role_gets_a_home_page(world: Any) -> None:
    for user in (world.coordinator, world.trainer, world.supervisor, world.supporter):
        assert world.client_for(user).get("/p/riverside/").status_code == 200
    coordinator_home = world.client_for(world.coordinator).get("/p/riverside/").content.decode()
    assert "Recruitment" in coordinator_home and "Audit log" in coordinator_home


def test_settings_are_saved_and_audited(world: Any) -> None:
    client = world.client_for(world.coordinator)
    data = {
        "name": "Riverside Peers",
        "description": "",
        "population": "",
        "contact_email": "hi@r.org",
        "application_intro": "Welcome",
        "accepting_applications": "",
    }
    assert client.post("/p/riverside/settings/program/", data).status_code == 302
    program = Program.objects.get(slug="riverside")
    assert program.name == "Riverside Peers" and not program.accepting_applications
    entry = AuditEntry.objects.get(action="program.update")
    assert entry.changes["name"] == ["Riverside", "Riverside Peers"]


def test_bad_settings_change_nothing(world: Any) -> None:
    response = world.client_for(world.coordinator).post(
        "/p/riverside/settings/program/", {"name": "", "contact_email": "nope"}
    )
    assert "This field is required." in response.content.decode()
    assert Program.objects.get(slug="riverside").name == "Riverside"


def test_invite_a_new_member(world: Any) -> None:
    client = world.client_for(world.coordinator)
    response = client.post(
        "/p/riverside/members/",
        {"full_name": "Tess Trainer", "email": "Tess@Example.org", "roles": ["trainer", "supervisor"]},
    )
    assert response.status_code == 302
    user = User.objects.get(email="tess@example.org")
    membership = Membership.objects.get(user=user, program=world.program)
    assert membership.is_trainer and membership.is_supervisor and not membership.is_coordinator
    assert mail.outbox[-1].to == ["tess@example.org"]
    body = mail.outbox[-1].body
    link = re.search(r"http://testserver(/accounts/invitation/\S+)", body).group(1)
    # The e-mail says what happens next, for how long the link works and what to do after.
    assert "What happens next: once you have chosen your password you are logged in" in body
    assert "works once and for 3 days" in body and "http://testserver/accounts/login/" in body
    anonymous = world.client_for(None)
    form = anonymous.get(link).url
    assert "log in with your e-mail address and this password" in anonymous.get(form).content.decode()
    saved = anonymous.post(
        form, {"new_password1": "a fine password 9", "new_password2": "a fine password 9"}, follow=True
    )
    # Setting the password is confirmed on the page it lands on.
    assert "Your password is saved and you are logged in" in saved.content.decode()
    assert anonymous.get("/p/riverside/").status_code == 200
    # The link used again says so, and what to do, in place of Django's "Password reset unsuccessful".
    again = world.client_for(None).get(link, follow=True).content.decode()
    assert "This invitation was already used" in again and "unsuccessful" not in again
    assert 'href="/accounts/login/"' in again and 'href="/accounts/password-reset/"' in again


def test_a_used_password_reset_link_says_what_to_do(world: Any) -> None:
    page = world.client_for(None).get("/accounts/reset/MQ/set-password/").content.decode()
    assert "This link no longer works" in page and "unsuccessful" not in page
    assert 'href="/accounts/password-reset/"' in page


def test_invite_needs_a_role(world: Any) -> None:
    response = world.client_for(world.coordinator).post(
        "/p/riverside/members/", {"full_name": "X", "email": "x@example.org", "roles": []}
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


def test_adding_someone_from_another_program_tells_them(world: Any) -> None:
    world.client_for(world.coordinator).post(
        "/p/riverside/members/", {"full_name": "Olga", "email": world.outsider.email, "roles": ["supervisor"]}
    )
    assert "added to Riverside" in mail.outbox[-1].subject
    assert Membership.objects.filter(user=world.outsider).count() == 2


def test_change_roles_but_keep_a_coordinator(world: Any) -> None:
    client = world.client_for(world.coordinator)
    trainer = Membership.objects.get(user=world.trainer, program=world.program)
    client.post(f"/p/riverside/members/{trainer.pk}/", {"roles": ["trainer", "coordinator"], "is_active": "on"})
    trainer.refresh_from_db()
    assert trainer.is_coordinator
    mine = Membership.objects.get(user=world.coordinator, program=world.program)
    client.post(f"/p/riverside/members/{mine.pk}/", {"roles": ["supervisor"], "is_active": "on"})
    mine.refresh_from_db()
    assert mine.is_supervisor and not mine.is_coordinator
    # Now the former trainer is the last coordinator and cannot be removed.
    response = world.client_for(world.trainer).post(
        f"/p/riverside/members/{trainer.pk}/", {"roles": ["trainer"], "is_active": "on"}
    )
    assert "at least one active coordinator" in response.content.decode()
    trainer.refresh_from_db()
    assert trainer.is_coordinator


def test_another_programs_membership_is_404(world: Any) -> None:
    foreign = Membership.objects.get(user=world.outsider)
    assert world.client_for(world.coordinator).get(f"/p/riverside/members/{foreign.pk}/").status_code == 404


def test_competencies_default_and_edit(world: Any) -> None:
    assert Competency.objects.filter(program=world.program).count() == 10
    page = world.client_for(world.supporter).get("/p/riverside/competencies/").content.decode()
    assert "Follows a partnership approach" in page
    client = world.client_for(world.coordinator)
    response = client.post(
        "/p/riverside/competencies/new/", {"number": 11, "title": "Understands grief", "is_active": "on"}
    )
    assert response.status_code == 302
    clash = client.post("/p/riverside/competencies/new/", {"number": 11, "title": "Another", "is_active": "on"})
    assert clash.status_code == 200 and "already exists" in clash.content.decode()
    assert Competency.objects.filter(program=world.program).count() == 11
    eleven = Competency.objects.get(program=world.program, number=11)
    client.post(f"/p/riverside/competencies/{eleven.pk}/", {"number": 11, "title": "Understands grief and loss"})
    eleven.refresh_from_db()
    assert eleven.title == "Understands grief and loss" and not eleven.is_active
    foreign = Competency.objects.filter(program=world.other_program).first()
    assert client.get(f"/p/riverside/competencies/{foreign.pk}/").status_code == 404


def test_focus_areas(world: Any) -> None:
    client = world.client_for(world.coordinator)
    client.post("/p/riverside/areas/new/", {"name": "Grief", "position": 1, "is_active": "on"})
    clash = client.post("/p/riverside/areas/new/", {"name": "grief", "position": 2, "is_active": "on"})
    assert "is already one of the program" in clash.content.decode()
    assert FocusArea.objects.filter(program=world.program).count() == 1


def test_create_program_command_invites_the_first_coordinator(db: Any, capsys: Any) -> None:
    call_command("create_program", "Harbor Recovery Peers", "harbor-peers", "Lead@Example.org", "Lee Lead")
    program = Program.objects.get(slug="harbor-peers")
    assert Membership.objects.get(program=program, user__email="lead@example.org").is_coordinator
    assert Competency.objects.filter(program=program).count() == 10
    assert mail.outbox[-1].to == ["lead@example.org"]
    assert "/accounts/invitation/" in capsys.readouterr().out
