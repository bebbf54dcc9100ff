"""The participant search keeps what was typed (a name, an e-mail, a phone) out of every URL.

The term is sent by POST and kept in the session; the page redirects to itself with the status
filter alone, and its pages, status tabs and downloads find the same participants without it.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peerpath.core.kept_search import keep_search, kept_search
from peerpath.support.models import ParticipantStatus
from tests.support.helpers import make_participant

pytestmark = pytest.mark.django_db

# Every URL a page can send the browser to: links, forms, htmx requests, scripts and styles.
URL_ATTRIBUTE = re.compile(r'(?:href|action|src|hx-get|hx-post|hx-push-url)="([^"]*)"')
SURNAME = "Quillfeather"


def url(name: str = "support:participants", *args: Any) -> str:
    return reverse(name, args=["riverside", *args])


def urls_in(response: Any) -> list[str]:
    return [u.replace("&amp;", "&") for u in URL_ATTRIBUTE.findall(response.content.decode())]


def assert_term_in_no_url(response: Any, *terms: str) -> None:
    found = [u for u in urls_in(response) if any(t.lower() in u.lower() for t in terms)]
    for header in ("Location", "HX-Push-Url", "HX-Redirect", "HX-Location"):
        if response.has_header(header) and any(t.lower() in response[header].lower() for t in terms):
            found.append(f"{header}: {response[header]}")
    assert not found, f"The search term is in a URL: {found}"


def rows_of(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def many(support: Any) -> list[Any]:
    """27 participants who share a surname (more than a page of 25), besides the support world's."""
    return [
        make_participant(
            support.world, full_name=f"Nadia {SURNAME}", email=f"nadia{n}@example.net", phone=f"555-07{n:02d}"
        )
        for n in range(27)
    ]


def test_a_search_by_name_is_posted_and_never_in_a_url(support: Any, many: list[Any]) -> None:
    client = support.client_for(support.coordinator)
    sent = client.post(url(), {"q": SURNAME, "status": ""})
    assert sent.status_code == 302 and sent["Location"] == url()
    page = client.get(sent["Location"])
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 27 and "Ana Lopez" not in page.content.decode()
    assert f'value="{SURNAME}"' in page.content.decode()  # the field shows the search in force
    assert_term_in_no_url(page, SURNAME)

    # The next page keeps the search, with nothing of it in its address.
    links = urls_in(page)
    next_page = next(u for u in links if "page=2" in u)
    second = client.get(url() + next_page)
    assert [p.full_name for p in second.context["page"]] == [f"Nadia {SURNAME}"] * 2
    assert_term_in_no_url(second, SURNAME)

    # "Download this list" downloads what the search found.
    download = next(u for u in links if "export=csv" in u)
    rows = rows_of(client.get(url() + download))
    assert len(rows) == 27 and {r["Participant"] for r in rows} == {f"Nadia {SURNAME}"}


@pytest.mark.parametrize("term", ["nadia3@example.net", "555-0703", "555 07 03"])
def test_searches_by_e_mail_and_phone_stay_out_of_urls_too(support: Any, many: list[Any], term: str) -> None:
    client = support.client_for(support.coordinator)
    sent = client.post(url(), {"q": term})
    page = client.get(sent["Location"])
    assert [p.pk for p in page.context["page"]] == [many[3].pk]
    assert_term_in_no_url(sent, term, "0703", "nadia3")
    assert_term_in_no_url(page, term, "0703", "nadia3")


def test_the_status_filter_stays_in_the_url_and_the_search_with_it(support: Any, many: list[Any]) -> None:
    client = support.client_for(support.coordinator)
    sent = client.post(url(), {"q": "Diaz", "status": ParticipantStatus.WAITING})
    assert sent.status_code == 302 and sent["Location"] == url() + "?status=waiting"
    page = client.get(sent["Location"])
    assert [p.pk for p in page.context["page"]] == [support.waiting.pk]
    assert_term_in_no_url(page, "Diaz")
    # The status tabs change the status and keep the search.
    matched = client.get(url() + "?status=matched")
    assert list(matched.context["page"]) == []
    everyone = client.get(url() + "?")
    assert [p.pk for p in everyone.context["page"]] == [support.waiting.pk]


def test_the_htmx_filter_posts_and_pushes_an_address_without_the_term(support: Any, many: list[Any]) -> None:
    """The status select posts the whole form with htmx; the redirect it follows is the address
    htmx pushes into the history."""
    client = support.client_for(support.coordinator)
    sent = client.post(url(), {"q": SURNAME, "status": "waiting"}, headers={"HX-Request": "true"})
    assert sent.status_code == 302 and sent["Location"] == url() + "?status=waiting"
    rows = client.get(sent["Location"], headers={"HX-Request": "true"})
    assert rows.templates[0].name == "support/_participant_rows.html"
    assert rows.context["page"].paginator.count == 27
    assert_term_in_no_url(rows, SURNAME)


def test_clearing_the_search_shows_everyone_again(support: Any, many: list[Any]) -> None:
    client = support.client_for(support.coordinator)
    client.post(url(), {"q": SURNAME})
    assert "Clear the search" in client.get(url()).content.decode()
    client.post(url(), {"q": SURNAME, "clear": "1"})
    page = client.get(url())
    assert page.context["page"].paginator.count == 30 and "Clear the search" not in page.content.decode()


def test_a_term_in_the_query_string_is_ignored_and_not_carried_on(support: Any, many: list[Any]) -> None:
    """An old bookmark with ?q=: the search is not run from it, and no link repeats it."""
    page = support.client_for(support.coordinator).get(url() + f"?q={SURNAME}&status=waiting")
    assert page.context["page"].paginator.count == 28  # every waiting participant
    assert_term_in_no_url(page, SURNAME)


def test_a_refused_search_is_a_400_with_the_field_error(support: Any) -> None:
    client = support.client_for(support.coordinator)
    refused = client.post(url(), {"q": "x" * 101})
    assert refused.status_code == 400 and "at most 100 characters" in refused.content.decode()
    assert kept_search(refused.wsgi_request, f"support.participants:{support.program.pk}") == ""


def test_each_person_finds_only_whom_they_may_see(support: Any, many: list[Any]) -> None:
    """The supporter's search runs over their own participants only, as the list does."""
    client = support.client_for(support.supporter)
    client.post(url(), {"q": SURNAME})
    assert list(client.get(url()).context["page"]) == []
    client.post(url(), {"q": "Lopez"})
    assert [p.pk for p in client.get(url()).context["page"]] == [support.ana.pk]


def test_a_search_is_kept_per_page_and_program_and_forgotten_at_sign_out(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    request = client.get("/").wsgi_request
    keep_search(request, "support.participants:1", "Okoro")
    keep_search(request, "support.participants:2", "Lopez")
    assert kept_search(request, "support.participants:1") == "Okoro"
    assert kept_search(request, "support.participants:2") == "Lopez"
    keep_search(request, "support.participants:1", "")
    assert kept_search(request, "support.participants:1") == ""
    assert kept_search(request, "support.participants:2") == "Lopez"
    request.session.flush()  # what signing out does
    assert kept_search(request, "support.participants:2") == ""
