"""The whole program's records as one ZIP of CSV files with a data dictionary: no lock-in.

Each table is registered with its columns and what they mean. The archive holds what the
coordinator may see (the whole program); participant records, once present, are included
decrypted and the download is audited.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from peerpath.core.exports import csv_bytes
from peerpath.programs.models import Competency, FocusArea, Membership, Program
from peerpath.recruitment.models import Application, ScreeningInterview, StageChange, Supporter


@dataclass(frozen=True)
class ArchiveColumn:
    name: str
    meaning: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ArchiveTable:
    filename: str
    meaning: str
    rows: Callable[[Program], Iterable[Any]]
    columns: tuple[ArchiveColumn, ...]


TABLES: list[ArchiveTable] = []


def table(filename: str, meaning: str, rows: Callable[[Program], Iterable[Any]], *columns: tuple) -> None:
    TABLES.append(ArchiveTable(filename, meaning, rows, tuple(ArchiveColumn(*c) for c in columns)))


def attr(name: str) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        value = obj
        for part in name.split("."):
            value = getattr(value, part, None) if value is not None else None
        return value

    return get


table(
    "members.csv",
    "People with a role in the program.",
    lambda p: Membership.objects.filter(program=p).select_related("user").order_by("id").iterator(),
    ("id", "Membership id.", attr("id")),
    ("name", "Full name.", attr("user.full_name")),
    ("email", "Log-in e-mail.", attr("user.email")),
    ("roles", "Roles in the program.", attr("role_labels")),
    ("active", "Whether the membership is active.", attr("is_active")),
)
table(
    "competencies.csv",
    "The competency framework trainees are assessed against.",
    lambda p: Competency.objects.filter(program=p).order_by("number").iterator(),
    ("number", "Number in the framework.", attr("number")),
    ("title", "The competency.", attr("title")),
    ("core", "One of the general core competencies.", attr("is_core")),
    ("active", "Still assessed.", attr("is_active")),
)
table(
    "lived_experience_areas.csv",
    "Lived-experience areas the program serves.",
    lambda p: FocusArea.objects.filter(program=p).order_by("position").iterator(),
    ("id", "Area id.", attr("id")),
    ("name", "Area.", attr("name")),
    ("active", "Offered on forms.", attr("is_active")),
)
table(
    "supporters.csv",
    "Everyone on the pathway, from applicants to alumni.",
    lambda p: Supporter.objects.filter(program=p).select_related("supervisor").order_by("id").iterator(),
    ("id", "Person id (used by the other files).", attr("id")),
    ("full_name", "Name.", attr("full_name")),
    ("email", "E-mail.", attr("email")),
    ("phone", "Phone.", attr("phone")),
    ("stage", "Current pathway stage.", attr("stage")),
    ("stage_since", "When they reached it.", attr("stage_changed_at")),
    ("source", "How they heard of the program.", attr("source")),
    ("languages", "Languages spoken.", attr("languages")),
    ("supervisor", "Supervisor's e-mail.", attr("supervisor.email")),
    ("created_at", "When they first applied or were added.", attr("created_at")),
)
table(
    "applications.csv",
    "Applications received through the public form.",
    lambda p: Application.objects.filter(program=p).order_by("id").iterator(),
    ("id", "Application id.", attr("id")),
    ("supporter_id", "The person (supporters.csv id).", attr("supporter_id")),
    ("submitted_at", "When it was sent.", attr("submitted_at")),
    ("source", "How they heard of the program.", attr("source")),
    ("clinician_name", "Referring clinician, if any.", attr("clinician_name")),
    ("motivation", "Why they want to become a peer supporter.", attr("motivation")),
    ("availability", "Availability.", attr("availability")),
    ("consent_to_contact", "Agreed to be contacted.", attr("consent_to_contact")),
)
table(
    "pathway_history.csv",
    "Every move along the pathway.",
    lambda p: StageChange.objects.filter(supporter__program=p).select_related("actor").order_by("id").iterator(),
    ("supporter_id", "The person (supporters.csv id).", attr("supporter_id")),
    ("from_stage", "Stage before.", attr("from_stage")),
    ("to_stage", "Stage after.", attr("to_stage")),
    ("by", "Who moved them.", attr("actor.email")),
    ("reason", "Why.", attr("reason")),
    ("at", "When.", attr("created_at")),
)
table(
    "screening_interviews.csv",
    "Screening interviews and their decisions.",
    lambda p: ScreeningInterview.objects.filter(program=p).select_related("interviewer").order_by("id").iterator(),
    ("id", "Interview id.", attr("id")),
    ("supporter_id", "The person (supporters.csv id).", attr("supporter_id")),
    ("scheduled_for", "When.", attr("scheduled_for")),
    ("interviewer", "Interviewer's e-mail.", attr("interviewer.email")),
    ("status", "scheduled, completed or cancelled.", attr("status")),
    ("decision", "accept, not_yet, redirect or decline.", attr("decision")),
    ("notes", "Interviewer's notes.", attr("notes")),
)


def data_dictionary() -> bytes:
    rows = [(t.filename, c.name, c.meaning) for t in TABLES for c in t.columns]
    return csv_bytes(["file", "column", "meaning"], rows)


def readme(program: Program) -> str:
    lines = [f"# {program.name}: records archive", "", "Files (CSV, UTF-8):", ""]
    lines += [f"- {t.filename}: {t.meaning}" for t in TABLES]
    lines += ["", "data_dictionary.csv explains every column.", ""]
    return "\n".join(lines)


def build_archive(program: Program) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", readme(program))
        archive.writestr("data_dictionary.csv", data_dictionary())
        for t in TABLES:
            rows = ([c.value(obj) for c in t.columns] for obj in t.rows(program))
            archive.writestr(t.filename, csv_bytes([c.name for c in t.columns], rows))
    return buffer.getvalue()
