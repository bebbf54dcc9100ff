from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peerpath.certification import rules, services
from peerpath.certification.models import CEActivity, Certificate, CEStatus, ExpiryReminder
from peerpath.certification.tasks import daily_certification_check
from peerpath.recruitment.models import Stage
from tests.training.helpers import trainee

pytestmark = pytest.mark.django_db
D = dt.date


class Row:
    """A stand-in for an approved CEActivity in the pure rule tests."""

    _next = 0

    def __init__(self, day: dt.date, hours: str, category: str = "general", title: str = "Course", provider: str = "P"):
        Row._next += 1
        self.pk, self.date, self.hours, self.category = Row._next, day, Decimal(hours), category
        self.title, self.provider, self.renewal_id = title, provider, None


# The first preset, as every program starts: 20 h per 24 months, 6 ethics, 90 days' grace.
RULES = rules.RuleSpec(total_hours=Decimal("20"), minimums=(rules.Minimum("ethics", "Ethics", Decimal("6")),))


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert rules.add_months(D(2024, 1, 31), 24) == D(2026, 1, 31)
    assert rules.add_months(D(2024, 2, 29), 24) == D(2026, 2, 28)
    assert rules.add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert rules.add_months(D(2025, 3, 15), 24) == D(2027, 3, 15)


def test_renewal_arithmetic_across_a_cycle_boundary() -> None:
    cycle_start, expiry = D(2024, 3, 1), D(2026, 3, 1)
    activities = [
        Row(D(2024, 2, 29), "10", "ethics", title="Before the cycle"),  # the day before: not counted
        Row(D(2024, 3, 1), "6", "ethics", title="Ethics day one"),  # first day of the cycle
        Row(D(2025, 6, 1), "8", title="MI level 2"),
        Row(D(2025, 9, 1), "8", title="mi  level 2!", provider="p"),  # same course again: counts once
        Row(D(2026, 3, 1), "6", title="On the last day"),  # expiry day still counts
    ]
    result = rules.standing(activities, cycle_start=cycle_start, expires_on=expiry, today=D(2026, 1, 1), rule=RULES)
    assert result.tally.total == Decimal("20") and result.tally.ethics == Decimal("6")
    assert result.standing == rules.Standing.MET
    assert [a.title for a in result.tally.repeats] == ["mi  level 2!"]
    # The next cycle starts the day after expiry and ends one cycle after the old expiry.
    next_start, next_expiry = expiry + dt.timedelta(days=1), rules.add_months(expiry, 24)
    assert (next_start, next_expiry) == (D(2026, 3, 2), D(2028, 3, 1))
    for a in result.tally.counted:
        a.renewal_id = 1  # used for the renewal
    later = [*activities, Row(D(2026, 3, 2), "8", title="MI level 2")]  # same course, new cycle: counts again
    after = rules.standing(later, cycle_start=next_start, expires_on=next_expiry, today=D(2026, 4, 1), rule=RULES)
    assert after.tally.total == Decimal("8") and after.standing == rules.Standing.ON_TRACK


def test_standings() -> None:
    start, expiry = D(2024, 1, 1), D(2026, 1, 1)
    nothing: list[Row] = []

    def standing(rows: list[Row], today: dt.date) -> str:
        return rules.standing(rows, cycle_start=start, expires_on=expiry, today=today, rule=RULES).standing

    assert standing(nothing, D(2024, 6, 1)) == rules.Standing.ON_TRACK
    assert standing(nothing, D(2025, 2, 1)) == rules.Standing.AT_RISK  # past half-way, under half the hours
    assert standing([Row(D(2024, 5, 1), "10")], D(2025, 2, 1)) == rules.Standing.ON_TRACK
    assert standing([Row(D(2024, 5, 1), "10")], D(2025, 10, 10)) == rules.Standing.AT_RISK  # within 90 days
    assert standing([Row(D(2024, 5, 1), "20")], D(2025, 10, 10)) == rules.Standing.AT_RISK  # no ethics yet
    assert standing(nothing, D(2026, 3, 1)) == rules.Standing.AT_RISK  # in grace
    assert standing(nothing, D(2026, 4, 1)) == rules.Standing.AT_RISK  # 90th day of grace
    assert standing(nothing, D(2026, 4, 2)) == rules.Standing.LAPSED
    # Hours logged during the grace period still count for the expired cycle.
    late = [Row(D(2026, 2, 1), "14"), Row(D(2026, 2, 2), "6", "ethics", title="Ethics")]
    assert standing(late, D(2026, 2, 10)) == rules.Standing.MET


@pytest.fixture
def holder(world: Any) -> Certificate:
    issued = timezone.localdate() - dt.timedelta(days=700)
    return services.issue_certificate(actor=world.coordinator, supporter=world.supporter_record, issued_on=issued)


def log(world: Any, title: str, hours: str, category: str = "general", days_ago: int = 10) -> CEActivity:
    return services.log_ce_activity(
        actor=world.supporter,
        supporter=world.supporter_record,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        title=title,
        provider="County",
        hours=hours,
        category=category,
    )


def test_supporter_logs_activity_with_evidence(world: Any, holder: Certificate, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = world.client_for(world.supporter)
    assert client.get("/p/riverside/my/continuing-education/").status_code == 200
    assert client.get("/p/riverside/my/continuing-education/new/").status_code == 200
    evidence = SimpleUploadedFile("attendance.pdf", b"%PDF-1.4 certificate of attendance", "application/pdf")
    response = client.post(
        "/p/riverside/my/continuing-education/new/",
        {
            "date": timezone.localdate().isoformat(),
            "title": "Ethics workshop",
            "provider": "State Network",
            "hours": "3",
            "category": "ethics",
            "evidence": evidence,
        },
    )
    assert response.status_code == 302
    activity = CEActivity.objects.get(title="Ethics workshop")
    assert activity.status == CEStatus.SUBMITTED and activity.evidence_name == "attendance.pdf"
    download = client.get(f"/p/riverside/my/continuing-education/{activity.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    coordinator = world.client_for(world.coordinator)
    assert (
        coordinator.get(f"/p/riverside/certification/continuing-education/{activity.pk}/evidence/").status_code == 200
    )
    other = trainee(world.program, "Another Supporter", stage=Stage.ACTIVE)
    assert (
        world.client_for(other.user).get(f"/p/riverside/my/continuing-education/{activity.pk}/evidence/").status_code
        == 404
    )
    bad = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    response = client.post(
        "/p/riverside/my/continuing-education/new/",
        {
            "date": timezone.localdate().isoformat(),
            "title": "Bad",
            "hours": "1",
            "category": "general",
            "evidence": bad,
        },
    )
    assert response.status_code == 400 and not CEActivity.objects.filter(title="Bad").exists()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        "/p/riverside/my/continuing-education/new/",
        {"date": future, "title": "Later", "hours": "1", "category": "general"},
    )
    assert response.status_code == 400


def test_the_activity_form_reports_every_problem_in_one_submit(world: Any, holder: Certificate) -> None:
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    response = world.client_for(world.supporter).post(
        "/p/riverside/my/continuing-education/new/",
        {"date": future, "title": "", "hours": "1", "category": "general", "evidence": bad},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"date", "title", "evidence"}
    assert "future" in errors["date"][0] and "PDF" in errors["evidence"][0]
    assert not CEActivity.objects.exists()


def test_coordinator_approves_or_returns(world: Any, holder: Certificate) -> None:
    first, second = log(world, "Ethics day", "3", "ethics"), log(world, "Webinar", "1")
    client = world.client_for(world.coordinator)
    overview = client.get("/p/riverside/certification/").content.decode()
    assert "Ethics day" in overview and "Webinar" in overview
    url = f"/p/riverside/certification/continuing-education/{first.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": "approve"}).status_code == 302
    first.refresh_from_db()
    assert first.status == CEStatus.APPROVED and first.reviewed_by == world.coordinator
    url = f"/p/riverside/certification/continuing-education/{second.pk}/"
    assert client.post(url, {"decision": "return", "comment": ""}).status_code == 400
    mail.outbox.clear()
    assert client.post(url, {"decision": "return", "comment": "Add the provider"}).status_code == 302
    second.refresh_from_db()
    assert second.status == CEStatus.RETURNED and any("check a continuing" in m.subject for m in mail.outbox)
    # The supporter corrects it and sends it again.
    owner = world.client_for(world.supporter)
    edit = f"/p/riverside/my/continuing-education/{second.pk}/"
    assert owner.get(edit).status_code == 200
    response = owner.post(
        edit,
        {
            "date": second.date.isoformat(),
            "title": "Webinar",
            "provider": "Grief Org",
            "hours": "1",
            "category": "general",
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == CEStatus.SUBMITTED and second.provider == "Grief Org"
    assert [c.to_status for c in second.changes.all()] == ["submitted", "returned", "submitted"]
    assert owner.get(f"/p/riverside/my/continuing-education/{first.pk}/").status_code == 404  # approved: locked
    assert (
        world.client_for(world.outsider).get(f"/p/harbor/certification/continuing-education/{first.pk}/").status_code
        == 404
    )


def test_nobody_reviews_their_own_activity(world: Any) -> None:
    world.program.memberships.filter(user=world.supporter).update(is_coordinator=True)
    activity = log(world, "Mine", "2")
    with pytest.raises(ValidationError, match="own"):
        services.review_ce_activity(actor=world.supporter, activity=activity, approve=True)


def test_approval_in_the_window_renews_with_a_new_expiry(world: Any, holder: Certificate) -> None:
    old_expiry = holder.expires_on
    assert 0 < (old_expiry - timezone.localdate()).days <= 90
    for title, hours, category in [("Ethics", "6", "ethics"), ("MI", "8", "general"), ("Groups", "5", "peer-specific")]:
        services.review_ce_activity(actor=world.coordinator, activity=log(world, title, hours, category), approve=True)
    holder.refresh_from_db()
    assert holder.expires_on == old_expiry  # 19 hours: not yet
    mail.outbox.clear()
    services.review_ce_activity(actor=world.coordinator, activity=log(world, "Self-care", "1"), approve=True)
    holder.refresh_from_db()
    assert holder.expires_on == rules.add_months(old_expiry, 24)
    assert holder.cycle_started_on == old_expiry + dt.timedelta(days=1)
    renewal = holder.changes.get(event="renewed")
    assert renewal.hours_counted == Decimal("20") and renewal.activities.count() == 4
    assert any("renewed" in m.subject for m in mail.outbox)
    assert services.certificate_standing(holder).tally.total == 0  # the new cycle starts empty


def test_coordinator_renews_early_only_when_met(world: Any) -> None:
    issued = timezone.localdate() - dt.timedelta(days=100)
    certificate = services.issue_certificate(
        actor=world.coordinator, supporter=world.supporter_record, issued_on=issued
    )
    client = world.client_for(world.coordinator)
    url = f"/p/riverside/certification/certificates/{certificate.pk}/renew/"
    assert client.post(url).status_code == 400
    services.record_automatic_ce(
        actor=world.coordinator,
        program=world.program,
        supporter=world.supporter_record,
        date=timezone.localdate(),
        title="Big course",
        hours=20,
        category="ethics",
        source_key="test:1",
    )
    certificate.refresh_from_db()
    assert certificate.expires_on == rules.add_months(issued, 24)  # not in the window: not automatic
    assert "Requirements met" in client.get("/p/riverside/certification/").content.decode()
    assert client.post(url).status_code == 302
    certificate.refresh_from_db()
    assert certificate.expires_on == rules.add_months(issued, 48)


def test_record_automatic_ce_is_idempotent_per_source_key(world: Any) -> None:
    kwargs = {
        "actor": world.coordinator,
        "program": world.program,
        "supporter": world.supporter_record,
        "date": timezone.localdate(),
        "title": "Supervision",
        "category": "supervision",
    }
    first = services.record_automatic_ce(hours=1, source_key="care.supervision:1", **kwargs)
    again = services.record_automatic_ce(hours=Decimal("1.5"), source_key="care.supervision:1", **kwargs)
    assert first.pk == again.pk and again.hours == Decimal("1.50") and again.status == CEStatus.APPROVED
    assert CEActivity.objects.filter(source_key="care.supervision:1").count() == 1
    services.record_automatic_ce(hours=1, source_key="care.supervision:2", **kwargs)
    assert CEActivity.objects.filter(supporter=world.supporter_record).count() == 2
    with pytest.raises(ValidationError):
        services.record_automatic_ce(hours=1, source_key="x", **{**kwargs, "category": "nonsense"})
    with pytest.raises(ValidationError):
        services.record_automatic_ce(hours=1, source_key="y", **{**kwargs, "supporter": world.outsider_record})


def test_reminders_90_30_and_7_days_before_expiry_once_each(world: Any) -> None:
    today = timezone.localdate()
    certificate = services.issue_certificate(
        actor=world.coordinator,
        supporter=world.supporter_record,
        issued_on=rules.add_months(today, -24) + dt.timedelta(days=90),
    )
    assert (certificate.expires_on - today).days == 90
    mail.outbox.clear()
    daily_certification_check.call()
    daily_certification_check.call()
    assert [m.subject for m in mail.outbox] == ["Riverside: your certificate expires in 90 days"]
    for days in (31, 30, 8, 7):
        sent = services.send_expiry_reminders(
            program=world.program, today=certificate.expires_on - dt.timedelta(days=days)
        )
        assert len(sent) == (1 if days in (30, 7) else 0)
    assert sorted(ExpiryReminder.objects.values_list("days_before", flat=True)) == [7, 30, 90]
    # The home page reminds the holder too.
    assert "Your certificate expires in" in world.client_for(world.supporter).get("/p/riverside/").content.decode()


def test_overview_lists_what_needs_attention(world: Any, holder: Certificate) -> None:
    today = timezone.localdate()
    lapsed = trainee(world.program, "Long Gone", stage=Stage.INACTIVE)
    services.issue_certificate(actor=world.coordinator, supporter=lapsed, issued_on=today - dt.timedelta(days=1000))
    page = world.client_for(world.coordinator).get("/p/riverside/certification/").content.decode()
    lapsed_section = page.split('id="h-lapsed"')[1].split("</section>")[0]
    expiring_section = page.split('id="h-expiring"')[1].split("</section>")[0]
    assert "Long Gone" in lapsed_section and world.supporter_record.full_name in expiring_section
    assert world.client_for(world.coordinator).get("/p/riverside/").status_code == 200


@pytest.mark.parametrize("people", [2, 15])
def test_overview_and_my_ce_are_bounded(world: Any, people: int, django_assert_max_num_queries: Any) -> None:
    today = timezone.localdate()
    for i in range(people):
        person = trainee(world.program, f"Holder {i}", stage=Stage.ACTIVE)
        services.issue_certificate(
            actor=world.coordinator, supporter=person, issued_on=today - dt.timedelta(days=30 * i)
        )
        services.log_ce_activity(
            actor=person.user,
            supporter=person,
            date=today,
            title=f"Course {i}",
            provider="",
            hours="2",
            category="ethics",
        )
    client, own = world.client_for(world.coordinator), world.client_for(person.user)
    with django_assert_max_num_queries(20):
        assert client.get("/p/riverside/certification/").status_code == 200
    with django_assert_max_num_queries(20):
        assert own.get("/p/riverside/my/continuing-education/").status_code == 200
    with django_assert_max_num_queries(
        60
    ):  # the home page: every area's panel (see tests/support/test_query_counts.py)
        assert own.get("/p/riverside/").status_code == 200


def test_settings_page(world: Any) -> None:
    client = world.client_for(world.coordinator)
    url = "/p/riverside/certification/settings/"
    assert client.get(url).status_code == 200
    data = {
        "credential_name": "Certified Peer Specialist",
        "min_attendance_percent": 75,
        "allow_provisional": "on",
        "max_developing_for_provisional": 3,
        "reassessment_days": 60,
    }
    response = client.post(url, {**data, "credential_name": " "})
    assert response.status_code == 400
    assert services.get_settings(world.program).min_attendance_percent == 80
    response = client.post(url, data)
    assert response.status_code == 302
    saved = services.get_settings(world.program)
    assert (saved.min_attendance_percent, saved.max_developing_for_provisional) == (75, 3)
    assert client.post(url, {**data, "min_attendance_percent": 120}).status_code == 400
    assert world.client_for(world.trainer).get(url).status_code == 403
