"""The service-hours ledger: entries read from every source, other duties and their review,
the pages of each role, and recognition milestones by hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerpath.care import queries as care_queries
from peerpath.care.models import SupervisionMeeting
from peerpath.care.services import common as care_common
from peerpath.core.models import AuditEntry
from peerpath.hours import ledger, services
from peerpath.hours.ledger import Scope
from peerpath.hours.models import DutyStatus, Kind, OtherDuty
from peerpath.support.models import Contact
from peerpath.training.models import Cohort, TrainingSession

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def contact(rel: Any, days: int, minutes: int | None, reached: bool = True) -> Contact:
    return Contact.objects.create(
        program=rel.program,
        relationship=rel,
        contacted_on=ago(days),
        channel="phone",
        reached=reached,
        duration_minutes=minutes,
    )


def duty(support: Any, days: int = 3, minutes: int = 90, **extra: Any) -> OtherDuty:
    return services.log_duty(
        actor=support.supporter,
        supporter=support.priya,
        date=ago(days),
        kind=extra.pop("kind", Kind.OUTREACH),
        title=extra.pop("title", "Library talk"),
        minutes=minutes,
        **extra,
    )


def test_every_source_gives_entries_that_say_where_they_came_from(support: Any) -> None:
    program, priya = support.program, support.priya
    reached = contact(support.ana_rel, 2, 45)
    contact(support.ana_rel, 1, None, reached=False)  # an attempt: no hours
    contact(support.ben_rel, 2, 30)  # Uma's, not Priya's
    meeting = SupervisionMeeting.objects.create(
        program=program, held_on=ago(5), duration_minutes=60, supervisor=support.supervisor
    )
    meeting.attendees.set([priya, support.uma])
    cohort = Cohort.objects.create(program=program, name="Spring", starts_on=ago(30), ends_on=ago(1))
    cohort.trainers.set([support.supporter])  # Priya teaches it
    start = timezone.now() - dt.timedelta(days=7)
    session = TrainingSession.objects.create(
        program=program, cohort=cohort, title="Listening", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    TrainingSession.objects.create(
        program=program,
        cohort=cohort,
        title="Cancelled",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        is_cancelled=True,
    )
    logged = duty(support)
    services.review_duty(actor=support.coordinator, duty=logged, approve=True)
    waiting = duty(support, title="Not yet approved")

    found = ledger.entries(Scope(program, [priya.pk]))
    by_source = {e.source: e for e in found}
    assert set(by_source) == {
        f"support.contact:{reached.pk}",
        f"care.supervision:{meeting.pk}",
        f"training.session:{session.pk}",
        f"hours.duty:{logged.pk}",
    }
    assert f"hours.duty:{waiting.pk}" not in by_source
    one = by_source[f"support.contact:{reached.pk}"]
    assert (one.kind, one.minutes, one.participant_id) == (Kind.ONE_TO_ONE, 45, support.ana.pk)
    assert "P-" in one.description and support.ana.full_name not in one.description
    assert by_source[f"care.supervision:{meeting.pk}"].minutes == 60
    assert by_source[f"training.session:{session.pk}"].minutes == 120
    assert by_source[f"hours.duty:{logged.pk}"].kind == Kind.OUTREACH
    assert "approved by" in by_source[f"hours.duty:{logged.pk}"].description
    # Read twice, the same entries: nothing is copied, so nothing can be counted twice.
    assert ledger.entries(Scope(program, [priya.pk])) == found
    assert ledger.minutes_by_supporter(program)[priya.pk] == 45 + 60 + 120 + 90
    assert ledger.minutes_by_supporter(program)[support.uma.pk] == 30 + 60
    # A corrected contact shows at once.
    Contact.objects.filter(pk=reached.pk).update(duration_minutes=50)
    assert ledger.minutes_by_supporter(program)[priya.pk] == 50 + 60 + 120 + 90


def test_a_duty_is_reviewed_as_continuing_education_is(support: Any) -> None:
    logged = duty(support)
    assert logged.status == DutyStatus.SUBMITTED
    assert AuditEntry.objects.filter(action="hours.duty.submit").exists()
    with pytest.raises(ValidationError, match="own"):
        services.review_duty(actor=support.supporter, duty=logged, approve=True)
    with pytest.raises(ValidationError) as error:
        services.review_duty(actor=support.coordinator, duty=logged, approve=False, comment=" ")
    assert "comment" in error.value.message_dict
    services.review_duty(actor=support.coordinator, duty=logged, approve=False, comment="Add the date of the talk.")
    assert logged.status == DutyStatus.RETURNED
    assert mail.outbox and "Add the date of the talk." in mail.outbox[-1].body
    services.resubmit_duty(
        actor=support.supporter, duty=logged, date=ago(4), kind=Kind.OUTREACH, title="Library talk", minutes=60
    )
    assert logged.status == DutyStatus.SUBMITTED and logged.minutes == 60
    services.review_duty(actor=support.coordinator, duty=logged, approve=True)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.resubmit_duty(
            actor=support.supporter, duty=logged, date=ago(4), kind=Kind.OUTREACH, title="Library talk", minutes=600
        )
    assert [c.to_status for c in logged.changes.order_by("id")] == ["submitted", "returned", "submitted", "approved"]


def test_duty_rules(support: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.log_duty(
            actor=support.supporter,
            supporter=support.priya,
            date=TODAY + dt.timedelta(days=1),
            kind=Kind.GROUP,
            title=" ",
            minutes=2,
        )
    assert set(error.value.message_dict) == {"date", "kind", "title", "minutes"}
    with pytest.raises(ValidationError, match="themselves"):
        services.log_duty(
            actor=support.coordinator, supporter=support.priya, date=TODAY, kind=Kind.OTHER, title="x", minutes=30
        )


def test_supporter_logs_a_duty_and_sees_it_in_their_ledger_once_approved(support: Any) -> None:
    slug = support.program.slug
    contact(support.ana_rel, 0, 45)
    client = Client()
    client.force_login(support.supporter)
    page = client.get(reverse("hours:mine", args=[slug]))
    assert page.status_code == 200
    assert page.context["year_totals"].minutes == {Kind.ONE_TO_ONE: 45}
    assert page.context["people_year"] == 1
    bad = client.post(reverse("hours:duty_new", args=[slug]), {"date": "", "kind": "outreach", "minutes": "1"})
    assert bad.status_code == 400 and "minutes" in bad.context["form"].errors
    sent = client.post(
        reverse("hours:duty_new", args=[slug]),
        {"date": TODAY.isoformat(), "kind": "outreach", "title": "Stall at the market", "minutes": "120"},
    )
    assert sent.status_code == 302
    made = OtherDuty.objects.get(title="Stall at the market")
    assert client.get(reverse("hours:mine", args=[slug])).context["year_totals"].total == 45  # not yet approved

    coordinator = Client()
    coordinator.force_login(support.coordinator)
    queue = coordinator.get(reverse("hours:duties", args=[slug]))
    assert "Stall at the market" in queue.content.decode()
    answer = coordinator.post(reverse("hours:duty_review", args=[slug, made.pk]), {"decision": "return"})
    assert answer.status_code == 400  # returning needs a comment
    coordinator.post(reverse("hours:duty_review", args=[slug, made.pk]), {"decision": "approve"})
    page = client.get(reverse("hours:mine", args=[slug]))
    assert page.context["year_totals"].minutes == {Kind.ONE_TO_ONE: 45, Kind.OUTREACH: 120}
    assert any(e.source == f"hours.duty:{made.pk}" for e in page.context["month_entries"])
    download = client.get(reverse("hours:mine", args=[slug]) + "?export=csv")
    assert "Stall at the market" in download.content.decode()


def test_who_sees_which_ledger(support: Any) -> None:
    slug = support.program.slug
    url = reverse("hours:ledger", args=[slug, support.uma.pk])
    supervisor = Client()
    supervisor.force_login(support.supervisor)  # supervises Priya, not Uma
    assert supervisor.get(url).status_code == 404
    assert supervisor.get(reverse("hours:ledger", args=[slug, support.priya.pk])).status_code == 200
    names = [r.supporter.full_name for r in supervisor.get(reverse("hours:ledgers", args=[slug])).context["rows"]]
    assert names == [support.priya.full_name]
    coordinator = Client()
    coordinator.force_login(support.coordinator)
    assert coordinator.get(url).status_code == 200
    supporter = Client()
    supporter.force_login(support.supporter)
    assert supporter.get(url).status_code == 403
    assert supporter.get(reverse("hours:duties", args=[slug])).status_code == 403
    other = OtherDuty.objects.create(
        program=support.program, supporter=support.uma, date=TODAY, kind=Kind.OTHER, title="Uma's", minutes=30
    )
    assert supporter.get(reverse("hours:duty_edit", args=[slug, other.pk])).status_code == 404


def test_settings_and_goal(support: Any) -> None:
    slug = support.program.slug
    coordinator = Client()
    coordinator.force_login(support.coordinator)
    data = {"yearly_goal_hours": "2", "group_preparation_minutes": "30", "unit_minutes": "60"}
    bad = coordinator.post(reverse("hours:settings", args=[slug]), {**data, "hour_milestones": "ten"})
    assert bad.status_code == 400
    coordinator.post(reverse("hours:settings", args=[slug]), {**data, "hour_milestones": "1, 5,1"})
    settings = services.get_settings(support.program)
    assert (settings.yearly_goal_hours, settings.hour_milestones) == (2, "1,5")
    contact(support.ana_rel, 0, 60)
    client = Client()
    client.force_login(support.supporter)
    assert client.get(reverse("hours:mine", args=[slug])).context["progress"] == 50
    home = client.get(reverse("programs:home", args=[slug]))
    assert "panel-hours_me" in home.content.decode()


def test_recognition_milestones_by_hours_are_found_automatically(support: Any) -> None:
    program = support.program
    services.update_settings(actor=support.coordinator, program=program, data={"hour_milestones": "5,50"})
    contact(support.ana_rel, 3, 240)  # 4 hours: the 5-hour milestone is coming up
    found = care_queries.milestones(program, care_common.get_settings(program), TODAY)
    assert not [m for m in found["reached"] if m["key"].startswith("hours:")]
    assert [m["key"] for m in found["upcoming"] if m["supporter"] == support.priya] == ["hours:5"]
    contact(support.ana_rel, 2, 60)
    found = care_queries.milestones(program, care_common.get_settings(program), TODAY)
    reached = [m for m in found["reached"] if m["key"].startswith("hours:")]
    assert [(m["supporter"], m["key"], m["label"]) for m in reached] == [
        (support.priya, "hours:5", "5 hours of service")
    ]
    coordinator = Client()
    coordinator.force_login(support.coordinator)
    page = coordinator.get(reverse("care:recognition", args=[program.slug])).content.decode()
    assert "hours of service" in page and "milestone=hours%3A5" in page


def test_a_trainee_has_no_hours_page_yet(world: Any) -> None:
    from peerpath.recruitment.models import Stage
    from tests.factories import MembershipFactory, SupporterFactory

    user = MembershipFactory(program=world.program, is_supporter=True).user
    SupporterFactory(program=world.program, user=user, email=user.email, stage=Stage.IN_TRAINING)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("hours:mine", args=[world.program.slug])).status_code == 403
    home = client.get(reverse("programs:home", args=[world.program.slug])).content.decode()
    assert reverse("hours:mine", args=[world.program.slug]) not in home


def test_outreach_kinds_are_the_programs_kinds_of_group(support: Any) -> None:
    from peerpath.groups.models import GroupKind

    GroupKind.objects.get_or_create(program=support.program, name="Information session")
    with pytest.raises(ValidationError) as error:
        services.update_settings(actor=support.coordinator, program=support.program, data={"outreach_kinds": ["Nope"]})
    assert "outreach_kinds" in error.value.message_dict
    services.update_settings(
        actor=support.coordinator, program=support.program, data={"outreach_kinds": ["Information session"]}
    )
    assert services.get_settings(support.program).outreach_kinds == ["Information session"]


def test_the_group_source_counts_each_held_session_for_each_facilitator(support: Any) -> None:
    """Group sessions facilitated: length + preparation per facilitator, held sessions only, the
    outreach kinds apart, members and drop-ins carried, scope by supporter and date."""
    from peerpath.groups import services as groups
    from peerpath.groups.models import GroupKind
    from tests.groups.helpers import member as add_member
    from tests.groups.helpers import past_session, weekly_group

    program, priya, uma = support.program, support.priya, support.uma
    services.update_settings(actor=support.coordinator, program=program, data={"group_preparation_minutes": 20})
    from tests.support.helpers import certify

    certify(support.world, uma)
    # Priya leads, Uma co-facilitates; a group for grief and loss.
    group = weekly_group(support.world, co=[uma], areas=[support.grief])
    mia = add_member(support.world, group, "Mia Member")
    held = groups.take_attendance(
        actor=support.coordinator,
        session=past_session(group, 3),
        present=[mia],
        first_time_drop_ins=2,
        returning_drop_ins=1,
    )
    not_taken = past_session(group, 10)  # attendance never taken: not held, no hours
    cancelled = past_session(group, 17)
    groups.cancel_session(actor=support.coordinator, session=cancelled, note="Snow")
    info_kind = GroupKind.objects.get(program=program, name="Information session")
    info = weekly_group(support.world, name="Info evening", kind=info_kind, admission="drop_in")
    outreach = groups.take_attendance(
        actor=support.coordinator,
        session=past_session(info, 5),
        present=[],
        first_time_drop_ins=4,
        returning_drop_ins=0,
    )

    found = [e for e in ledger.entries(Scope(program)) if e.source.startswith("groups.session:")]
    by_key = {(e.source, e.supporter_id): e for e in found}
    assert set(by_key) == {
        (f"groups.session:{held.pk}", priya.pk),
        (f"groups.session:{held.pk}", uma.pk),
        (f"groups.session:{outreach.pk}", priya.pk),
    }
    assert f"groups.session:{not_taken.pk}" not in {e.source for e in found}
    assert f"groups.session:{cancelled.pk}" not in {e.source for e in found}
    lead = by_key[(f"groups.session:{held.pk}", priya.pk)]
    assert (lead.kind, lead.minutes, lead.group_id) == (Kind.GROUP, 90 + 20, group.pk)
    assert lead.members == (mia.participant_id,) and lead.drop_ins == 3
    assert lead.areas == ("Grief and loss",) and lead.participant_id is None
    assert "Mia" not in lead.description and "20 min preparation" in lead.description
    assert by_key[(f"groups.session:{outreach.pk}", priya.pk)].kind == Kind.OUTREACH
    # Scope: one supporter; a date range that leaves the older session out.
    only_uma = [e for e in ledger.entries(Scope(program, [uma.pk])) if e.source.startswith("groups.")]
    assert [e.source for e in only_uma] == [f"groups.session:{held.pk}"]
    recent = ledger.entries(Scope(program, [priya.pk], start=ago(4), end=ago(0)))
    assert [e.source for e in recent if e.source.startswith("groups.")] == [f"groups.session:{held.pk}"]
    # The sums agree with the entries, and a session corrected shows at once.
    assert ledger.minutes_by_supporter(program)[uma.pk] == 110
    from peerpath.groups.models import GroupSession

    GroupSession.objects.filter(pk=held.pk).update(duration_minutes=60)
    assert ledger.minutes_by_supporter(program)[uma.pk] == 80
    assert ledger.group_members_reached(found) == {mia.participant_id}


def test_a_covered_session_counts_for_the_colleague_who_covered_it(support: Any) -> None:
    """Cover moves a session's hours: the facilitator who asked for cover is not credited, the
    colleague who took it is (length + preparation), the lead keeps theirs."""
    from peerpath.groups import services as groups
    from peerpath.groups.models import GroupSession
    from tests.groups.helpers import colleague, weekly_group
    from tests.support.helpers import certify

    program, priya, uma = support.program, support.priya, support.uma
    certify(support.world, uma)
    cal = colleague(support.world, "Cal Cover")
    group = weekly_group(support.world, co=[uma])
    session = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).first()
    assert session is not None and uma.user is not None
    cover = groups.ask_for_cover(actor=uma.user, session=session, facilitator=uma, note="Away")
    groups.take_cover(actor=cal.user, cover=cover, supporter=cal)
    # The week passes and the session is held.
    moment = timezone.now() - dt.timedelta(days=2, minutes=7)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=moment, planned_for=moment)
    session.refresh_from_db()
    groups.take_attendance(
        actor=support.coordinator, session=session, present=[], first_time_drop_ins=1, returning_drop_ins=0
    )

    found = [e for e in ledger.entries(Scope(program)) if e.source == f"groups.session:{session.pk}"]
    assert sorted((e.supporter_id, e.minutes) for e in found) == sorted([(priya.pk, 120), (cal.pk, 120)])
    minutes = ledger.minutes_by_supporter(program)
    assert minutes.get(uma.pk, 0) == 0 and minutes[cal.pk] == 120
