"""Two-factor sign-in: an authenticator app (TOTP) and recovery codes, with django-otp.

Who must use it is a per-program rule core does not know: the programs app registers it with
``register_requirement`` in its ``AppConfig.ready()`` (a person holding a role that a program
they work in requires it for). Anyone who set it up uses it at every sign-in, required or not.

Whether a signed-in person must still pass the second factor is decided once per session, at
sign-in (``remember_requirement``, on ``user_logged_in``), and kept in the session; the
``RequireSecondFactor`` middleware sends such a person to enter a code, or to set the app up
first, before any other page. The verified device is kept in the session by django-otp
(``OTPMiddleware``); a device removed by a coordinator's reset unverifies every session it
verified.

The state changes here are services: keyword-only, ``actor`` first, in a transaction, audited.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from reportlab.graphics.barcode.qr import QrCodeWidget

from peerpath.core import audit
from peerpath.core.models import User

RECOVERY_CODE_COUNT = 10
# Session keys: whether this session must still pass the second factor; recovery codes waiting
# to be shown (once) on the next page.
REQUIRED_KEY = "_second_factor_required"
CODES_KEY = "_recovery_codes_to_show"
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

_requirements: list[Callable[[int], bool]] = []


def register_requirement(rule: Callable[[int], bool]) -> None:
    """Add a rule (user id -> must use two-factor sign-in). Any rule saying yes makes it required."""
    if rule not in _requirements:
        _requirements.append(rule)


def is_required(user: User) -> bool:
    """Whether a role this person holds requires two-factor sign-in (the registered rules)."""
    return any(rule(user.pk) for rule in _requirements)


def app_device(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def must_verify(user: User) -> bool:
    """Whether signing in takes a second factor: required by a role, or set up voluntarily."""
    return is_required(user) or is_enrolled(user)


@receiver(user_logged_in, dispatch_uid="core.second_factor.remember_requirement")
def remember_requirement(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """At sign-in, note in the session whether this person must still pass the second factor."""
    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED_KEY] = must_verify(user)


def secret_text(device: TOTPDevice) -> str:
    """The device's secret as people type it into an app: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_url(device: TOTPDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return str(device.config_url)


def qr_svg(text: str, *, label: str) -> SafeString:
    """``text`` as an inline SVG QR code, drawn from reportlab's QR encoder (the one the
    certificates' verification codes use). One path of dark runs: a few kilobytes, no image file."""
    widget = QrCodeWidget(text, barLevel="M")
    widget.qr.make()
    modules = widget.qr.modules
    size = len(modules)
    runs = []
    for row, cells in enumerate(modules):
        col = 0
        while col < size:
            if cells[col]:
                start = col
                while col < size and cells[col]:
                    col += 1
                runs.append(f"M{start + 4} {row + 4}h{col - start}v1h-{col - start}z")
            else:
                col += 1
    side = size + 8  # a quiet zone of four modules on each side
    return format_html(
        '<svg class="qr" role="img" aria-label="{}" viewBox="0 0 {} {}" width="220" height="220" '
        'xmlns="http://www.w3.org/2000/svg"><rect width="{}" height="{}" fill="#fff"/><path d="{}" fill="#000"/></svg>',
        label,
        side,
        side,
        side,
        side,
        "".join(runs),
    )


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def start_setup(*, actor: User) -> TOTPDevice:
    """The authenticator app being set up: a new secret, kept (unconfirmed, so not yet used at
    sign-in) until the person types a code from it; reloading the page keeps the same secret."""
    with transaction.atomic():
        pending = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
        if pending is None:
            pending = TOTPDevice.objects.create(user=actor, name=APP_NAME, confirmed=False)
    return pending


def confirm_setup(*, actor: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app being set up with a code from it and return fresh recovery codes.

    Rules: the code must come from the secret being set up (a wrong or reused code changes
    nothing); confirming replaces any app and recovery codes set up before.
    """
    pending = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if pending is None:
        raise ValidationError({"code": _("Start again: open the set-up page to get a new secret.")})
    allowed, _details = pending.verify_is_allowed()
    if not allowed:
        raise ValidationError({"code": _("Too many wrong codes in a row: wait a few seconds, then try again.")})
    with transaction.atomic():
        if django_otp.verify_token(actor, pending.persistent_id, code.replace(" ", "")) is None:
            raise ValidationError({"code": _("That code does not match. Check the time on your phone and try again.")})
        TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
        pending.refresh_from_db()
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(actor)
        audit.record(actor=actor, program=None, action="two_factor.enrol", target=actor)
    return pending, codes


def replace_recovery_codes(*, actor: User) -> list[str]:
    """New recovery codes for a person who set up the app; the old ones stop working."""
    if not is_enrolled(actor):
        raise ValidationError(_("Set up an authenticator app first."))
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        audit.record(actor=actor, program=None, action="two_factor.recovery_codes", target=actor)
    return codes


def verify(*, actor: User, code: str) -> Any:
    """Check a code at sign-in: one from the app, or else an unused recovery code (used up by
    this). Returns the device that accepted it, or raises ValidationError. django-otp slows down
    repeated wrong codes per device."""
    code = code.strip().replace(" ", "").lower()
    # Six digits come from the app; anything else is tried as a recovery code. Each device counts
    # its own wrong codes, so a mistyped app code does not slow down a recovery code.
    if code.isdigit():
        devices: list[Any] = [d for d in [app_device(actor)] if d]
    else:
        devices = list(StaticDevice.objects.filter(user=actor, confirmed=True))
    if devices and not any(d.verify_is_allowed()[0] for d in devices):
        raise ValidationError({"code": _("Too many wrong codes in a row: wait a few seconds, then try again.")})
    for device in devices:
        if django_otp.verify_token(actor, device.persistent_id, code) is not None:
            if isinstance(device, StaticDevice):
                with transaction.atomic():
                    audit.record(
                        actor=actor,
                        program=None,
                        action="two_factor.recovery_code_used",
                        target=actor,
                        note=_("%(left)d recovery codes left") % {"left": recovery_codes_left(actor)},
                    )
            return device
    raise ValidationError({"code": _("That code does not match.")})


def turn_off(*, actor: User) -> None:
    """Remove one's own app and recovery codes. Rule: not while a role requires two-factor sign-in."""
    if is_required(actor):
        raise ValidationError(_("A program you work in requires two-factor sign-in for your role."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        StaticDevice.objects.filter(user=actor).delete()
        audit.record(actor=actor, program=None, action="two_factor.turn_off", target=actor)


def reset(*, actor: User, person: User, program: Any) -> None:
    """A coordinator removes a locked-out person's app and recovery codes (a lost phone).

    The person signs in with their password and, where a role requires it, sets up an app again
    before anything else; sessions the old app verified stop being verified. Audited in the
    coordinator's program.
    """
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=person).delete()[0] + StaticDevice.objects.filter(user=person).delete()[0]
        audit.record(
            actor=actor,
            program=program,
            action="two_factor.reset",
            target=person,
            changes={"two_factor": ["set up" if had else "not set up", "removed"]},
        )


def is_verified(user: Any) -> bool:
    """Whether this request's session passed the second factor (set by django-otp's middleware)."""
    return getattr(user, "otp_device", None) is not None


def sign_in(request: HttpRequest, device: Any) -> None:
    """Mark the session verified by ``device`` (a new session key: the session gained rights)."""
    django_otp.login(request, device)
    request.session.cycle_key()


# Pages a person who still owes the second factor may open: the two-factor pages themselves,
# logging out, and what those pages load.
_OPEN_PREFIXES = ("/account/two-factor/", "/accounts/logout/", "/health/")


class RequireSecondFactor:
    """Before any other page, send a signed-in person who must still pass the second factor to
    enter a code, or to set up an app first when they have none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(_OPEN_PREFIXES) or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        required = session.get(REQUIRED_KEY)
        if required is None:  # a session that began before this rule existed
            required = session[REQUIRED_KEY] = must_verify(user)
        if not required or is_verified(user):
            return self.get_response(request)
        target = "core:second_factor_verify" if is_enrolled(user) else "core:second_factor_setup"
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
