"""Certification report: where the program's credentials stand today, what fell due in the period,
and how far certified supporters are with their continuing-education hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DateField, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerpath.certification.models import (
    Assessment,
    AssessmentStatus,
    Certificate,
    CertificateChange,
    CertificateEvent,
)
from peerpath.certification.queries import standings
from peerpath.certification.rules import REMINDER_DAYS
from peerpath.recruitment.models import Stage, Supporter
from peerpath.reports.base import Chart, Column, Period, Report, register

EXPIRY_WINDOW_DAYS = REMINDER_DAYS[0]  # the same 90 days as the certification overview


@register
class CertificationStatus(Report):
    slug = "certification-status"
    title = _("Certification status and expiries")
    description = _(
        "Each certified supporter's newest certificate as it stands today (current, expiring within 90 days, in "
        "its grace period, lapsed) and their continuing-education hours for the current cycle against the "
        "renewal rule its cycle runs under (subject minimums, caps, each course once); people "
        "provisionally certified; and, for the period, certificates issued, renewed, revoked and falling due."
    )
    columns = [Column("measure", _("Measure")), Column("count", _("People"), "int")]
    chart = Chart("bar", "measure", ("count",), horizontal=True)
    order = 40

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        today = timezone.localdate()
        # Each supporter's newest certificate that is not revoked (it may have expired).
        newer = Certificate.objects.filter(supporter=OuterRef("supporter"), revoked_at__isnull=True).filter(
            Q(expires_on__gt=OuterRef("expires_on")) | Q(expires_on=OuterRef("expires_on"), pk__gt=OuterRef("pk"))
        )
        newest = Certificate.objects.filter(program=program, revoked_at__isnull=True).filter(~Exists(newer))
        certificates = newest.aggregate(
            current=Count("id", filter=Q(expires_on__gte=today)),
            expiring=Count(
                "id", filter=Q(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=EXPIRY_WINDOW_DAYS))
            ),
            due_in_period=Count("id", filter=Q(expires_on__gte=period.start, expires_on__lte=period.end)),
        )
        # The hours as the renewal rule counts them, each certificate under the rule its cycle
        # runs under (subject minimums, caps, the same course once): the same code as the pages.
        found = standings(program, newest, today)
        certificates["in_grace"] = sum(
            1 for s in found.values() if s.days_to_expiry < 0 <= (s.tally.grace_end - today).days
        )
        certificates["lapsed"] = sum(1 for s in found.values() if today > s.tally.grace_end)
        renewable = [s for s in found.values() if today <= s.tally.grace_end]
        certificates["ce_met"] = sum(1 for s in renewable if s.met)
        certificates["ce_half"] = sum(1 for s in renewable if not s.met and s.tally.total >= s.required / 2)
        certificates["ce_less"] = sum(1 for s in renewable if not s.met and s.tally.total < s.required / 2)
        events = CertificateChange.objects.filter(
            certificate__program=program, created_at__gte=period.start_at, created_at__lt=period.end_at
        ).aggregate(
            issued=Count("id", filter=Q(event=CertificateEvent.ISSUED)),
            renewed=Count("id", filter=Q(event=CertificateEvent.RENEWED)),
            revoked=Count("id", filter=Q(event=CertificateEvent.REVOKED)),
        )
        latest_due = (
            Assessment.objects.filter(supporter=OuterRef("pk"), status=AssessmentStatus.DECIDED)
            .order_by("-decided_at", "-id")
            .values("reassessment_due")[:1]
        )
        provisional = (
            Supporter.objects.filter(program=program, stage=Stage.PROVISIONAL)
            .annotate(due=Subquery(latest_due, output_field=DateField()))
            .aggregate(
                people=Count("id"),
                overdue=Count("id", filter=Q(due__lt=today)),
            )
        )
        measures = [
            ("current", gettext("Certified, certificate current"), certificates["current"]),
            (
                "expiring",
                gettext("Expiring within %(days)s days") % {"days": EXPIRY_WINDOW_DAYS},
                certificates["expiring"],
            ),
            ("in_grace", gettext("Expired, in the grace period"), certificates["in_grace"]),
            ("lapsed", gettext("Lapsed (grace period over)"), certificates["lapsed"]),
            ("provisional", gettext("Provisionally certified"), provisional["people"]),
            ("overdue", gettext("Provisional: reassessment overdue"), provisional["overdue"]),
            ("due", gettext("Renewal falling due in the period"), certificates["due_in_period"]),
            ("issued", gettext("Issued in the period"), events["issued"]),
            ("renewed", gettext("Renewed in the period"), events["renewed"]),
            ("revoked", gettext("Revoked in the period"), events["revoked"]),
            ("ce_met", gettext("CE hours: requirements met"), certificates["ce_met"]),
            ("ce_half", gettext("CE hours: at least half"), certificates["ce_half"]),
            ("ce_less", gettext("CE hours: less than half"), certificates["ce_less"]),
        ]
        # "key" names each row for the summary whatever the language of its "measure".
        return [{"key": key, "measure": measure, "count": count} for key, measure, count in measures]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        count = {r["key"]: r["count"] for r in rows}
        return gettext(
            "%(current)s certified with a current certificate, %(expiring)s of them expiring within %(days)s "
            "days; %(provisional)s provisionally certified; %(ce_met)s have their continuing-education hours for "
            "this cycle."
        ) % {
            "current": count["current"],
            "expiring": count["expiring"],
            "days": EXPIRY_WINDOW_DAYS,
            "provisional": count["provisional"],
            "ce_met": count["ce_met"],
        }
