from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerpath.reports.base import MAX_PERIOD_DAYS, Period


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The end date must be on or after the start date."))
            elif (end - start) > dt.timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("start", _("Choose a period of at most five years."))
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def requested_period(query: Any) -> tuple[Period, bool, PeriodForm | None]:
    """The period chosen in the query string (the default, the last 12 months, when absent or
    invalid), whether the choice was valid, and the bound form when one was submitted. A kept
    dashboard needs only the period, so the unbound form is made only when a page is drawn."""
    if "start" not in query and "end" not in query:
        return Period.default(), True, None
    form = PeriodForm(query)
    if form.is_valid():
        return form.period(), True, form
    return Period.default(), False, form


def period_form(period: Period) -> PeriodForm:
    return PeriodForm(initial={"start": period.start, "end": period.end})


def period_from(query: Any) -> tuple[PeriodForm, Period, bool]:
    """The period chosen in the query string; the default (last 12 months) when absent or invalid."""
    period, valid, form = requested_period(query)
    return form or period_form(period), period, valid
