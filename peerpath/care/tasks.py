"""Background work of supporter care: break dates, check-in reminders, weekly digests, newsletters."""

from __future__ import annotations

from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care import queries
from peerpath.care.lifecycle import NEWSLETTER
from peerpath.care.models import Newsletter, NewsletterDelivery, NewsletterStatus, ReminderLog
from peerpath.care.services import breaks, newsletters
from peerpath.care.services import common as care_common
from peerpath.core.mail import absolute_url
from peerpath.core.permissions import Role
from peerpath.notifications.services import notify, tell
from peerpath.programs.models import Membership, Program

UNSUBSCRIBE_SALT = "care.newsletter.unsubscribe"


@task()
def apply_break_dates() -> list[int]:
    """Start breaks whose first day has come and end those whose last day has passed."""
    started, ended = breaks.apply_break_dates()
    return [started, ended]


@task()
def send_checkin_reminders() -> int:
    """E-mail each supporter whose check-in is due, once per due date."""
    sent = 0
    today = timezone.localdate()
    for program in Program.objects.filter(is_active=True):
        settings = care_common.get_settings(program)
        if not settings.checkin_reminders:
            continue
        for row in queries.reminders_due(program, settings, today):
            supporter = row.supporter
            if not supporter.email or supporter.user_id is None or row.checkin_due is None:
                continue
            try:
                with transaction.atomic():
                    log = ReminderLog.objects.create(
                        supporter=supporter, kind="checkin", key=row.checkin_due.isoformat()
                    )
                    tell(
                        kind="care.checkin",
                        person=supporter,
                        program=program,
                        context={"supporter": supporter, "row": row},
                        url=reverse("care:checkin", args=[program.slug]),
                        key=f"care.checkin_reminder:{log.pk}",
                        reply_to=program.contact_email,
                    )
                    sent += 1
            except IntegrityError:
                continue  # already reminded for this due date
    return sent


@task()
def send_weekly_digests() -> int:
    """E-mail each supervisor what needs them this week (nothing is sent when nothing does)."""
    sent = 0
    today = timezone.localdate()
    for program in Program.objects.filter(is_active=True):
        settings = care_common.get_settings(program)
        if not settings.weekly_digest:
            continue
        supervisors = Membership.objects.filter(program=program).with_role(Role.SUPERVISOR).select_related("user")
        for membership in supervisors:
            digest = queries.digest_for(program, membership.user, settings, today)
            if not any(digest.values()):
                continue
            notify(
                kind="care.weekly_digest",
                users=[membership.user],
                program=program,
                context={
                    "supervisor": membership.user,
                    "settings": settings,
                    **digest,
                    "tasks_url": absolute_url(reverse("care:tasks", args=[program.slug])),
                },
                url=reverse("care:supporters", args=[program.slug]),
                key=f"care.weekly_digest:{program.pk}:{today.isocalendar()[0]}-{today.isocalendar()[1]}",
            )
            sent += 1
    return sent


def unsubscribe_token(supporter_id: int) -> str:
    return signing.dumps({"s": supporter_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@task()
def deliver_newsletter(*, newsletter_id: int) -> int:
    """Send an update to everyone in its audiences once (re-running sends only what is missing)."""
    newsletter = Newsletter.objects.select_related("program").get(pk=newsletter_id)
    program = newsletter.program
    already = set(NewsletterDelivery.objects.filter(newsletter=newsletter).values_list("supporter_id", flat=True))
    recipients = newsletters.newsletter_recipients(program, newsletter.audiences).exclude(pk__in=already)
    archive = absolute_url(reverse("care:newsletter", args=[program.slug, newsletter.pk]))
    sent = 0
    with mailers.default as connection:
        for supporter in recipients.iterator():
            unsubscribe = absolute_url(reverse("care:unsubscribe", args=[unsubscribe_token(supporter.pk)]))
            context = {
                "program": program,
                "newsletter": newsletter,
                "supporter": supporter,
                "archive_url": archive,
                "unsubscribe_url": unsubscribe,
            }
            message = EmailMultiAlternatives(
                subject=_("%(program)s: %(subject)s") % {"program": program.name, "subject": newsletter.subject},
                body=render_to_string("care/email/newsletter_body.txt", context),
                to=[supporter.email],
                reply_to=[program.contact_email] if program.contact_email else None,
                headers={
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            connection.send_messages([message])
            NewsletterDelivery.objects.create(newsletter=newsletter, supporter=supporter, email=supporter.email)
            sent += 1
    if newsletter.status == NewsletterStatus.SENDING:  # a re-run after the end sends nothing and moves nothing
        NEWSLETTER.move(actor=care_common.SYSTEM, obj=newsletter, to=NewsletterStatus.SENT, note=f"{sent} sent")
    return sent
