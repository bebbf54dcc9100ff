"""API tokens expire at the end of the lifetime chosen at creation and are revoked when their
owner's password changes or one of their memberships ends (issue 11, item 9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from peerpath.api.models import ApiToken
from peerpath.api.tokens import DEFAULT_LIFETIME_DAYS, create_token, user_for_token
from peerpath.core.models import AuditEntry
from peerpath.core.permissions import Role
from peerpath.programs import services as programs
from tests.factories import MembershipFactory


def _me(secret: str) -> Any:
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


def test_a_token_expires_after_its_lifetime_with_a_json_401(world: Any) -> None:
    token, secret = create_token(actor=world.trainer, name="export")
    assert token.expires_at - token.created_at == dt.timedelta(days=DEFAULT_LIFETIME_DAYS)
    assert _me(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = _me(secret)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "expired" in response.json()["detail"]


def test_the_lifetime_is_chosen_on_the_page_and_shown(world: Any) -> None:
    client = world.client_for(world.trainer)
    response = client.post("/account/api-tokens/", {"name": "weekly", "lifetime_days": "7"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.trainer)
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    assert token.expires_at.strftime("%Y-%m-%d") in client.get("/account/api-tokens/").content.decode()
    refused = client.post("/account/api-tokens/", {"name": "forever", "lifetime_days": "36500"})
    assert refused.status_code == 400 and "lifetime_days" in refused.context["form"].errors
    assert ApiToken.objects.filter(user=world.trainer).count() == 1


def test_an_expired_token_is_marked_and_no_longer_counts(world: Any) -> None:
    token, _secret = create_token(actor=world.trainer, name="old", lifetime_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    token.refresh_from_db()
    assert not token.is_active
    page = world.client_for(world.trainer).get("/account/api-tokens/").content.decode()
    assert ">expired<" in page
    for _ in range(10):  # an expired token does not count towards the limit of active tokens
        create_token(actor=world.trainer, name="more")


def test_a_password_change_revokes_every_token(world: Any) -> None:
    _token, secret = create_token(actor=world.trainer, name="export")
    _other, other_secret = create_token(actor=world.coordinator, name="theirs")
    world.trainer.set_password("a brand new passphrase")
    world.trainer.save()
    assert _me(secret).status_code == 401
    assert user_for_token(secret) is None
    assert _me(other_secret).status_code == 200
    token = ApiToken.objects.get(user=world.trainer)
    assert token.revoked_because == ApiToken.RevokedBecause.PASSWORD_CHANGED
    assert AuditEntry.objects.filter(action="api_token.revoke", target_id=str(token.pk)).exists()


def test_a_password_reset_through_the_link_revokes_tokens(world: Any, client: Any) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _token, secret = create_token(actor=world.trainer, name="export")
    uid = urlsafe_base64_encode(force_bytes(world.trainer.pk))
    link = f"/accounts/reset/{uid}/{default_token_generator.make_token(world.trainer)}/"
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    password = "correct horse battery staple 7"
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    assert _me(secret).status_code == 401


def test_saving_a_user_without_a_password_change_keeps_tokens(world: Any) -> None:
    _token, secret = create_token(actor=world.trainer, name="export")
    world.trainer.full_name = "Theo T. Trainer"
    world.trainer.save()
    assert _me(secret).status_code == 200


def test_an_ended_membership_revokes_every_token(world: Any) -> None:
    _token, secret = create_token(actor=world.trainer, name="export")
    membership = world.trainer.memberships.get(program=world.program)
    programs.update_membership(actor=world.coordinator, membership=membership, roles={Role.TRAINER}, is_active=True)
    assert _me(secret).status_code == 200  # a role change is not an ending
    programs.update_membership(actor=world.coordinator, membership=membership, roles={Role.TRAINER}, is_active=False)
    assert _me(secret).status_code == 401
    token = ApiToken.objects.get(user=world.trainer)
    assert token.revoked_because == ApiToken.RevokedBecause.MEMBERSHIP_ENDED
    entry = AuditEntry.objects.get(action="api_token.revoke", target_id=str(token.pk))
    assert entry.actor == world.coordinator


def test_an_ended_membership_elsewhere_also_revokes(world: Any) -> None:
    MembershipFactory(program=world.other_program, user=world.trainer, is_trainer=True)
    _token, secret = create_token(actor=world.trainer, name="export")
    membership = world.trainer.memberships.get(program=world.other_program)
    programs.update_membership(actor=world.outsider, membership=membership, roles={Role.TRAINER}, is_active=False)
    assert _me(secret).status_code == 401
