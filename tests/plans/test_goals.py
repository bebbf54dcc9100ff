"""Goals and the shared plan: written in the participant's words, worked on in contacts,
reviewed every N weeks, met at the close; read and changed by exactly the people the
relationship's rule allows, encrypted and audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.plans import queries, services
from peerpath.plans.models import Goal, GoalProgress, GoalStatus, PlanReview
from peerpath.support.models import Contact, RelationshipState, SupportRelationship
from peerpath.support.services import matches
from peerpath.support.services import participants as support_participants
from tests.plans.helpers import contact_post, goal
from tests.support.test_encryption import dump_database

pytestmark = pytest.mark.django_db


def test_a_supporter_adds_a_goal_in_the_participants_words_and_it_is_encrypted_and_audited(support: Any) -> None:
    client = support.client_for(support.supporter)
    url = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/goals/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Sleep through the night zanzibar", "target_on": ""})
    made = Goal.objects.get(relationship=support.ana_rel)
    assert response.status_code == 302 and response["Location"] == f"/p/riverside/plans/goals/{made.pk}/"
    assert made.text == "Sleep through the night zanzibar" and made.status == GoalStatus.OPEN
    assert "zanzibar" not in dump_database()
    entry = AuditEntry.objects.get(action="goal.create")
    assert "zanzibar" not in str(entry.changes) and "zanzibar" not in entry.target_label
    # The page that showed it to the supporter recorded a read of the participant.
    assert AuditEntry.objects.filter(action="participant.view", target_id=str(support.ana.pk), note="new goal").exists()
    # The relationship page shows it.
    page = client.get(f"/p/riverside/support/relationships/{support.ana_rel.pk}/").content.decode()
    assert "Sleep through the night zanzibar" in page


def test_an_empty_goal_or_one_dated_before_the_match_is_refused_with_field_errors(support: Any) -> None:
    client = support.client_for(support.supporter)
    url = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/goals/new/"
    assert client.post(url, {"text": "   "}).status_code == 400
    long_ago = (timezone.localdate() - dt.timedelta(days=900)).isoformat()
    response = client.post(url, {"text": "Find a job", "target_on": long_ago})
    assert response.status_code == 400 and "after the match started" in response.content.decode()
    assert not Goal.objects.exists()


def test_the_contact_form_lists_open_goals_and_records_those_worked_on_with_the_contact(support: Any) -> None:
    walking, job = goal(support), goal(support, "Find part-time work")
    services.move_goal(actor=support.supporter, goal=goal(support, "Already done"), to=GoalStatus.MET)
    client = support.client_for(support.supporter)
    url = f"/p/riverside/support/relationships/{support.ana_rel.pk}/contacts/new/"
    form = client.get(url).content.decode()
    assert "Walk the dog every morning" in form and "Find part-time work" in form and "Already done" not in form
    response = client.post(url, contact_post(**{f"plan-worked_{walking.pk}": "on", f"plan-note_{walking.pk}": "Twice"}))
    assert response.status_code == 302
    contact = Contact.objects.get(relationship=support.ana_rel)
    progress = GoalProgress.objects.get()
    assert progress.goal == walking and progress.contact == contact and progress.note == "Twice"
    assert progress.noted_on == contact.contacted_on
    assert not GoalProgress.objects.filter(goal=job).exists()


def test_the_contact_draft_keeps_the_goals_ticked(support: Any) -> None:
    walking, job = goal(support), goal(support, "Find part-time work")
    client = support.client_for(support.supporter)
    url = f"/p/riverside/support/relationships/{support.ana_rel.pk}/contacts/new/"
    draft = f"/p/riverside/support/relationships/{support.ana_rel.pk}/contacts/draft/"
    typed = {"notes": "Talked about mornings", f"plan-worked_{walking.pk}": "on", f"plan-note_{walking.pk}": "Twice"}
    assert client.post(draft, typed).status_code == 200
    from peerpath.support.models import ContactDraft

    kept = ContactDraft.objects.get(relationship=support.ana_rel).values()
    assert kept["parts"] == {f"plan-worked_{walking.pk}": "on", f"plan-note_{walking.pk}": "Twice"}
    # Opened again (another device, the next day): the goal is ticked again, with its note.
    form = client.get(url).content.decode()
    ticked = re.search(rf'<input[^>]*name="plan-worked_{walking.pk}"[^>]*>', form).group(0)
    unticked = re.search(rf'<input[^>]*name="plan-worked_{job.pk}"[^>]*>', form).group(0)
    assert "checked" in ticked and "checked" not in unticked
    assert "Twice</textarea>" in form and "Talked about mornings</textarea>" in form
    # A goal met since the draft was kept is simply no longer offered.
    services.move_goal(actor=support.supporter, goal=walking, to=GoalStatus.MET)
    assert f"plan-worked_{walking.pk}" not in client.get(url).content.decode()


def test_a_note_on_an_unticked_goal_refuses_the_whole_contact(support: Any) -> None:
    walking = goal(support)
    client = support.client_for(support.supporter)
    url = f"/p/riverside/support/relationships/{support.ana_rel.pk}/contacts/new/"
    response = client.post(url, contact_post(**{f"plan-note_{walking.pk}": "Walked twice"}))
    assert response.status_code == 400 and "Tick the goal this note is about" in response.content.decode()
    assert not Contact.objects.exists() and not GoalProgress.objects.exists()


def test_who_reads_and_who_changes_a_plan(support: Any) -> None:
    made = goal(support)
    plan = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/"
    new = f"{plan}goals/new/"
    goal_page = f"/p/riverside/plans/goals/{made.pk}/"
    expected = {
        support.supporter: (200, 200),
        support.coordinator: (200, 200),
        support.supervisor: (200, 403),  # supervisors read only
        support.uma_user: (404, 404),  # another supporter: not found
        support.trainer: (403, 403),  # no role for plans
        support.outsider: (404, 404),  # another program
    }
    for user, (reads, writes) in expected.items():
        client = support.client_for(user)
        assert client.get(plan).status_code == reads, user
        assert client.get(goal_page).status_code == reads, user
        assert client.get(new).status_code == writes, user
    # A supervisor may not change the goal by posting to its page either.
    response = support.client_for(support.supervisor).post(goal_page, {"text": "Changed"})
    assert response.status_code == 403
    made.refresh_from_db()
    assert made.text == "Walk the dog every morning"


def test_a_closed_relationship_hides_the_plan_from_its_supporter_and_freezes_it(support: Any) -> None:
    made = goal(support)
    matches.close_relationship(actor=support.coordinator, relationship=support.ana_rel, close_reason="other")
    plan = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/"
    assert support.client_for(support.supporter).get(plan).status_code == 404
    assert support.client_for(support.supervisor).get(plan).status_code == 200
    coordinator = support.client_for(support.coordinator)
    assert coordinator.get(plan).status_code == 200
    assert coordinator.get(f"{plan}goals/new/").status_code == 403
    response = coordinator.post(f"/p/riverside/plans/goals/{made.pk}/status/", {"to": "met"})
    assert response.status_code == 403
    relationship_page = support.client_for(support.supporter).get(
        f"/p/riverside/support/relationships/{support.ana_rel.pk}/"
    )
    assert "Walk the dog every morning" not in relationship_page.content.decode()


def test_steps_progress_and_moves_through_the_goal_page(support: Any) -> None:
    made = goal(support)
    client = support.client_for(support.supporter)
    base = f"/p/riverside/plans/goals/{made.pk}/"
    assert client.post(f"{base}steps/", {"text": "Buy a lead", "owner": "participant"}).status_code == 302
    step = made.steps.get()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/p/riverside/plans/steps/{step.pk}/", {"text": "Buy a lead", "owner": "participant", "done_on": tomorrow}
    )
    assert response.status_code == 400
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/p/riverside/plans/steps/{step.pk}/", {"text": "Buy a lead", "owner": "participant", "done_on": today}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_on == timezone.localdate()
    assert client.post(f"{base}progress/", {"noted_on": today, "note": "First walk"}).status_code == 302
    assert client.post(f"{base}status/", {"to": "met"}).status_code == 302
    made.refresh_from_db()
    assert made.status == GoalStatus.MET and made.met_on == timezone.localdate()
    # A met goal records no more progress until it is taken up again.
    assert client.post(f"{base}progress/", {"noted_on": today, "note": "More"}).status_code == 400
    assert client.post(f"{base}status/", {"to": "open"}).status_code == 302
    made.refresh_from_db()
    assert made.status == GoalStatus.OPEN and made.met_on is None
    assert client.post(f"{base}status/", {"to": "bogus"}).status_code == 400


def test_the_step_service_checks_who_takes_it(support: Any) -> None:
    """Called without the form (the demo, an import): an unknown owner is a field error, none is
    "together", never a database error."""
    from django.core.exceptions import ValidationError

    from peerpath.plans import services

    made = goal(support)
    with pytest.raises(ValidationError) as refused:
        services.save_step(actor=support.supporter, goal=made, step=None, data={"text": "Call", "owner": "bogus"})
    assert "owner" in refused.value.message_dict
    step = services.save_step(actor=support.supporter, goal=made, step=None, data={"text": "Call"})
    assert step.owner == "together"


def test_a_plan_review_falls_due_every_n_weeks_among_the_supporters_follow_ups(support: Any) -> None:
    started = timezone.now() - dt.timedelta(weeks=7)
    SupportRelationship.objects.filter(pk=support.ana_rel.pk).update(activated_at=started)
    client = support.client_for(support.supporter)
    home = client.get("/p/riverside/").content.decode()
    assert "Plan review: Ana Lopez" in home
    assert "Plan review: Ana Lopez" in client.get("/p/riverside/support/my-participants/").content.decode()
    plan = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/"
    assert (
        client.post(
            f"{plan}reviews/", {"reviewed_on": timezone.localdate().isoformat(), "note": "Still on track"}
        ).status_code
        == 302
    )
    assert PlanReview.objects.get().note == "Still on track"
    assert "Plan review: Ana Lopez" not in client.get("/p/riverside/").content.decode()
    # A review in the future is refused.
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert client.post(f"{plan}reviews/", {"reviewed_on": future}).status_code == 400


def test_the_review_interval_is_the_programs_setting(support: Any) -> None:
    client = support.client_for(support.coordinator)
    assert (
        client.post("/p/riverside/plans/settings/", {"review_every_weeks": "0", "need_areas": "Housing"}).status_code
        == 400
    )
    response = client.post("/p/riverside/plans/settings/", {"review_every_weeks": "2", "need_areas": "Housing\nFood"})
    assert response.status_code == 302
    SupportRelationship.objects.filter(pk=support.ana_rel.pk).update(
        activated_at=timezone.now() - dt.timedelta(weeks=3)
    )
    assert "Plan review: Ana Lopez" in support.client_for(support.supporter).get("/p/riverside/").content.decode()
    assert support.client_for(support.supervisor).get("/p/riverside/plans/settings/").status_code == 403


def test_closing_with_goals_met_records_which(support: Any) -> None:
    walking, job, done = goal(support), goal(support, "Find part-time work"), goal(support, "Visit my sister")
    services.move_goal(actor=support.supporter, goal=done, to=GoalStatus.MET)
    client = support.client_for(support.supporter)
    page = client.get(f"/p/riverside/support/relationships/{support.ana_rel.pk}/").content.decode()
    assert "Which goals were met?" in page
    response = client.post(
        f"/p/riverside/support/relationships/{support.ana_rel.pk}/move/",
        {"action": "close", "close_reason": "goals_met", "note": "", "plan-goals_met": [str(walking.pk), str(done.pk)]},
    )
    assert response.status_code == 302
    support.ana_rel.refresh_from_db()
    assert support.ana_rel.state == RelationshipState.CLOSED
    walking.refresh_from_db()
    job.refresh_from_db()
    done.refresh_from_db()
    assert walking.status == GoalStatus.MET and walking.met_at_close
    assert done.met_at_close and job.status == GoalStatus.OPEN and not job.met_at_close


def test_closing_for_another_reason_records_no_goal(support: Any) -> None:
    walking = goal(support)
    client = support.client_for(support.supporter)
    response = client.post(
        f"/p/riverside/support/relationships/{support.ana_rel.pk}/move/",
        {"action": "close", "close_reason": "participant_ended", "plan-goals_met": [str(walking.pk)]},
    )
    assert response.status_code == 302
    walking.refresh_from_db()
    assert walking.status == GoalStatus.OPEN and not walking.met_at_close


def test_goals_and_progress_over_a_date_range(support: Any) -> None:
    today = timezone.localdate()
    walking, job = goal(support), goal(support, "Find part-time work")
    Goal.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    late = goal(support, "Set after the range")  # not in a range that ended before it was set
    services.record_progress(actor=support.supporter, goal=walking, on=today - dt.timedelta(days=20), note="early")
    services.record_progress(actor=support.supporter, goal=walking, on=today - dt.timedelta(days=5), note="in")
    services.save_step(
        actor=support.supporter,
        goal=job,
        step=None,
        data={"text": "CV", "owner": "together", "done_on": today - dt.timedelta(days=4)},
    )
    services.move_goal(actor=support.supporter, goal=job, to=GoalStatus.MET, on=today - dt.timedelta(days=2))
    start, end = today - dt.timedelta(days=10), today - dt.timedelta(days=3)
    rows = {row.goal.pk: row for row in queries.goals_and_progress(support.ana_rel, start, end)}
    assert late.pk not in rows
    assert [p.note for p in rows[walking.pk].progress] == ["in"]
    assert rows[walking.pk].status == GoalStatus.OPEN and not rows[walking.pk].met_in_range
    # The job goal was met after the range ended: still being worked on at its end.
    assert rows[job.pk].status == GoalStatus.OPEN and not rows[job.pk].met_in_range
    assert [s.text for s in rows[job.pk].steps_done] == ["CV"]
    whole = {row.goal.pk: row for row in queries.goals_and_progress(support.ana_rel, start, today)}
    assert whole[job.pk].status == GoalStatus.MET and whole[job.pk].met_in_range


def test_supervisors_see_goal_progress_of_their_supporters_only(support: Any) -> None:
    goal(support)
    services.record_progress(actor=support.supporter, goal=Goal.objects.get(), note="")
    page = support.client_for(support.supervisor).get("/p/riverside/plans/progress/").content.decode()
    assert "Ana Lopez" in page and "Ben Okoro" not in page  # Uma is not supervised by them
    everyone = support.client_for(support.coordinator).get("/p/riverside/plans/progress/").content.decode()
    assert "Ana Lopez" in everyone and "Ben Okoro" in everyone
    assert support.client_for(support.supporter).get("/p/riverside/plans/progress/").status_code == 403
    assert AuditEntry.objects.filter(action="participant.list", note="goal progress").exists()


def test_the_participants_export_and_erasure_cover_the_plan(support: Any) -> None:
    made = goal(support)
    services.record_progress(actor=support.supporter, goal=made, note="walked")
    services.record_review(actor=support.supporter, relationship=support.ana_rel, on=timezone.localdate(), note="ok")
    data = support_participants.export_participant(actor=support.coordinator, participant=support.ana)
    plan = data["plans"]["relationships"][0]
    assert plan["goals"][0]["goal"] == "Walk the dog every morning"
    assert plan["goals"][0]["progress"][0]["note"] == "walked" and plan["plan_reviews"][0]["note"] == "ok"
    matches.close_relationship(actor=support.coordinator, relationship=support.ana_rel, close_reason="other")
    support.ana.refresh_from_db()
    support_participants.erase_participant(actor=support.coordinator, participant=support.ana, reason="Asked by phone")
    assert not Goal.objects.exists() and not GoalProgress.objects.exists() and not PlanReview.objects.exists()
