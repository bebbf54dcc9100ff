"""The home page's panels kept rendered per person and data generation (peerpath.programs.fragments)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from peerpath.core import generation
from peerpath.core.navigation import HOME_PANELS
from tests.support.helpers import make_participant

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
PANELS = re.compile(r'<div class="grid">.*?</main>', re.S)


def panels_of(response: Any) -> str:
    """The panels part of a home page, without the form token (new on every page)."""
    assert response.status_code == 200
    found = PANELS.search(response.content.decode())
    assert found, "the home page shows no panel"
    return CSRF.sub("", found.group(0))


def people(support: Any) -> dict[str, Any]:
    world = support.world
    return {
        "coordinator": world.coordinator,
        "supervisor": world.supervisor,
        "trainer": world.trainer,
        "priya": world.supporter,
        "uma": support.uma_user,
    }


def test_the_cache_keeps_the_expensive_panels() -> None:
    kept = {panel.name for panel in HOME_PANELS if panel.cached}
    assert {"care_coordinator", "support_coordinator", "hours_me", "groups_supporter"} <= kept
    # The caseload panel records an audited read of participants; the notifications panel holds a form token.
    assert not kept & {"support_caseload", "support_notifications"}


def test_nobody_is_served_another_persons_panels(support: Any) -> None:
    """Each person sees, with the cache, exactly what they see without it, whoever viewed first."""
    path = reverse("programs:home", args=["riverside"])
    # Uma became active earlier than Priya: their "My status" panels differ only in that date.
    support.uma.stage_changed_at = timezone.now() - dt.timedelta(days=40)
    support.uma.save(update_fields=["stage_changed_at"])
    clients = {name: support.client_for(user) for name, user in people(support).items()}
    with override_settings(FRAGMENT_CACHE_SECONDS=0):
        expected = {name: panels_of(client.get(path)) for name, client in clients.items()}
    same = [(a, b) for a in expected for b in expected if a < b and expected[a] == expected[b]]
    assert not same, f"the personas should see different panels: {same}"
    for _round in range(2):  # the first round fills the cache, the second reads it
        for name, client in clients.items():
            assert panels_of(client.get(path)) == expected[name], name


def test_a_repeated_view_reads_the_kept_panels(support: Any) -> None:
    client = support.client_for(support.world.coordinator)
    path = reverse("programs:home", args=["riverside"])
    with CaptureQueriesContext(connection) as first:
        client.get(path)
    with CaptureQueriesContext(connection) as repeated:
        client.get(path)
    assert len(repeated) < len(first) - 5


def test_a_change_shows_on_the_next_view(support: Any) -> None:
    client = support.client_for(support.world.coordinator)
    path = reverse("programs:home", args=["riverside"])
    before = panels_of(client.get(path))
    waiting = re.search(r"<strong>(\d+)</strong>", before)
    assert waiting, "the coordinator's panel shows the waiting list"
    make_participant(support.world, full_name="New Person", email="new@example.net")
    after = panels_of(client.get(path))
    assert f"<strong>{int(waiting.group(1)) + 1}</strong>" in after


def posted(view: Any, program: Any = None, method: str = "post") -> None:
    """A request through BumpOnWrite; ``program`` as `program_view` would have set it."""
    request = getattr(RequestFactory(), method)("/")
    if program is not None:
        request.program = program

    def answer(request: Any) -> Any:
        return view()

    generation.BumpOnWrite(answer)(request)


@pytest.mark.django_db
def test_a_write_request_starts_a_new_generation_for_what_it_wrote(support: Any) -> None:
    """A service may change rows with update(), which sends no signal: a request that wrote moves
    its program on (every program when it was no program's page, or wrote an account); one that
    wrote nothing, or failed, moves nothing."""
    from django.http import HttpResponse

    from peerpath.core.models import User
    from peerpath.support.models import Participant

    riverside, harbor = support.world.program, support.world.other_program

    def tokens() -> tuple[str, str]:
        return generation.current(riverside.pk), generation.current(harbor.pk)

    def update_participants(status: int = 200) -> HttpResponse:
        Participant.objects.filter(program=riverside).update(area="Eastside")  # no signal
        return HttpResponse(status=status)

    before = tokens()
    posted(update_participants, riverside, method="get")
    assert tokens() == before  # a GET moves nothing, whatever it runs
    posted(lambda: HttpResponse(status=400), riverside)
    assert tokens() == before  # a form sent back with its errors wrote nothing
    posted(update_participants, riverside)
    after = tokens()
    assert after[0] != before[0] and after[1] == before[1]  # only the page's program
    posted(lambda: update_participants(status=500), riverside)
    assert tokens() == after  # a server error: rolled back
    posted(update_participants)
    moved = tokens()
    assert moved[0] != after[0] and moved[1] != after[1]  # no program's page: every program

    def rename() -> HttpResponse:
        User.objects.filter(pk=support.world.coordinator.pk).update(full_name="Cora C.")
        return HttpResponse()

    posted(rename, riverside)
    renamed = tokens()
    assert renamed[0] != moved[0] and renamed[1] != moved[1]  # names show in every program


@pytest.mark.django_db
def test_records_written_on_every_read_keep_the_generation(support: Any) -> None:
    from peerpath.core import audit

    before = generation.current(support.world.program.pk)
    audit.record(actor=support.world.coordinator, program=support.world.program, action="test.read")
    assert generation.current(support.world.program.pk) == before
    support.ana.save()
    assert generation.current(support.world.program.pk) != before


@pytest.mark.django_db
def test_saving_before_the_cache_table_exists_is_no_error(settings: Any, monkeypatch: Any) -> None:
    """`migrate` saves rows before `createcachetable` makes the database cache's table."""
    from django.db import transaction

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "not_made"}}
    monkeypatch.setattr(generation, "_cache_table_seen", False)
    with transaction.atomic():
        generation.bump(1)
        generation.bump(None)
    assert generation._cache_table_seen is False


@pytest.mark.parametrize("who", ["coordinator", "supervisor", "trainer", "priya"])
def test_a_repeated_home_page_runs_few_queries(support: Any, django_assert_max_num_queries: Any, who: str) -> None:
    """What a home page asks when its counting panels are kept: the person, their membership, the
    panels that are not kept (follow-ups, notifications) and the menu. Issue 21 asked for fewer
    than the 50 or so of a first view; this bound may only come down."""
    client = support.client_for(people(support)[who])
    path = reverse("programs:home", args=["riverside"])
    for _ in range(2):  # the first view creates settings rows (a change: the panels are computed again)
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_a_transaction_of_many_rows_renews_the_generation_once_now_and_once_at_commit(
    support: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """An import saves thousands of rows in one transaction: the generation is written twice, not per row."""
    renewed: list[str] = []
    original = generation._Renew.__call__
    monkeypatch.setattr(generation._Renew, "__call__", lambda self: (renewed.append(self.key), original(self)))
    before = generation.current(support.world.program.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            support.ana.save()
        assert renewed == [f"generation:{support.world.program.pk}"]
        # A page read the token in the same transaction: the next change renews it again.
        between = generation.current(support.world.program.pk)
        support.ana.save()
        assert generation.current(support.world.program.pk) != between
        assert renewed == [f"generation:{support.world.program.pk}"] * 2
    assert renewed == [f"generation:{support.world.program.pk}"] * 3
    assert generation.current(support.world.program.pk) != before
