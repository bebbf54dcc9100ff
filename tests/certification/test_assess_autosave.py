"""The assessment page saves ratings as they are chosen (htmx autosave), and says so only then."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.certification.models import CompetencyRating
from peerpath.core.models import AuditEntry
from tests.certification.helpers import ready_trainee

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_autosave_keeps_a_rating_audited_and_refreshes_the_outcome(world: Any) -> None:
    the_cohort, person = ready_trainee(world)
    first = world.program.competencies.filter(is_active=True).order_by("number").first()
    client = world.client_for(world.trainer)
    url = f"/p/riverside/certification/cohorts/{the_cohort.pk}/trainees/{person.pk}/assess/"
    page = client.get(url).content.decode()
    # Without scripts the page never claims a save that does not happen.
    assert "Saved as you go" not in page and "Save your ratings with" in page
    response = client.post(url, {f"level_{first.pk}": "developing", f"notes_{first.pk}": "Kind."}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved" in body and 'id="assessment-outcome"' in body and 'hx-swap-oob="true"' in body
    rating = CompetencyRating.objects.get(assessment__supporter=person, competency=first)
    assert (rating.level, rating.evidence_notes) == ("developing", "Kind.")
    audited = AuditEntry.objects.filter(action="certification.assessment.rate", target_id=str(rating.assessment_id))
    assert audited.exists()


def test_a_refused_autosave_says_not_saved_with_400(world: Any) -> None:
    the_cohort, person = ready_trainee(world)
    first = world.program.competencies.filter(is_active=True).order_by("number").first()
    client = world.client_for(world.trainer)
    url = f"/p/riverside/certification/cohorts/{the_cohort.pk}/trainees/{person.pk}/assess/"
    response = client.post(url, {f"level_{first.pk}": "excellent"}, **HTMX)
    assert response.status_code == 400 and "Not saved" in response.content.decode()
    assert not CompetencyRating.objects.filter(assessment__supporter=person).exists()


def test_another_programs_trainee_is_not_found(world: Any) -> None:
    the_cohort, _person = ready_trainee(world)
    client = world.client_for(world.trainer)
    url = f"/p/riverside/certification/cohorts/{the_cohort.pk}/trainees/{world.outsider_record.pk}/assess/"
    assert client.post(url, {}, **HTMX).status_code == 404
