"""Importers: check every row of a file, then save all of it or none of it.

An importer names its columns, turns one row of text into clean values (or errors naming the
row and the field) and saves the clean rows in one transaction through the apps' services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.models import normalize_email
from peerpath.core.permissions import Role
from peerpath.exchange.reading import Row
from peerpath.programs.models import FocusArea, Membership, Program
from peerpath.programs.services import add_member
from peerpath.recruitment.models import ContactPreference, Source, Stage, StageChange, Supporter


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


class RowInvalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def parse_date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise RowInvalid(field, f"'{value}' is not a date; write it as YYYY-MM-DD.") from None


def parse_yes_no(value: str, field: str) -> bool:
    if value.lower() in ("", "no", "n", "false", "0"):
        return False
    if value.lower() in ("yes", "y", "true", "1"):
        return True
    raise RowInvalid(field, f"Write yes or no, not '{value}'.")


def choice(value: str, choices: Any, field: str, default: str | None = None) -> str:
    """Accept a choice by its value or its label, in any case."""
    if not value and default is not None:
        return default
    lookup = {c.value.lower(): c.value for c in choices} | {c.label.lower(): c.value for c in choices}
    try:
        return lookup[value.strip().lower()]
    except KeyError:
        allowed = ", ".join(c.value for c in choices)
        raise RowInvalid(field, f"'{value}' is not one of: {allowed}.") from None


class Importer:
    kind: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    columns: ClassVar[list[Column]]

    def prepare(self, program: Program) -> dict[str, Any]:
        """Look-ups shared by every row (a fixed number of queries)."""
        return {}

    def clean(self, program: Program, row: Row, context: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def save(self, *, actor: Any, program: Program, rows: list[dict[str, Any]], source: str) -> int:
        raise NotImplementedError

    def validate(self, program: Program, rows: list[Row]) -> tuple[list[dict[str, Any]], list[RowError]]:
        context = self.prepare(program)
        cleaned, errors = [], []
        for row in rows:
            missing = [c.name for c in self.columns if c.required and not row.values.get(c.name, "").strip()]
            if missing:
                errors.extend(RowError(row.number, name, "This value is required.") for name in missing)
                continue
            try:
                cleaned.append({"row": row.number, **self.clean(program, row, context)})
            except RowInvalid as problem:
                errors.append(RowError(row.number, problem.field, problem.message))
        return cleaned, errors

    def run(self, *, actor: Any, program: Program, rows: list[Row], source: str) -> tuple[int, list[RowError]]:
        """Validate every row; save them all in one transaction only if none has an error."""
        cleaned, errors = self.validate(program, rows)
        if errors:
            return 0, errors
        with transaction.atomic():
            count = self.save(actor=actor, program=program, rows=cleaned, source=source)
            audit.record(
                actor=actor,
                program=program,
                action=f"import.{self.kind}",
                target_type="exchange.import",
                target_label=source,
                note=f"{count} rows from {source}",
            )
        return count, []


class SupporterImporter(Importer):
    kind = "supporters"
    title = "Supporters"
    description = (
        "People already on your pathway (trainees, active supporters, alumni) from the records you kept before. "
        "Each becomes a person on the pathway at the stage given; with create_account=yes they also get a "
        "login with the supporter role and an invitation e-mail."
    )
    columns = [
        Column("full_name", True, "Their name.", "Alex Morgan"),
        Column("email", True, "E-mail address; unique in the program.", "alex@example.org"),
        Column("phone", False, "Phone number.", "555-0100"),
        Column("preferred_contact", False, "email, phone or text (default email).", "email"),
        Column("languages", False, "Separated by semicolons.", "English; Spanish"),
        Column("lived_experience", False, "The program's lived-experience areas, separated by semicolons.", ""),
        Column("stage", True, "Pathway stage, e.g. in_training, active, on_break, inactive, alumni.", "active"),
        Column("source", False, "flyer, former_participant, clinician or other (default other).", "other"),
        Column("supervisor_email", False, "E-mail of one of the program's supervisors.", ""),
        Column("since", False, "Date they reached this stage, YYYY-MM-DD (default today).", "2024-03-01"),
        Column("create_account", False, "yes to give them a login and send an invitation (default no).", "no"),
    ]

    def prepare(self, program: Program) -> dict[str, Any]:
        return {
            "areas": {a.name.lower(): a.pk for a in FocusArea.objects.filter(program=program)},
            "supervisors": {
                m.user.email: m.user_id
                for m in Membership.objects.filter(program=program).with_role(Role.SUPERVISOR).select_related("user")
            },
            "existing": set(Supporter.objects.filter(program=program).values_list("email", flat=True)),
            "seen": set(),
        }

    def clean(self, program: Program, row: Row, context: dict[str, Any]) -> dict[str, Any]:
        v = row.values
        email = normalize_email(v.get("email", ""))
        try:
            validate_email(email)
        except ValidationError:
            raise RowInvalid("email", f"'{v.get('email')}' is not an e-mail address.") from None
        if email in context["existing"]:
            raise RowInvalid("email", f"{email} is already a person in this program.")
        if email in context["seen"]:
            raise RowInvalid("email", f"{email} appears twice in the file.")
        context["seen"].add(email)
        areas = []
        for name in split_list(v.get("lived_experience", "")):
            if name.lower() not in context["areas"]:
                raise RowInvalid("lived_experience", f"'{name}' is not one of the program's lived-experience areas.")
            areas.append(context["areas"][name.lower()])
        supervisor = normalize_email(v.get("supervisor_email", ""))
        if supervisor and supervisor not in context["supervisors"]:
            raise RowInvalid("supervisor_email", f"{supervisor} is not a supervisor in this program.")
        since = parse_date(v.get("since", ""), "since")
        if since and since > timezone.localdate():
            raise RowInvalid("since", "The date cannot be in the future.")
        return {
            "full_name": v["full_name"].strip()[:200],
            "email": email,
            "phone": v.get("phone", "")[:40],
            "preferred_contact": choice(
                v.get("preferred_contact", ""), ContactPreference, "preferred_contact", "email"
            ),
            "languages": split_list(v.get("languages", "")),
            "areas": areas,
            "stage": choice(v["stage"], Stage, "stage"),
            "source": choice(v.get("source", ""), Source, "source", Source.OTHER),
            "supervisor_id": context["supervisors"].get(supervisor),
            "since": since.isoformat() if since else None,
            "create_account": parse_yes_no(v.get("create_account", ""), "create_account"),
        }

    def save(self, *, actor: Any, program: Program, rows: list[dict[str, Any]], source: str) -> int:
        now = timezone.now()
        for row in rows:
            since = timezone.make_aware(dt.datetime.fromisoformat(row["since"])) if row["since"] else now
            person = Supporter.objects.create(
                program=program,
                full_name=row["full_name"],
                email=row["email"],
                phone=row["phone"],
                preferred_contact=row["preferred_contact"],
                languages=row["languages"],
                source=row["source"],
                stage=row["stage"],
                stage_changed_at=since,
                supervisor_id=row["supervisor_id"],
                created_at=since,
            )
            person.focus_areas.set(row["areas"])
            StageChange.objects.create(
                supporter=person,
                from_stage="",
                to_stage=row["stage"],
                actor=actor,
                reason=f"Imported from {source}",
                created_at=since,
            )
            if row["create_account"]:
                membership = add_member(
                    actor=actor, program=program, email=row["email"], full_name=row["full_name"], roles={Role.SUPPORTER}
                )
                person.user = membership.user
                person.save(update_fields=["user"])
            audit.record(actor=actor, program=program, action="supporter.import", target=person, note=source)
        return len(rows)


IMPORTERS: dict[str, Importer] = {importer.kind: importer for importer in [SupporterImporter()]}
