from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from peerpath.reports.base import MAX_PERIOD_DAYS, Period


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end date must be on or after the start date.")
            elif (end - start) > dt.timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("start", "Choose a period of at most five years.")
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def period_from(query: Any) -> tuple[PeriodForm, Period, bool]:
    """The period chosen in the query string; the default (last 12 months) when absent or invalid."""
    default = Period.default()
    if "start" not in query and "end" not in query:
        form = PeriodForm(initial={"start": default.start, "end": default.end})
        return form, default, True
    form = PeriodForm(query)
    if form.is_valid():
        return form, form.period(), True
    return form, default, False
