"""The participant's side: needs met and referrals connected, by need (peerpath.plans)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerpath.plans.queries import needs_report
from peerpath.reports.base import Chart, Column, Period, Report, register


@register
class NeedsAndReferrals(Report):
    slug = "needs-and-referrals"
    title = _("Needs met and referrals connected, by need")
    description = _(
        "For each need of the program's checklist: participants who have it recorded (at any time), needs met in "
        "the period, and referrals for it suggested, made, connected and not connected in the period."
    )
    columns = [
        Column("need", _("Need")),
        Column("recorded", _("Needs recorded"), "int"),
        Column("met", _("Met in the period"), "int"),
        Column("suggested", _("Referrals suggested"), "int"),
        Column("made", _("Referrals made"), "int"),
        Column("connected", _("Connected"), "int"),
        Column("not_connected", _("Did not connect"), "int"),
    ]
    chart = Chart("bar", "need", ("met", "connected"))
    order = 75

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        return needs_report(program, period.start, period.end)

    def summary(self, rows: list[dict[str, Any]]) -> str:
        met = sum(r["met"] for r in rows)
        connected = sum(r["connected"] for r in rows)
        closed = connected + sum(r["not_connected"] for r in rows)
        if not (met or closed or any(r["recorded"] for r in rows)):
            return gettext("No needs or referrals recorded yet.")
        text = gettext("%(met)s needs met and %(connected)s referrals connected in the period") % {
            "met": met,
            "connected": connected,
        }
        if closed:
            text += " " + gettext("(%(share)s%% of those that closed)") % {"share": round(100 * connected / closed)}
        return text + "."
