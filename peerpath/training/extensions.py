"""Hooks through which later stages of the pathway add to training's pages, without training
importing them (certification adds assessment status to rosters and the outcome, certificate
and continuing education to a trainee's "My training" page; groups add their sessions and events
to a person's own calendar feed). Register in AppConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.models import Cohort


@dataclass(frozen=True)
class TraineeSection:
    name: str
    # (request, program, supporter) -> (template, context) or None when there is nothing to show
    render: Callable[[HttpRequest, Program, Supporter], tuple[str, dict[str, Any]] | None]
    order: int = 100


@dataclass(frozen=True)
class RosterStatus:
    name: str
    # (program, cohort, supporter ids, viewer's membership) -> {supporter id: {"label", "tone", "url"}};
    # a bounded number of queries
    compute: Callable[[Program, Cohort, Iterable[int], Membership], dict[int, dict[str, Any]]]


# What later apps add to a person's own calendar feed (groups: the sessions they facilitate and
# the events they are going to): (program, owner) -> iCalendar VEVENT components, in a fixed
# number of queries.
FEED_SOURCES: dict[str, Callable[[Program, Any], Iterable[Any]]] = {}


def register_feed_source(name: str, source: Callable[[Program, Any], Iterable[Any]]) -> None:
    FEED_SOURCES[name] = source


def feed_events(program: Program, owner: Any) -> list[Any]:
    """Every registered app's events for the person's own feed."""
    return [event for source in FEED_SOURCES.values() for event in source(program, owner)]


# Evidence of competencies that later apps keep (the practice lab's sessions attached as
# evidence, completed self-paced modules): (supporter, viewer's membership or None) ->
# {competency id: [{"label", "url"}, ...]}, in a fixed number of queries. "url" is empty when the
# viewer may not open the record it names (the page shows the label without a link).
EvidenceSource = Callable[[Supporter, Membership | None], dict[int, list[dict[str, str]]]]
EVIDENCE_SOURCES: dict[str, EvidenceSource] = {}


def register_evidence_source(name: str, source: EvidenceSource) -> None:
    EVIDENCE_SOURCES[name] = source


def other_evidence(supporter: Supporter, viewer: Membership | None = None) -> dict[int, list[dict[str, str]]]:
    """Every registered app's evidence for the trainee, by competency, linked where the viewer
    may open it."""
    merged: dict[int, list[dict[str, str]]] = {}
    for source in EVIDENCE_SOURCES.values():
        for competency_id, items in source(supporter, viewer).items():
            merged.setdefault(competency_id, []).extend(items)
    return merged


TRAINEE_SECTIONS: list[TraineeSection] = []
ROSTER_STATUS: list[RosterStatus] = []


def register_trainee_section(name: str, render: Callable[..., Any], order: int = 100) -> None:
    if not any(s.name == name for s in TRAINEE_SECTIONS):
        TRAINEE_SECTIONS.append(TraineeSection(name, render, order))
        TRAINEE_SECTIONS.sort(key=lambda s: s.order)


def register_roster_status(name: str, compute: Callable[..., Any]) -> None:
    if not any(s.name == name for s in ROSTER_STATUS):
        ROSTER_STATUS.append(RosterStatus(name, compute))


def trainee_sections(request: HttpRequest, program: Program, supporter: Supporter) -> list[dict[str, Any]]:
    sections = []
    for section in TRAINEE_SECTIONS:
        rendered = section.render(request, program, supporter)
        if rendered is not None:
            sections.append({"name": section.name, "template": rendered[0], "context": rendered[1]})
    return sections


def roster_status(
    program: Program, cohort: Cohort, supporter_ids: Iterable[int], membership: Membership
) -> dict[int, list[dict[str, Any]]]:
    ids = list(supporter_ids)
    merged: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for status in ROSTER_STATUS:
        for supporter_id, value in status.compute(program, cohort, ids, membership).items():
            merged.setdefault(supporter_id, []).append(value)
    return merged


# --- Course topics covered another way -------------------------------------------------------
# A trainee who missed a course session can, where the program allows it, cover its topics by
# work a later app records (credentials: a completed self-paced module on the topic). Training
# counts such a session as made up, and says by what; it never sees the later app's models.


@dataclass(frozen=True)
class TopicCredit:
    """Work that covers a course topic for one trainee: done on ``done_on`` and named by
    ``label`` (already in the reader's language, e.g. 'self-paced module “Listening”')."""

    topic_id: int
    done_on: dt.date
    label: str
    key: str  # the record it stands for, e.g. "credentials.learning:12"


@dataclass(frozen=True)
class TopicOffer:
    """A way still open to cover a topic (a published module on it), for "what is left to do"."""

    topic_id: int
    label: str
    url: str


@dataclass(frozen=True)
class CoverageSource:
    name: str
    # (program, supporter ids) -> {supporter id: [credits]}; one or two queries
    credits: Callable[[Program, list[int]], dict[int, list[TopicCredit]]]
    # (program, supporter id, topic ids) -> {topic id: [offers the supporter has not done]};
    # one or two queries
    offers: Callable[[Program, int, list[int]], dict[int, list[TopicOffer]]]


COVERAGE_SOURCES: dict[str, CoverageSource] = {}


def register_coverage_source(
    name: str,
    credits: Callable[[Program, list[int]], dict[int, list[TopicCredit]]],
    offers: Callable[[Program, int, list[int]], dict[int, list[TopicOffer]]],
) -> None:
    COVERAGE_SOURCES[name] = CoverageSource(name, credits, offers)


def topic_credits(program: Program, supporter_ids: Iterable[int]) -> dict[int, list[TopicCredit]]:
    """Every registered app's credits for the trainees, by trainee."""
    ids = list(supporter_ids)
    merged: dict[int, list[TopicCredit]] = {}
    if not ids:
        return merged
    for source in COVERAGE_SOURCES.values():
        for supporter_id, credits in source.credits(program, ids).items():
            merged.setdefault(supporter_id, []).extend(credits)
    return merged


def topic_offers(program: Program, supporter_id: int, topic_ids: Iterable[int]) -> dict[int, list[TopicOffer]]:
    """Every registered app's ways still open to the supporter to cover the topics, by topic."""
    ids = sorted(set(topic_ids))
    merged: dict[int, list[TopicOffer]] = {}
    if not ids:
        return merged
    for source in COVERAGE_SOURCES.values():
        for topic_id, offers in source.offers(program, supporter_id, ids).items():
            merged.setdefault(topic_id, []).extend(offers)
    return merged
