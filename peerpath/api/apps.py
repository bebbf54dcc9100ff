from typing import Any

from django.apps import AppConfig


def _revoke_after_password_change(sender: Any, user: Any, **kwargs: Any) -> None:
    from peerpath.api import tokens
    from peerpath.api.models import ApiToken

    tokens.revoke_all_tokens(actor=tokens.PASSWORD_CHANGE, user=user, because=ApiToken.RevokedBecause.PASSWORD_CHANGED)


def _revoke_after_membership_ended(sender: Any, membership: Any, actor: Any, **kwargs: Any) -> None:
    from peerpath.api import tokens
    from peerpath.api.models import ApiToken

    tokens.revoke_all_tokens(actor=actor, user=membership.user, because=ApiToken.RevokedBecause.MEMBERSHIP_ENDED)


class ApiConfig(AppConfig):
    name = "peerpath.api"
    label = "api"

    def ready(self) -> None:
        from peerpath.core.signals import password_changed
        from peerpath.programs.signals import membership_ended

        # A token acts with its owner's password and roles: when either ends, so do the tokens.
        password_changed.connect(_revoke_after_password_change, dispatch_uid="api.revoke_after_password_change")
        membership_ended.connect(_revoke_after_membership_ended, dispatch_uid="api.revoke_after_membership_ended")
