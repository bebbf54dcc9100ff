"""A supporter's progress toward the initial credential, read from the records each area keeps:

* training hours by domain: each course session they attended (present or late, not
  cancelled) counts its length, shared equally among the session's topics; a topic's share goes
  to the domain the topic is mapped to (unmapped topics count toward no domain); plus approved
  external trainings, in their domain, and self-paced learning modules completed (those set to
  count toward training), in their topic's domain;
* supervised hours: supervision meetings they attended (care), as the hours ledger reads them;
* experience hours: the rest of their service-hours ledger (contacts, groups facilitated,
  training delivered, other duties approved);
* documents: the qualifications the credential requires, current today;
* the exam: their latest result against the pass mark.

Computed on read, a fixed number of queries; `records` are the underlying rows, for the
application packet's CSV."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.program_settings import ProgramSettings
from peerpath.credentials import queries
from peerpath.credentials.models import (
    CredentialSettings,
    ExamResult,
    ExternalStatus,
    ExternalTraining,
    LearningCompletion,
    TrainingDomain,
)
from peerpath.credentials.status import State
from peerpath.hours import ledger
from peerpath.hours.models import Kind
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.training.models import ATTENDED, Attendance, Topic

HOURS = Decimal("0.01")
_SETTINGS = ProgramSettings(CredentialSettings)


def get_settings(program: Program) -> CredentialSettings:
    """The program's initial credential, created with the defaults on first use."""
    return _SETTINGS.get(program)


@dataclass
class Line:
    label: str
    counted: Decimal
    required: Decimal

    @property
    def met(self) -> bool:
        return self.counted >= self.required

    @property
    def missing(self) -> Decimal:
        return max(Decimal("0"), self.required - self.counted)

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(self.counted * 100 / self.required))


@dataclass
class Record:
    """One underlying record, as the packet's CSV lists it."""

    section: str
    day: dt.date
    description: str
    domain: str
    hours: Decimal
    source: str


@dataclass
class Progress:
    supporter: Supporter
    settings: CredentialSettings
    domains: list[Line]
    supervised: Line
    experience: Line
    documents: list[Any]  # QualificationStatus of each required document
    exam: ExamResult | None
    records: list[Record] = field(default_factory=list)

    @property
    def training_total(self) -> Decimal:
        return sum((d.counted for d in self.domains), Decimal("0"))

    @property
    def documents_met(self) -> bool:
        return all(d.state in (State.VALID, State.EXPIRING) for d in self.documents)

    @property
    def exam_met(self) -> bool:
        return not self.settings.exam_required or (self.exam is not None and self.exam.passed)

    @property
    def complete(self) -> bool:
        return (
            all(d.met for d in self.domains)
            and self.supervised.met
            and self.experience.met
            and self.documents_met
            and self.exam_met
        )


def _hours(value: Decimal) -> Decimal:
    return value.quantize(HOURS)


def progress(supporter: Supporter, today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    program = supporter.program
    settings = get_settings(program)
    domains = list(TrainingDomain.objects.filter(program=program).prefetch_related("topics"))
    domain_of: dict[int, TrainingDomain] = {}
    for domain in domains:
        for topic in domain.topics.all():
            domain_of.setdefault(topic.pk, domain)
    counted: dict[int, Decimal] = defaultdict(Decimal)
    records: list[Record] = []
    attended = (
        Attendance.objects.filter(
            supporter=supporter,
            status__in=ATTENDED,
            session__program=program,
            session__cohort__isnull=False,
            session__is_cancelled=False,
        )
        .select_related("session")
        .prefetch_related(Prefetch("session__topics", queryset=Topic.objects.only("pk", "title")))
        .order_by("session__starts_at")
    )
    for mark in attended:
        session = mark.session
        length = Decimal((session.ends_at - session.starts_at).total_seconds()) / 3600
        topics = list(session.topics.all())
        day = timezone.localtime(session.starts_at).date()
        if not topics:
            records.append(
                Record(_("Training"), day, session.title, "", _hours(length), f"training.session:{session.pk}")
            )
            continue
        share = length / len(topics)
        # One record per domain the session counted toward (its topics named), so the CSV's
        # rows add up to the figures.
        parts: dict[int | None, list[str]] = {}
        for topic in topics:
            mapped = domain_of.get(topic.pk)
            if mapped is not None:
                counted[mapped.pk] += share
            parts.setdefault(mapped.pk if mapped else None, []).append(topic.title)
        names = {d.pk: d.name for d in domains}
        for key, titles in parts.items():
            records.append(
                Record(
                    _("Training"),
                    day,
                    f"{session.title}: {'; '.join(titles)}",
                    names[key] if key is not None else "",
                    _hours(share * len(titles)),
                    f"training.session:{session.pk}",
                )
            )
    for external in ExternalTraining.objects.filter(supporter=supporter, status=ExternalStatus.APPROVED).select_related(
        "domain"
    ):
        counted[external.domain_id] += external.hours
        title = external.title + (f" ({external.provider})" if external.provider else "")
        records.append(
            Record(
                _("External training"),
                external.taken_on,
                title,
                external.domain.name,
                _hours(external.hours),
                f"credentials.external:{external.pk}",
            )
        )
    completions = LearningCompletion.objects.filter(
        supporter=supporter, module__counts_for_training=True
    ).select_related("module", "module__topic")
    for completion in completions:
        topic_id = completion.module.topic_id
        mapped = domain_of.get(topic_id) if topic_id is not None else None
        if mapped is not None:
            counted[mapped.pk] += completion.hours
        records.append(
            Record(
                _("Self-paced learning"),
                completion.completed_on,
                completion.module.title,
                mapped.name if mapped is not None else "",
                _hours(completion.hours),
                f"credentials.learning:{completion.pk}",
            )
        )
    entries = ledger.entries(ledger.Scope(program=program, supporter_ids=[supporter.pk]))
    supervised_minutes = experience_minutes = 0
    for entry in entries:
        section = _("Supervision") if entry.kind == Kind.SUPERVISION else _("Experience")
        if entry.kind == Kind.SUPERVISION:
            supervised_minutes += entry.minutes
        else:
            experience_minutes += entry.minutes
        records.append(Record(section, entry.day, entry.description, "", entry.hours, entry.source))
    documents = [
        s
        for s in queries.statuses(program, [supporter.pk], today)[supporter.pk]
        if s.qtype.pk in {d.pk for d in settings.documents.all()}
    ]
    exam = ExamResult.objects.filter(supporter=supporter).order_by("-taken_on", "-id").first()
    records.sort(key=lambda r: (r.section, r.day, r.source))
    return Progress(
        supporter=supporter,
        settings=settings,
        domains=[Line(d.name, _hours(counted[d.pk]), d.hours_required) for d in domains],
        supervised=Line(_("Supervised hours"), ledger.as_hours(supervised_minutes), settings.supervised_hours_required),
        experience=Line(_("Experience hours"), ledger.as_hours(experience_minutes), settings.experience_hours_required),
        documents=documents,
        exam=exam,
        records=records,
    )
