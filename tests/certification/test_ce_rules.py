"""Continuing-education rules as program data: two rule sets with several minimums, tested at
every boundary; versions (a change applies from the next cycle); what is missing, in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.certification import rules, services
from peerpath.certification.models import CEActivity, CertificateChange, CERule, CEStatus
from peerpath.recruitment.models import Stage
from peerpath.training.models import CESubject
from tests.training.helpers import trainee

pytestmark = pytest.mark.django_db
D = dt.date
H = Decimal

# Rule set A: the IC&RC-style preset. 20 h per 24 months, 6 in ethics, 90 days' grace.
ICRC = rules.RuleSpec(total_hours=H("20"), minimums=(rules.Minimum("ethics", "Ethics", H("6")),))
# Rule set B: two minimums, a live minimum and a self-paced cap (the second preset).
TWO = rules.RuleSpec(
    total_hours=H("30"),
    grace_days=60,
    minimums=(
        rules.Minimum("ethics", "Ethics", H("6")),
        rules.Minimum("confidentiality", "Confidentiality", H("3")),
    ),
    live_minimum_hours=H("10"),
    self_paced_cap_hours=H("15"),
)
START, EXPIRY = D(2025, 1, 1), D(2027, 1, 1)
TODAY = D(2026, 6, 1)
A_YEAR_BEFORE = D(2025, 6, 1)  # a row's date unless told (a default must not be a call)


class Row:
    """A stand-in for an approved CEActivity."""

    _next = 0

    def __init__(
        self,
        hours: str,
        category: str = "general",
        delivery: str = "live",
        day: dt.date = A_YEAR_BEFORE,
        title: str | None = None,
    ) -> None:
        Row._next += 1
        self.pk, self.date, self.hours, self.category, self.delivery = Row._next, day, H(hours), category, delivery
        self.title, self.provider, self.renewal_id = title or f"Course {Row._next}", "P", None


def judge(rows: list[Row], rule: rules.RuleSpec, today: dt.date = TODAY) -> rules.StandingResult:
    return rules.standing(rows, cycle_start=START, expires_on=EXPIRY, today=today, rule=rule)


# --- Rule set A ------------------------------------------------------------------------------


def test_icrc_total_boundary() -> None:
    assert judge([Row("6", "ethics"), Row("13.75")], ICRC).missing == ["0.25 h in any subject"]
    met = judge([Row("6", "ethics"), Row("14")], ICRC)
    assert met.met and met.missing == [] and met.tally.total == H("20")


def test_icrc_ethics_minimum_boundary() -> None:
    short = judge([Row("5.75", "ethics"), Row("14.25")], ICRC)
    assert not short.met and short.missing == ["0.25 h ethics"]  # the total is there: only ethics is missing
    assert judge([Row("6", "ethics"), Row("14")], ICRC).met
    # Ethics hours count toward the total too: 20 h of ethics alone meets both.
    assert judge([Row("20", "ethics")], ICRC).met


def test_icrc_nothing_logged_says_everything_missing() -> None:
    assert judge([], ICRC).missing == ["6 h ethics", "14 h more in any subject"]


def test_icrc_cycle_edges_and_grace() -> None:
    before = Row("20", "ethics", day=START - dt.timedelta(days=1))
    first_day = Row("6", "ethics", day=START)
    last_grace_day = Row("14", day=EXPIRY + dt.timedelta(days=90))
    after_grace = Row("14", day=EXPIRY + dt.timedelta(days=91))
    assert judge([before], ICRC).tally.total == 0  # the day before the cycle does not count
    assert judge([first_day, last_grace_day], ICRC, today=EXPIRY + dt.timedelta(days=90)).met
    assert judge([first_day, after_grace], ICRC, today=EXPIRY + dt.timedelta(days=90)).tally.total == H("6")
    # Standing at the grace edge: at risk on the last day of grace, lapsed the day after.
    assert judge([first_day], ICRC, today=EXPIRY + dt.timedelta(days=90)).standing == rules.Standing.AT_RISK
    assert judge([first_day], ICRC, today=EXPIRY + dt.timedelta(days=91)).standing == rules.Standing.LAPSED


def test_icrc_same_course_counts_once() -> None:
    again = [Row("6", "ethics", title="Ethics 101"), Row("6", "ethics", title="ethics  101!"), Row("8")]
    result = judge(again, ICRC)
    assert result.tally.total == H("14") and len(result.tally.repeats) == 1
    anything_goes = rules.RuleSpec(total_hours=H("20"), minimums=ICRC.minimums, same_course_once=False)
    assert judge(again, anything_goes).tally.total == H("20")


# --- Rule set B ------------------------------------------------------------------------------


def enough_for_two() -> list[Row]:
    """Exactly rule set B: 6 ethics, 3 confidentiality, 15 self-paced, 15 live (>= 10)."""
    return [
        Row("6", "ethics"),
        Row("3", "confidentiality"),
        Row("6"),
        Row("15", delivery="self_paced"),
    ]


def test_two_minimums_met_exactly() -> None:
    result = judge(enough_for_two(), TWO)
    assert result.met and result.tally.total == H("30")
    assert [(line.label, line.counted, line.required) for line in result.lines] == [
        ("Total", H("30"), H("30")),
        ("Ethics", H("6"), H("6")),
        ("Confidentiality", H("3"), H("3")),
        ("Live", H("15"), H("10")),
    ]


def test_two_minimums_each_at_its_boundary() -> None:
    rows = enough_for_two()
    rows[1].hours = H("2.75")  # confidentiality a quarter hour short
    rows[2].hours = H("6.25")  # the total is still 30
    assert judge(rows, TWO).missing == ["0.25 h confidentiality"]
    rows = enough_for_two()
    rows[0].hours = H("5.75")
    assert judge(rows, TWO).missing == ["0.25 h ethics"]  # the total short is the same quarter hour


def test_the_issue_example_two_h_confidentiality_one_h_live() -> None:
    # 6 ethics live, 1 confidentiality live, 2 other live: 9 live; 15 self-paced; 7 short in all.
    rows = [Row("6", "ethics"), Row("1", "confidentiality"), Row("2"), Row("15", delivery="self_paced")]
    assert judge(rows, TWO).missing == ["2 h confidentiality", "1 h live", "4 h more in any subject"]
    rows.append(Row("4"))  # four more live hours in any subject: 13 live, 28 in all
    assert judge(rows, TWO).missing == ["2 h confidentiality"]
    rows.append(Row("2", "confidentiality"))
    assert judge(rows, TWO).met


def test_live_minimum_boundary() -> None:
    rows = [Row("6", "ethics"), Row("3", "confidentiality"), Row("0.75"), Row("15", delivery="self_paced")]
    # 9.75 live, 15 self-paced: live is a quarter hour short, and the total too.
    result = judge(rows, TWO)
    assert "0.25 h live" in result.missing and not result.met
    rows[2].hours = H("1")
    assert "0.25 h live" not in judge(rows, TWO).missing  # 10 h live: the live minimum is met


def test_self_paced_cap_boundary() -> None:
    live = [Row("6", "ethics"), Row("3", "confidentiality"), Row("6")]
    at_cap = judge([*live, Row("15", delivery="self_paced")], TWO)
    assert at_cap.tally.by_delivery["self_paced"] == H("15") and at_cap.met
    # An activity crossing the cap counts in part; later self-paced ones not at all.
    crossing = [*live, Row("10", delivery="self_paced"), Row("8", delivery="self_paced", day=D(2025, 7, 1))]
    later = Row("2", "ethics", delivery="self_paced", day=D(2025, 8, 1))
    result = judge([*crossing, later], TWO)
    assert result.tally.by_delivery["self_paced"] == H("15")
    assert result.tally.counted_hours[crossing[-1].pk] == H("5")
    assert result.tally.over_cap == [later]
    assert result.tally.total == H("30") and result.met


def test_a_live_cap_counts_live_hours_only_up_to_it() -> None:
    capped = rules.RuleSpec(total_hours=H("10"), live_cap_hours=H("4"))
    result = judge([Row("3"), Row("3"), Row("6", delivery="self_paced")], capped)
    assert result.tally.by_delivery == {"live": H("4"), "self_paced": H("6")} and result.met


def test_two_minimums_grace_is_its_own() -> None:
    rows = enough_for_two()
    rows[-1].date = EXPIRY + dt.timedelta(days=60)
    assert judge(rows, TWO, today=EXPIRY + dt.timedelta(days=60)).met
    rows[-1].date = EXPIRY + dt.timedelta(days=61)
    assert not judge(rows, TWO, today=EXPIRY + dt.timedelta(days=61)).met


# --- Versions, presets and pages -------------------------------------------------------------


def log(world: Any, supporter: Any, title: str, hours: str, category: str, delivery: str = "live") -> CEActivity:
    activity = services.log_ce_activity(
        actor=supporter.user,
        supporter=supporter,
        date=timezone.localdate() - dt.timedelta(days=5),
        title=title,
        provider="County",
        hours=hours,
        category=category,
        delivery=delivery,
    )
    return services.review_ce_activity(actor=world.coordinator, activity=activity, approve=True)


def test_a_rule_change_applies_from_the_next_cycle(world: Any) -> None:
    today = timezone.localdate()
    holder = world.supporter_record
    first = services.current_rule(world.program)
    assert first.name.startswith("IC&RC")
    certificate = services.issue_certificate(
        actor=world.coordinator, supporter=holder, issued_on=today - dt.timedelta(days=700)
    )
    assert certificate.ce_rule == first
    second = services.apply_ce_preset(actor=world.coordinator, program=world.program, key="two-minimums-30")
    assert CESubject.objects.filter(program=world.program, key="confidentiality").exists()
    # The running cycle keeps its rule: 20 h with 6 ethics is enough.
    log(world, holder, "Ethics", "6", "ethics")
    log(world, holder, "Groups", "14", "peer-specific")
    certificate.refresh_from_db()
    assert certificate.expires_on > today + dt.timedelta(days=700)  # renewed automatically
    change = CertificateChange.objects.get(certificate=certificate, event="renewed")
    assert change.ce_rule == first and change.hours_counted == H("20")
    assert certificate.ce_rule == second  # the next cycle runs under the new rule
    assert services.certificate_standing(certificate).missing == [
        "6 h ethics",
        "3 h confidentiality",
        "10 h live",
        "20 h more in any subject",
    ]
    assert services.rule_for(certificate).cycle_months == 24


def test_save_rule_checks_it_can_be_met(world: Any) -> None:
    base = {
        "name": "Ours",
        "cycle_months": 24,
        "total_hours": "10",
        "grace_days": 30,
        "same_course_once": True,
        "live_minimum_hours": "0",
        "live_cap_hours": "",
        "self_paced_cap_hours": "",
    }
    with pytest.raises(ValidationError) as error:
        services.save_ce_rule(
            actor=world.coordinator, program=world.program, data=base, minimums={"ethics": "6", "general": "5"}
        )
    assert "total_hours" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.save_ce_rule(
            actor=world.coordinator,
            program=world.program,
            data={**base, "live_cap_hours": "4", "self_paced_cap_hours": "5"},
            minimums={},
        )
    assert "self_paced_cap_hours" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.save_ce_rule(
            actor=world.coordinator, program=world.program, data={**base, "cycle_months": 3}, minimums={"nope": "1"}
        )
    assert {"cycle_months", "min_nope"} <= set(error.value.message_dict)
    # Exactly at the total: the minimums may fill it.
    rule = services.save_ce_rule(
        actor=world.coordinator, program=world.program, data=base, minimums={"ethics": "6", "general": "4"}
    )
    assert sorted(rule.minimums.values_list("subject__key", "hours")) == [("ethics", H("6")), ("general", H("4"))]


def test_rule_page_for_coordinators(world: Any) -> None:
    client = world.client_for(world.coordinator)
    url = "/p/riverside/certification/ce-rule/"
    page = client.get(url)
    assert page.status_code == 200 and "IC&amp;RC style" in page.content.decode()
    data = {
        "name": "Three minimums",
        "cycle_months": 24,
        "total_hours": "24",
        "grace_days": 60,
        "same_course_once": "on",
        "live_minimum_hours": "6",
        "self_paced_cap_hours": "12",
        "live_cap_hours": "",
        "min_ethics": "6",
        "min_cultural-competence": "3",
        "min_supervision": "2",
    }
    bad = client.post(url, {**data, "total_hours": "5"})
    assert bad.status_code == 400 and CERule.objects.filter(program=world.program).count() == 1
    assert client.post(url, data).status_code == 302
    rule = services.current_rule(world.program)
    assert rule.name == "Three minimums" and rule.minimums.count() == 3
    assert client.post(url + "subjects/", {"name": "Confidentiality"}).status_code == 302
    subject = CESubject.objects.get(program=world.program, key="confidentiality")
    assert client.post(url + f"subjects/{subject.pk}/", {"name": "Privacy and confidentiality"}).status_code == 302
    assert client.post(url + "subjects/", {"name": "ethics"}).status_code == 400  # the name is taken
    other = CESubject.objects.filter(program=world.other_program).first() or CESubject.objects.create(
        program=world.other_program, key="x", name="X"
    )
    assert client.post(url + f"subjects/{other.pk}/", {"name": "Mine now"}).status_code == 404
    assert client.post(url + "preset/", {"preset": "nope"}).status_code == 400
    assert client.post(url + "preset/", {"preset": "annual-12"}).status_code == 302
    assert services.current_rule(world.program).cycle_months == 12
    assert world.client_for(world.trainer).get(url).status_code == 403


def test_standing_page_and_reminder_say_what_is_missing(world: Any) -> None:
    today = timezone.localdate()
    services.apply_ce_preset(actor=world.coordinator, program=world.program, key="two-minimums-30")
    holder = trainee(world.program, "Mina Holder", stage=Stage.ACTIVE)
    certificate = services.issue_certificate(
        actor=world.coordinator, supporter=holder, issued_on=rules.add_months(today, -24) + dt.timedelta(days=30)
    )
    log(world, holder, "Ethics", "6", "ethics")
    log(world, holder, "Privacy basics", "1", "confidentiality")
    log(world, holder, "Groups", "2", "peer-specific")
    log(world, holder, "Reading", "15", "general", delivery="self_paced")
    log(world, holder, "More", "4", "general")
    page = world.client_for(holder.user).get("/p/riverside/my/continuing-education/").content.decode()
    assert "Still missing:</strong> 2 h confidentiality" in page
    assert world.client_for(holder.user).get("/p/riverside/my/continuing-education/rule/").status_code == 200
    mail.outbox.clear()
    services.send_expiry_reminders(program=world.program, today=certificate.expires_on - dt.timedelta(days=30))
    assert len(mail.outbox) == 1 and "Still missing: 2 h confidentiality." in mail.outbox[0].body
    assert not CEActivity.objects.filter(status=CEStatus.SUBMITTED).exists()


def test_activity_form_offers_the_programs_subjects_and_delivery(world: Any) -> None:
    services.save_ce_subject(actor=world.coordinator, program=world.program, subject=None, name="Confidentiality")
    holder = world.supporter_record
    services.issue_certificate(actor=world.coordinator, supporter=holder)
    client = world.client_for(world.supporter)
    assert "Confidentiality" in client.get("/p/riverside/my/continuing-education/new/").content.decode()
    data = {
        "date": timezone.localdate().isoformat(),
        "title": "Privacy online",
        "hours": "2",
        "category": "confidentiality",
        "delivery": "self_paced",
    }
    assert client.post("/p/riverside/my/continuing-education/new/", data).status_code == 302
    activity = CEActivity.objects.get(title="Privacy online")
    assert (activity.category, activity.delivery) == ("confidentiality", "self_paced")
    bad = client.post("/p/riverside/my/continuing-education/new/", {**data, "category": "astrology"})
    assert bad.status_code == 400
