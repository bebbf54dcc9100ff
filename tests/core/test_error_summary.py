"""A form sent with mistakes starts with an error summary (error_summary.html) that lists every
problem, each a link to a field that is on the page."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r'<div class="error-summary" data-error-summary tabindex="-1">(.*?)</div>\s*</div>', re.S)


def summary_links(html: str) -> list[str]:
    found = SUMMARY.search(html)
    assert found, "no error summary on the page"
    assert "There is a problem" in found.group(1)
    return re.findall(r'<a href="#([^"]+)">', found.group(1))


def test_every_problem_is_a_link_to_its_field(world: Any) -> None:
    client = world.client_for(world.coordinator)
    response = client.post(
        "/p/riverside/certification/settings/", {"credential_name": "", "min_attendance_percent": "140"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    links = summary_links(html)
    assert "id_credential_name" in links and "id_min_attendance_percent" in links
    for target in links:
        assert f'id="{target}"' in html, target


def test_a_group_of_radios_links_to_its_first_choice(world: Any) -> None:
    from tests.certification.helpers import ready_trainee

    the_cohort, person = ready_trainee(world)
    client = world.client_for(world.trainer)
    url = f"/p/riverside/certification/cohorts/{the_cohort.pk}/trainees/{person.pk}/assess/"
    first = world.program.competencies.filter(is_active=True).order_by("number").first()
    response = client.post(url, {f"level_{first.pk}": "excellent"})
    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == [f"id_level_{first.pk}_0"]
    assert f'id="id_level_{first.pk}_0"' in html


def test_a_page_without_errors_has_no_summary(world: Any) -> None:
    html = world.client_for(world.coordinator).get("/p/riverside/certification/settings/").content.decode()
    assert "data-error-summary" not in html
