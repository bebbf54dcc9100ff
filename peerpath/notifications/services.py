"""Telling a person something: one notice, then a delivery per channel they chose.

`notify` is the one way PeerPath tells people things. For each recipient it renders the kind's
templates in the recipient's language, keeps the notice (their inbox shows it when they chose
the app for that kind) and makes one delivery per other channel chosen: an e-mail is handed to
the outbox (`peerpath.core.outbox`: at least once, retried, Message-ID), a text is queued for
`peerpath.notifications.delivery`. Quiet hours hold e-mail and texts until they end; the digest
gathers e-mail into one a day; urgent kinds (a crisis) ignore both and page by text
(`peerpath.notifications.paging`). Idempotency: a sender's ``key`` makes at most one notice per
person, and each delivery's key (notice and channel) at most one delivery, so a task that runs
again never reaches anyone twice.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerpath.core import account_links, audit, encryption, mail, outbox
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.models import EmailStatus, User
from peerpath.notifications import kinds, sms
from peerpath.notifications.language import language_for
from peerpath.notifications.models import Channel, Delivery, DeliveryStatus, Notice, Preferences, TextRecipient

NOTIFICATIONS = SystemActor("PeerPath (notifications)")


def preferences_of(user: User) -> Preferences:
    """The person's choices (unsaved defaults when they never changed any)."""
    found = Preferences.objects.filter(user=user).first()
    return found if found is not None else Preferences(user=user)


def channels_for(preferences: Preferences, kind: kinds.Kind) -> set[str]:
    """The channels this person gets this kind on: their choice, else the kind's default.

    Rule: only channels the kind allows; text messages only while texts are switched on for the
    installation; an urgent kind always stays in the inbox."""
    chosen = preferences.channels.get(kind.key)
    result = set(chosen) & kind.allowed if isinstance(chosen, list) else set(kind.default)
    if not sms.enabled():
        result.discard(Channel.SMS)
    if kind.urgent:
        result.add(Channel.IN_APP)
    return result


def time_zone_of(preferences: Preferences) -> dt.tzinfo:
    """The person's own time zone, else the installation's (``PEERPATH_TIME_ZONE``)."""
    if preferences.time_zone:
        try:
            return zoneinfo.ZoneInfo(preferences.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def quiet_until(preferences: Preferences, at: dt.datetime) -> dt.datetime | None:
    """When the person's quiet hours end, if ``at`` falls inside them (read in the person's own
    time zone, `time_zone_of`); None outside them or without quiet hours. Hours may run over
    midnight (22:00-07:00); a night the clocks change still ends at 07:00 on the wall clock."""
    start, end = preferences.quiet_from, preferences.quiet_until
    if start is None or end is None or start == end:
        return None
    zone = time_zone_of(preferences)
    local = timezone.localtime(at, zone)
    now = local.time()
    if start < end:
        inside, day = start <= now < end, local.date()
    else:
        inside = now >= start or now < end
        day = local.date() + dt.timedelta(days=1) if now >= start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(day, end, tzinfo=zone)


def _render(name: str, context: Mapping[str, Any]) -> str:
    return render_to_string(name, dict(context))


def _render_line(template: str, context: Mapping[str, Any]) -> str:
    """The inbox line and text: ``<template>_text.txt``, else the e-mail's subject line."""
    return str(select_template([f"{template}_text.txt", f"{template}_subject.txt"]).render(dict(context)))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def text_message(text: str, url: str) -> str:
    """A text's body: the notice and, when there is one, the link to open."""
    return f"{text} {url}".strip() if url else text


@transaction.atomic
def notify(
    *,
    kind: str,
    users: Iterable[User | None],
    program: Any = None,
    context: Mapping[str, Any] | None = None,
    url: str = "",
    about: str = "",
    key: str = "",
    urgent: bool = False,
    template: str = "",
    reply_to: str = "",
) -> list[Notice]:
    """Tell each person (None, a supporter without an account, is skipped) about something.

    Rules: rendered in the recipient's language; one notice per person and ``key`` (a retried
    sender tells nobody twice); delivered on the channels the person chose for the kind (see
    the module docstring). ``urgent`` puts a notice of a calm kind first in the inbox (it
    pages nobody). ``template`` renders one message of a kind with several (a session moved,
    cancelled); ``reply_to`` is the e-mail's Reply-To. Returns the notices made."""
    the_kind = kinds.get(kind)
    template = template or the_kind.template
    people = [u for u in dict.fromkeys(users) if u is not None and u.is_active]
    if not people:
        return []
    choices = {p.user_id: p for p in Preferences.objects.filter(user__in=people)}
    now = timezone.now()
    link = mail.absolute_url(url) if url.startswith("/") else url
    made: list[Notice] = []
    for user in people:
        preferences = choices.get(user.pk) or Preferences(user=user)
        channels = channels_for(preferences, the_kind)
        with translation.override(language_for(user)):
            values = {**(context or {}), "program": program, "user": user, "url": link}
            text = _one_line(_render_line(template, values))[:300]
            values.setdefault("text", text)
            try:
                with transaction.atomic():
                    notice = Notice.objects.create(
                        user=user,
                        program=program,
                        kind=the_kind.key,
                        text=text,
                        url=url,
                        is_urgent=the_kind.urgent or urgent,
                        in_inbox=Channel.IN_APP in channels,
                        about=about,
                        key=key,
                        created_at=now,
                    )
            except IntegrityError:
                continue  # told already under this key
            made.append(notice)
            if mail.is_suppressed():
                continue
            if Channel.EMAIL in channels and user.email:
                subject = _one_line(_render(f"{template}_subject.txt", values))
                body = _render(f"{template}_body.txt", values)
                _email(notice, preferences, the_kind, subject, body, now, reply_to)
            if Channel.SMS in channels:
                if the_kind.urgent:
                    from peerpath.notifications import paging  # paging builds on this module

                    paging.start(notice=notice, preferences=preferences, now=now)
                else:
                    _text(notice, preferences, text_message(text, link), now)
    return made


def account_of(person: Any) -> User | None:
    """The account a person is reached through: a user, or a record's ``user`` (a supporter)."""
    user = person if isinstance(person, User) else getattr(person, "user", None)
    return user if isinstance(user, User) and user.is_active else None


def tell(
    *,
    kind: str,
    person: Any,
    program: Any,
    context: Mapping[str, Any] | None = None,
    url: str = "",
    key: str = "",
    about: str = "",
    template: str = "",
    reply_to: str = "",
) -> bool:
    """Tell one person, whoever they are: through `notify` when they have an account (their
    inbox, e-mail or text as they chose), else by e-mail to the record's address in the
    record's language through the same outbox (at least once, retried). Returns whether
    anything was sent (False: no account and no address, or told already under ``key``)."""
    user = account_of(person)
    if user is not None:
        made = notify(
            kind=kind,
            users=[user],
            program=program,
            context=context,
            url=url,
            key=key,
            about=about,
            template=template,
            reply_to=reply_to,
        )
        return bool(made)
    email = getattr(person, "email", "") or ""
    if not email:
        return False
    values = {**(context or {}), "program": program, "url": mail.absolute_url(url) if url.startswith("/") else url}
    mail.queue_email(
        to=email,
        template=template or kinds.get(kind).template,
        context=values,
        reply_to=reply_to,
        language=language_for(person),
    )
    return True


def _email(
    notice: Notice,
    preferences: Preferences,
    kind: kinds.Kind,
    subject: str,
    body: str,
    now: dt.datetime,
    reply_to: str = "",
) -> Delivery:
    delivery = Delivery(
        notice=notice,
        channel=Channel.EMAIL,
        key=f"{notice.pk}:email",
        subject=subject[:300],
        body=body,
        reply_to=reply_to[:254],
        program=notice.program,
        kind=notice.kind,
    )
    delivery.to = notice.user.email
    held = None if kind.urgent else quiet_until(preferences, now)
    if preferences.digest and not kind.urgent:
        delivery.status = DeliveryStatus.DIGEST
    elif held is not None:
        delivery.status, delivery.send_after = DeliveryStatus.HELD, held
    delivery.save()
    if delivery.status == DeliveryStatus.QUEUED:
        hand_to_outbox(delivery)
    return delivery


def hand_to_outbox(delivery: Delivery) -> None:
    """Hand an e-mail delivery to the outbox, once (in the caller's transaction)."""
    message = outbox.store(
        to=[delivery.to],
        subject=delivery.subject,
        body=delivery.body,
        program=delivery.program,
        reply_to=[delivery.reply_to] if delivery.reply_to else None,
    )
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, email=message, sent_at=timezone.now())


def _text(notice: Notice, preferences: Preferences, body: str, now: dt.datetime, key: str = "") -> Delivery:
    from peerpath.notifications import delivery as sending  # the delivery task builds on this module

    row = Delivery(
        notice=notice,
        program=notice.program,
        kind=notice.kind,
        channel=Channel.SMS,
        key=key or f"{notice.pk}:sms",
        body=body,
    )
    if not preferences.texts_allowed:
        row.status = DeliveryStatus.SKIPPED
        row.last_error = "No number, or texts not agreed to (or STOP was sent)."
        row.save()
        return row
    row.to = preferences.phone
    held = None if notice.is_urgent else quiet_until(preferences, now)
    if held is not None:
        row.status, row.send_after = DeliveryStatus.HELD, held
    row.save()
    if row.status == DeliveryStatus.QUEUED:
        sending.queue_text(row.pk)
    return row


def unread(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user, in_inbox=True, read_at__isnull=True)


def mark_read(*, actor: User, notices: QuerySet[Notice]) -> int:
    """Mark the person's own notices read (no audit entry: reading one's inbox changes nothing else)."""
    return notices.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


def mark_read_about(about: str, users: Iterable[User] | None = None) -> int:
    """Mark every unread notice about one thing read (a crisis acknowledged, an offer answered)."""
    rows = Notice.objects.filter(about=about, read_at__isnull=True)
    if users is not None:
        rows = rows.filter(user__in=list(users))
    return rows.update(read_at=timezone.now())


def normalise_phone(raw: str) -> str:
    """A phone number in E.164 ("+15551234567"); ValidationError when it is not a valid number.

    A number without a country code is read as one of ``PEERPATH_SMS_DEFAULT_REGION``."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, str(settings.SMS_DEFAULT_REGION))
    except phonenumbers.NumberParseException:
        raise ValidationError({"phone": _("Enter a phone number, with its country code if it is abroad.")}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError({"phone": _("This is not a valid phone number.")})
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


FIELDS = [
    "channels",
    "quiet_from",
    "quiet_until",
    "time_zone",
    "digest",
    "phone",
    "sms_opted_in_at",
    "sms_opted_out_at",
]


REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


def time_zone_choices() -> list[str]:
    """The IANA time zones a person may choose ("America/Chicago"), by region, then UTC (the
    old aliases such as "US/Central" or "EST5EDT" are left out; a stored one still works)."""
    return [*sorted(z for z in zoneinfo.available_timezones() if z.split("/")[0] in REGIONS), "UTC"]


def update_preferences(
    *,
    actor: User,
    channels: Mapping[str, list[str]],
    quiet_from: dt.time | None,
    quiet_until: dt.time | None,
    digest: bool,
    phone: str,
    texts: bool,
    time_zone: str | None = None,
) -> Preferences:
    """A person sets their own channels per kind, quiet hours (in their own time zone, blank for
    the installation's), digest and text-message number.

    Rules: only registered kinds and the channels each allows; quiet hours have both ends or
    neither; a time zone is one the installation knows (None leaves it as it is); texts need a
    valid number (kept in E.164) and the person's agreement, recorded with its time and source
    (this page); unticking it, or changing the number, is recorded too, and a changed number
    needs agreeing again."""
    known = {k.key: k for k in kinds.every_kind()}
    clean: dict[str, list[str]] = {}
    for key, chosen in channels.items():
        kind = known.get(key)
        if kind is None:
            raise ValidationError(_("Unknown kind of message."))
        if not set(chosen) <= kind.allowed:
            raise ValidationError({f"kind_{key}": _("Choose among the channels offered.")})
        clean[key] = sorted(set(chosen))
    if (quiet_from is None) != (quiet_until is None):
        raise ValidationError({"quiet_until": _("Give both ends of your quiet hours, or neither.")})
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": _("Choose one of the time zones offered.")})
    number = normalise_phone(phone)
    if texts and not number:
        raise ValidationError({"phone": _("Give the number texts should go to.")})
    now = timezone.now()
    with transaction.atomic():
        row, _created = Preferences.objects.select_for_update().get_or_create(user=actor)
        before = audit.snapshot(row, FIELDS)
        row.channels = clean
        row.quiet_from, row.quiet_until, row.digest = quiet_from, quiet_until, digest
        if time_zone is not None:
            row.time_zone = time_zone
        if number != row.phone:
            row.phone = number
            row.sms_opted_in_at = None
            row.sms_opt_in_source = ""
        if texts and not row.texts_allowed:
            row.sms_opted_in_at, row.sms_opt_in_source = now, "profile page"
        elif not texts and row.texts_allowed:
            row.sms_opted_out_at, row.sms_opt_out_source = now, "profile page"
        row.save()
        changes = audit.diff(before, audit.snapshot(row, FIELDS))
        if changes:
            audit.record(actor=actor, program=None, action="notifications.preferences", target=row, changes=changes)
    return row


def record_opt_out(*, actor: Actor, phone: str, source: str) -> int:
    """A number asked for no more texts (STOP, or the provider says it opted out): every person
    with that number stops getting texts, recorded with time and source. Returns how many."""
    return _set_texts(actor=actor, phone=phone, source=source, allow=False)


def record_opt_in(*, actor: Actor, phone: str, source: str) -> int:
    """A number that had agreed to texts and sent STOP asks for them again (START)."""
    return _set_texts(actor=actor, phone=phone, source=source, allow=True)


def _set_texts(*, actor: Actor, phone: str, source: str, allow: bool) -> int:
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for recipient in recipients_with(phone).select_for_update():
            if allow and (recipient.texts_allowed or recipient.opted_out_at is None):
                continue
            if not allow and not recipient.texts_allowed:
                continue
            if allow:
                recipient.opted_in_at, recipient.opt_in_source = now, source[:60]
            else:
                recipient.opted_out_at, recipient.opt_out_source = now, source[:60]
            recipient.save(update_fields=["opted_in_at", "opt_in_source", "opted_out_at", "opt_out_source"])
            audit.record(
                actor=actor,
                program=recipient.program,
                action="notifications.texts_on" if allow else "notifications.texts_off",
                target=recipient,
                target_label=recipient.label,
                note=source,
            )
            changed += 1
        for row in Preferences.objects.select_for_update().filter(phone=phone).exclude(phone=""):
            if allow and (row.texts_allowed or row.sms_opted_out_at is None):
                continue  # START from a number that never agreed on its page does not sign it up
            if not allow and not row.texts_allowed:
                continue
            if allow:
                row.sms_opted_in_at, row.sms_opt_in_source = now, source[:60]
            else:
                row.sms_opted_out_at, row.sms_opt_out_source = now, source[:60]
            row.save(update_fields=["sms_opted_in_at", "sms_opt_in_source", "sms_opted_out_at", "sms_opt_out_source"])
            audit.record(
                actor=actor,
                program=None,
                action="notifications.texts_on" if allow else "notifications.texts_off",
                target=row,
                note=source,
            )
            changed += 1
    return changed


# --- People without an account (participants) -----------------------------------------------


# A participant chose no quiet hours (they have no settings page): no texts between these hours,
# in the installation's time zone; what falls in them waits for the morning.
RECIPIENT_QUIET = (dt.time(21), dt.time(8))


def recipients_with(phone: str) -> QuerySet[TextRecipient]:
    """The recipients texting from ``phone`` (found by the number's blind-index digest)."""
    if not phone:
        return TextRecipient.objects.none()
    return TextRecipient.objects.filter(phone_digest__in=encryption.digests_any_key(phone))


def rebuild_phone_digests() -> int:
    """Every recipient's number digest under the newest key (`manage.py rotate_field_keys`)."""
    count = 0
    for row in TextRecipient.objects.only("pk", "phone").iterator(chunk_size=500):
        TextRecipient.objects.filter(pk=row.pk).update(phone_digest=encryption.digest(row.phone) if row.phone else "")
        count += 1
    return count


def recipient_for(owner: str) -> TextRecipient | None:
    return TextRecipient.objects.filter(owner=owner).first()


RECIPIENT_FIELDS = ["phone_digest", "language", "opted_in_at", "opt_in_source", "opted_out_at", "opt_out_source"]


def set_recipient_texts(
    *,
    actor: Actor,
    program: Any,
    owner: str,
    label: str,
    phone: str,
    language: str,
    agreed: bool,
    source: str,
) -> TextRecipient:
    """Record whether someone without an account (a participant) agreed to texts, at which
    number, when and how (``source``: "told their supporter by phone", "the request form").

    Rules: agreeing needs a valid number (kept in E.164, encrypted); a changed number needs
    agreeing again; withdrawing is recorded with its time and source, as a STOP is. Audited
    under the recipient's label, never their number."""
    number = normalise_phone(phone)
    if agreed and not number:
        raise ValidationError({"phone": _("Give the number texts should go to.")})
    source = " ".join(source.split())[:60]
    if agreed and not source:
        raise ValidationError({"source": _("Say how they agreed (on the phone, in person, on a form).")})
    now = timezone.now()
    with transaction.atomic():
        row, _created = TextRecipient.objects.select_for_update().get_or_create(
            owner=owner, defaults={"program": program, "label": label[:40]}
        )
        before = audit.snapshot(row, RECIPIENT_FIELDS)
        row.label, row.language = label[:40], language[:10]
        if number != row.phone:
            row.phone = number
            row.phone_digest = encryption.digest(number) if number else ""
            row.opted_in_at, row.opt_in_source = None, ""
        if agreed and not row.texts_allowed:
            row.opted_in_at, row.opt_in_source = now, source
        elif not agreed and row.texts_allowed:
            row.opted_out_at, row.opt_out_source = now, source or "withdrawn on the record"
        row.save()
        changes = audit.diff(before, audit.snapshot(row, RECIPIENT_FIELDS))
        if changes:
            audit.record(
                actor=actor,
                program=program,
                action="notifications.recipient_texts",
                target=row,
                target_label=row.label,
                changes={k: v for k, v in changes.items() if k != "phone_digest"},
                note="number changed" if "phone_digest" in changes else "",
            )
    return row


def text_recipient(
    *,
    owner: str,
    kind: str,
    template: str,
    context: Mapping[str, Any],
    key: str,
    link_kind: str = "",
    link_id: int | None = None,
    now: dt.datetime | None = None,
) -> Delivery | None:
    """Text someone without an account (a participant) who agreed to texts, in their language.

    Rules: nothing when they have not agreed, or sent STOP since; one delivery per ``key`` (a
    retried sender texts nobody twice); never at night: between `RECIPIENT_QUIET` hours (the
    installation's time zone) it is held until morning; a registered link (``link_kind``,
    ``link_id``) goes into the text as it is sent, so the stored body holds only its
    placeholder. The template (``<template>_text.txt``) names no health details and nobody's
    name but the supporter's."""
    from peerpath.notifications import delivery as sending  # the delivery task builds on this module

    recipient = recipient_for(owner)
    if recipient is None or not recipient.texts_allowed or mail.is_suppressed() or not sms.enabled():
        return None
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        values = {**context, "url": account_links.PLACEHOLDER if link_kind else context.get("url", "")}
        body = _one_line(_render(f"{template}_text.txt", values))
    with transaction.atomic():
        now = now or timezone.now()
        held = quiet_until(Preferences(quiet_from=RECIPIENT_QUIET[0], quiet_until=RECIPIENT_QUIET[1]), now)
        try:
            with transaction.atomic():
                row = Delivery.objects.create(
                    recipient=recipient,
                    program=recipient.program,
                    kind=kind,
                    channel=Channel.SMS,
                    key=f"recipient:{key}"[:220],
                    body=body,
                    link_kind=link_kind,
                    link_id=link_id,
                    status=DeliveryStatus.HELD if held else DeliveryStatus.QUEUED,
                    send_after=held,
                    created_at=now,
                )
        except IntegrityError:
            return None  # texted already under this key
        if held is None:
            sending.queue_text(row.pk)
    return row


# --- Messages that could not be delivered -----------------------------------------------------


def retry_delivery(*, actor: User, delivery: Delivery) -> Delivery:
    """A coordinator sends a failed message again: a text gets a fresh set of attempts (the same
    delivery, so it still reaches the person at most once more), an undelivered e-mail goes back
    to the outbox (`outbox.resend`, the same Message-ID).

    Rules: only a text that failed, or an e-mail the outbox could not deliver; a text still
    honours STOP and a changed number when it is sent. Audited."""
    from peerpath.notifications import delivery as sending  # the delivery task builds on this module

    if delivery.channel == Channel.EMAIL:
        if delivery.email is None or delivery.email.status != EmailStatus.UNDELIVERED:
            raise ValidationError(_("Only a message that could not be delivered can be sent again."))
        outbox.resend(actor=actor, message=delivery.email)
        return delivery
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.FAILED:
            raise ValidationError(_("Only a message that could not be delivered can be sent again."))
        before = audit.snapshot(locked, ["status", "attempts"])
        locked.status, locked.attempts, locked.send_after = DeliveryStatus.QUEUED, 0, None
        locked.save(update_fields=["status", "attempts", "send_after"])
        audit.record(
            actor=actor,
            program=locked.program,
            action="notifications.retry",
            target=locked,
            target_label=kinds.label_of(locked.kind),
            changes=audit.diff(before, audit.snapshot(locked, ["status", "attempts"])),
            note=f"Last error: {locked.last_error}"[:500],
        )
        sending.queue_text(locked.pk)
    return locked
