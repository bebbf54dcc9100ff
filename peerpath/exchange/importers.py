"""Importers: check every row of a file, then save all of it or none of it.

An importer names its columns, turns one row of text into clean values (and every problem of the
row, each naming the row and the field: one pass shows them all) and saves the clean rows in one
transaction through the apps' services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from peerpath.core import audit
from peerpath.core.bulk import PreparedRows, reserve_ids
from peerpath.core.encryption import digests_any_key
from peerpath.core.exports import Sheet, workbook_bytes
from peerpath.core.languages import later
from peerpath.core.models import AuditEntry, User, normalize_email
from peerpath.core.permissions import Role
from peerpath.exchange.reading import Row
from peerpath.plans import defaults as plans_defaults
from peerpath.plans import services as plans_services
from peerpath.plans.models import Resource
from peerpath.programs.models import FocusArea, Membership, Program
from peerpath.programs.services import add_member
from peerpath.recruitment.forms import split_languages
from peerpath.recruitment.models import ContactPreference, Source, Stage, StageChange, Supporter
from peerpath.support.defaults import get_settings
from peerpath.support.models import AgeBand, Availability, Criterion, Gender, Mode, SearchTerm
from peerpath.support.notify import coordinators, notify
from peerpath.support.search_terms import terms_for
from peerpath.support.services import common as support_common
from peerpath.support.services import participants as support_participants


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str | Promise  # gettext_lazy: read in the language of the page or the template
    example: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


class RowInvalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message


T = TypeVar("T")


@dataclass
class RowProblems:
    """Every problem found in one row: a check adds its problem here and the row's cleaning goes on
    with the next column, so the preview lists all of a row's problems at once."""

    row: int
    errors: list[RowError] = dataclass_field(default_factory=list)

    def add(self, column: str, message: str) -> None:
        if not any(e.field == column and e.message == message for e in self.errors):
            self.errors.append(RowError(self.row, column, message))

    def get(self, check: Callable[..., T], *args: Any, fallback: T) -> T:
        """`check(*args)`, or `fallback` after noting its problem."""
        try:
            return check(*args)
        except RowInvalid as problem:
            self.add(problem.field, problem.message)
            return fallback

    def columns(self) -> set[str]:
        return {e.field for e in self.errors}


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def parse_date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise RowInvalid(field, _("'%(value)s' is not a date; write it as YYYY-MM-DD.") % {"value": value}) from None


def parse_yes_no(value: str, field: str) -> bool:
    if value.lower() in ("", "no", "n", "false", "0"):
        return False
    if value.lower() in ("yes", "y", "true", "1"):
        return True
    raise RowInvalid(field, _("Write yes or no, not '%(value)s'.") % {"value": value})


def choice(value: str, choices: Any, field: str, default: str | None = None) -> str:
    """Accept a choice by its value or its label, in any case."""
    if not value and default is not None:
        return default
    lookup = {c.value.lower(): c.value for c in choices} | {c.label.lower(): c.value for c in choices}
    try:
        return lookup[value.strip().lower()]
    except KeyError:
        allowed = ", ".join(c.value for c in choices)
        raise RowInvalid(
            field, _("'%(value)s' is not one of: %(allowed)s.") % {"value": value, "allowed": allowed}
        ) from None


class RowsInvalid(Exception):
    """Raised while preparing the rows when a service refuses one: nothing is written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


class Importer:
    """One kind of file. An import is all or nothing and keeps the write lock briefly: every row is
    checked (`validate`) and turned into the records to insert (`build`) before any write, then
    `commit` inserts them in bulk in one short transaction (on SQLite, one process writes at a
    time: the lock is held for the inserts, not for reading and checking 5,000 rows)."""

    kind: ClassVar[str]
    title: ClassVar[str | Promise]
    description: ClassVar[str | Promise]
    columns: ClassVar[list[Column]]
    confidential: ClassVar[bool] = False

    def prepare(self, program: Program) -> dict[str, Any]:
        """Look-ups shared by every row (a fixed number of queries)."""
        return {}

    def clean(self, program: Program, row: Row, context: dict[str, Any], problems: RowProblems) -> dict[str, Any]:
        """The row's clean values; each problem goes to `problems` (a column already known to be
        missing is not reported again) and cleaning goes on, so every problem is found."""
        raise NotImplementedError

    def check_all(self, program: Program, cleaned: list[dict[str, Any]], context: dict[str, Any]) -> list[RowError]:
        """Checks across the whole file that need the database (in a fixed number of queries)."""
        return []

    def build(self, *, actor: User, program: Program, rows: list[dict[str, Any]], source: str) -> Any:
        """The records the clean rows become, made (and refused, with `RowsInvalid`) before the
        write transaction; reads only."""
        raise NotImplementedError

    def write(self, *, actor: User, program: Program, built: Any, source: str) -> int:
        """Insert what `build` made, in bulk; runs inside the one write transaction, so it reads
        nothing it could have read before. Returns the number of rows imported."""
        raise NotImplementedError

    def validate(self, program: Program, rows: list[Row]) -> tuple[list[dict[str, Any]], list[RowError]]:
        context = self.prepare(program)
        cleaned: list[dict[str, Any]] = []
        errors: list[RowError] = []
        refused: list[dict[str, Any]] = []  # rows with problems still get the checks across the file
        for row in rows:
            missing = [c.name for c in self.columns if c.required and not row.values.get(c.name, "").strip()]
            problems = RowProblems(row.number)
            values = {"row": row.number, **self.clean(program, row, context, problems)}
            errors.extend(e for e in problems.errors if e.field not in missing)
            errors.extend(RowError(row.number, name, _("This value is required.")) for name in missing)
            (refused if missing or problems.errors else cleaned).append(values)
        errors.extend(self.check_all(program, cleaned + refused, context))
        order = {c.name: i for i, c in enumerate(self.columns)}
        errors.sort(key=lambda e: (e.row, order.get(e.field, len(order)), e.field))
        return cleaned, errors

    def stage(self, *, actor: User, program: Program, rows: list[Row], source: str) -> tuple[Any, list[RowError]]:
        """Validate every row and build its records, writing nothing: what `commit` writes, or the
        errors (every row's) when any row is refused."""
        cleaned, errors = self.validate(program, rows)
        if errors:
            return None, errors
        try:
            return self.build(actor=actor, program=program, rows=cleaned, source=source), []
        except RowsInvalid as refused:
            return None, refused.errors

    def commit(self, *, actor: User, program: Program, staged: Any, source: str) -> int:
        """Write a staged file and the import's audit entry. Call inside the write transaction."""
        count = self.write(actor=actor, program=program, built=staged, source=source)
        audit.record(
            actor=actor,
            program=program,
            action=f"import.{self.kind}",
            target_type="exchange.import",
            target_label=source,
            note=f"{count} rows from {source}",
        )
        return count

    def run(self, *, actor: User, program: Program, rows: list[Row], source: str) -> tuple[int, list[RowError]]:
        """Validate and build every row, then save them all in one short transaction, only if
        none has an error (every row's errors are reported)."""
        staged, errors = self.stage(actor=actor, program=program, rows=rows, source=source)
        if errors:
            return 0, errors
        with transaction.atomic():
            return self.commit(actor=actor, program=program, staged=staged, source=source), []


class SupporterImporter(Importer):
    kind = "supporters"
    title = gettext_lazy("Supporters")
    description = gettext_lazy(
        "People already on your pathway (trainees, active supporters, alumni) from the records you kept before. "
        "Each becomes a person on the pathway at the stage given; with create_account=yes they also get a "
        "login with the supporter role and an invitation e-mail."
    )
    columns = [
        Column("full_name", True, gettext_lazy("Their name."), "Alex Morgan"),
        Column("email", True, gettext_lazy("E-mail address; unique in the program."), "alex@example.org"),
        Column("phone", False, gettext_lazy("Phone number."), "555-0100"),
        Column("preferred_contact", False, gettext_lazy("email, phone or text (default email)."), "email"),
        Column("languages", False, gettext_lazy("Separated by semicolons."), "English; Spanish"),
        Column(
            "lived_experience",
            False,
            gettext_lazy("The program's lived-experience areas, separated by semicolons."),
            "",
        ),
        Column(
            "stage",
            True,
            gettext_lazy("Pathway stage, e.g. in_training, active, on_break, inactive, alumni."),
            "active",
        ),
        Column(
            "source", False, gettext_lazy("flyer, former_participant, clinician or other (default other)."), "other"
        ),
        Column("supervisor_email", False, gettext_lazy("E-mail of one of the program's supervisors."), ""),
        Column("since", False, gettext_lazy("Date they reached this stage, YYYY-MM-DD (default today)."), "2024-03-01"),
        Column(
            "create_account", False, gettext_lazy("yes to give them a login and send an invitation (default no)."), "no"
        ),
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

    def clean(self, program: Program, row: Row, context: dict[str, Any], problems: RowProblems) -> dict[str, Any]:
        v = row.values
        email = normalize_email(v.get("email", ""))
        try:
            validate_email(email)
        except ValidationError:
            problems.add("email", _("'%(value)s' is not an e-mail address.") % {"value": v.get("email")})
        else:
            if email in context["existing"]:
                problems.add("email", _("%(email)s is already a person in this program.") % {"email": email})
            elif email in context["seen"]:
                problems.add("email", _("%(email)s appears twice in the file.") % {"email": email})
            context["seen"].add(email)
        areas = []
        for name in split_list(v.get("lived_experience", "")):
            if name.lower() not in context["areas"]:
                problems.add(
                    "lived_experience",
                    _("'%(name)s' is not one of the program's lived-experience areas.") % {"name": name},
                )
            else:
                areas.append(context["areas"][name.lower()])
        supervisor = normalize_email(v.get("supervisor_email", ""))
        if supervisor and supervisor not in context["supervisors"]:
            problems.add(
                "supervisor_email", _("%(email)s is not a supervisor in this program.") % {"email": supervisor}
            )
        since = problems.get(parse_date, v.get("since", ""), "since", fallback=None)
        if since and since > timezone.localdate():
            problems.add("since", _("The date cannot be in the future."))
        return {
            "full_name": v.get("full_name", "").strip()[:200],
            "email": email,
            "phone": v.get("phone", "")[:40],
            "preferred_contact": problems.get(
                choice, v.get("preferred_contact", ""), ContactPreference, "preferred_contact", "email", fallback=""
            ),
            "languages": split_list(v.get("languages", "")),
            "areas": areas,
            "stage": problems.get(choice, v.get("stage", ""), Stage, "stage", fallback=""),
            "source": problems.get(choice, v.get("source", ""), Source, "source", Source.OTHER, fallback=""),
            "supervisor_id": context["supervisors"].get(supervisor),
            "since": since.isoformat() if since else None,
            "create_account": problems.get(parse_yes_no, v.get("create_account", ""), "create_account", fallback=False),
        }

    def build(self, *, actor: User, program: Program, rows: list[dict[str, Any]], source: str) -> NewSupporters:
        """The people, their areas, pathway entries and audit entries as rows to insert."""
        now = timezone.now()
        people, areas, area_owner, changes, entries, accounts = [], [], [], [], [], []
        through = Supporter.focus_areas.through
        for i, row in enumerate(rows):
            since = timezone.make_aware(dt.datetime.fromisoformat(row["since"])) if row["since"] else now
            person = Supporter(
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
            people.append(person)
            for area in row["areas"]:
                areas.append(through(focusarea_id=area))
                area_owner.append(i)
            changes.append(
                StageChange(
                    from_stage="",
                    to_stage=row["stage"],
                    actor=actor,
                    reason=_("Imported from %(source)s") % {"source": source},
                    created_at=since,
                )
            )
            entries.append(
                audit.entry(
                    actor=actor,
                    program=program,
                    action="supporter.import",
                    target_type=Supporter._meta.label_lower,
                    target_label=str(person),
                    note=source,
                )
            )
            if row["create_account"]:
                accounts.append(i)
        return NewSupporters(
            people=PreparedRows(Supporter, people, with_ids=True),
            areas=PreparedRows(through, areas),
            area_owner=area_owner,
            stage_changes=PreparedRows(StageChange, changes),
            entries=PreparedRows(AuditEntry, entries),
            accounts=[(i, rows[i]["email"], rows[i]["full_name"]) for i in accounts],
        )

    def write(self, *, actor: User, program: Program, built: NewSupporters, source: str) -> int:
        """Insert the rows, each table's in one statement. A row asking for an account gets it
        through `add_member` (the invitation with it), one by one."""
        ids = reserve_ids(Supporter, len(built.people))
        built.people.set_column("id", ids)
        built.people.insert()
        built.areas.set_column("supporter_id", [ids[i] for i in built.area_owner])
        built.areas.insert()
        built.stage_changes.set_column("supporter_id", ids)
        built.stage_changes.insert()
        built.entries.set_column("target_id", [str(i) for i in ids])
        built.entries.insert()
        for i, email, full_name in built.accounts:
            membership = add_member(
                actor=actor, program=program, email=email, full_name=full_name, roles={Role.SUPPORTER}
            )
            Supporter.objects.filter(pk=ids[i]).update(user=membership.user)
        return len(ids)


@dataclass
class NewSupporters:
    """A supporters file, built: the rows to insert; ``area_owner`` says whose each area row is,
    ``accounts`` which rows (index, e-mail, name) get a login."""

    people: PreparedRows
    areas: PreparedRows
    area_owner: list[int]
    stage_changes: PreparedRows
    entries: PreparedRows
    accounts: list[tuple[int, str, str]]


def choice_list(value: str, choices: Any, field: str) -> list[str]:
    """Several choices separated by semicolons (or commas), each by its value or its label."""
    found: list[str] = []
    unknown: list[str] = []
    for part in split_list(value):
        try:
            picked = choice(part, choices, field)
        except RowInvalid:
            unknown.append(f"'{part}'")
            continue
        if picked not in found:
            found.append(picked)
    if unknown:
        allowed = ", ".join(c.value for c in choices)
        raise RowInvalid(
            field,
            ngettext("%(values)s is not one of: %(allowed)s.", "%(values)s are not one of: %(allowed)s.", len(unknown))
            % {"values": ", ".join(unknown), "allowed": allowed},
        )
    return found


def text(value: str, field: str, max_length: int) -> str:
    value = value.strip()
    if len(value) > max_length:
        raise RowInvalid(
            field, _("At most %(max)s characters (this has %(n)s).") % {"max": max_length, "n": len(value)}
        )
    return value


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


# Fields of support's service (and its form) -> the columns of the file.
PARTICIPANT_FIELD_COLUMNS = {"focus_areas": "lived_experience", "consent_at": "consent_date"}


class ParticipantImporter(Importer):
    """Participants from the lists a program kept before, onto the waiting list.

    Each row is checked like the participant form (`support.forms.ParticipantForm`) and saved
    through `support.services.participants.prepare_imported_participant`: the same rules, encryption, search index
    and audit entry as a participant added by hand. A row whose e-mail or phone already
    belongs to a participant of the program (found through the blind search index), or
    appears twice in the file, is refused.
    """

    kind = "participants"
    title = gettext_lazy("Participants")
    confidential = True
    description = gettext_lazy(
        "People waiting for a peer supporter, from the lists you kept before. Each joins the waiting list with "
        "the same checks, encryption and audit entry as a participant added by hand; nobody is contacted. "
        "Someone whose e-mail or phone is already in the program is refused, so a file can be corrected and "
        "uploaded again without making duplicates."
    )
    columns = [
        Column("full_name", True, gettext_lazy("Their name."), "Jordan Rivera"),
        Column(
            "email",
            False,
            gettext_lazy("E-mail address. Give an e-mail or a phone number (or both)."),
            "jordan@example.org",
        ),
        Column("phone", False, gettext_lazy("Phone number."), "555-0100"),
        Column(
            "preferred_contact",
            False,
            gettext_lazy(
                "How they want to be contacted: email, phone or text (default: phone when a phone is given, "
                "else email)."
            ),
            "phone",
        ),
        Column(
            "languages",
            True,
            gettext_lazy("Languages they speak, separated by semicolons; at least one."),
            "English; Spanish",
        ),
        Column(
            "lived_experience",
            False,
            gettext_lazy(
                "What they want support with: the program's lived-experience areas (Competencies page), separated by "
                "semicolons."
            ),
            "",
        ),
        Column(
            "modes",
            False,
            gettext_lazy("Ways of meeting: in_person, phone, video, text; separated by semicolons."),
            "phone",
        ),
        Column(
            "area",
            False,
            gettext_lazy("Where they live. When the program lists its areas (Support settings), one of those."),
            "",
        ),
        Column(
            "availability",
            False,
            gettext_lazy(
                "When they are available: weekday_morning, weekday_afternoon, weekday_evening, weekend_day, "
                "weekend_evening; separated by semicolons."
            ),
            "weekday_evening",
        ),
        Column(
            "preferred_gender",
            False,
            gettext_lazy("Supporter's gender they prefer: woman, man, nonbinary, or blank."),
            "",
        ),
        Column(
            "preferred_age_bands",
            False,
            gettext_lazy(
                "Supporter's age they prefer: 18_29, 30_44, 45_64, 65_plus; separated by semicolons, or blank."
            ),
            "",
        ),
        Column(
            "preferred_communities",
            False,
            gettext_lazy("Supporter's community they prefer, separated by semicolons."),
            "",
        ),
        Column(
            "must_haves",
            False,
            gettext_lazy(
                "Criteria a supporter must meet to be proposed: focus_area, language, mode, area, availability, "
                "gender, age, community; separated by semicolons (blank: none)."
            ),
            "language",
        ),
        Column(
            "consent_given",
            False,
            gettext_lazy("yes when they consented to be contacted and to these details being kept (default no)."),
            "yes",
        ),
        Column(
            "consent_scope",
            False,
            gettext_lazy("What they agreed to; required when consent_given is yes."),
            "To be called by a peer supporter; that the program keeps these details.",
        ),
        Column("consent_date", False, gettext_lazy("When they consented, YYYY-MM-DD (default: today)."), "2025-01-15"),
        Column(
            "consent_recorded_by",
            False,
            gettext_lazy(
                "Who recorded the consent: a name, or the e-mail of a program member (default: you, by this import)."
            ),
            "",
        ),
        Column(
            "waiting_since",
            False,
            gettext_lazy(
                "When they asked for support, YYYY-MM-DD (default: today); keeps their place on the waiting list."
            ),
            "2025-01-15",
        ),
        Column("intake_notes", False, gettext_lazy("Notes from the intake (kept encrypted)."), ""),
    ]

    def prepare(self, program: Program) -> dict[str, Any]:
        return {
            "areas": {a.name.lower(): a.pk for a in FocusArea.objects.filter(program=program, is_active=True)},
            "place_names": {a.lower(): a for a in get_settings(program).area_list()},
            "members": {
                m.user.email: m.user
                for m in Membership.objects.filter(program=program, is_active=True).select_related("user")
            },
        }

    def clean(self, program: Program, row: Row, context: dict[str, Any], problems: RowProblems) -> dict[str, Any]:
        v = {k: (value or "").strip() for k, value in row.values.items()}
        email = normalize_email(v.get("email", ""))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.add("email", _("'%(value)s' is not an e-mail address.") % {"value": v.get("email")})
                email = ""
            else:
                if len(email) > 254:
                    problems.add("email", _("At most 254 characters."))
                    email = ""
        phone = problems.get(text, v.get("phone", ""), "phone", 40, fallback="")
        if not email and not phone and "email" not in problems.columns() and "phone" not in problems.columns():
            problems.add("phone", _("Give a phone number or an e-mail address so the supporter can reach them."))
        default_contact = ContactPreference.PHONE if phone else ContactPreference.EMAIL
        preferred = problems.get(
            choice, v.get("preferred_contact", ""), ContactPreference, "preferred_contact", default_contact, fallback=""
        )
        languages = split_languages(problems.get(text, v.get("languages", ""), "languages", 300, fallback=""))
        if not languages:
            problems.add("languages", _("Name at least one language."))
        areas = []
        for name in split_list(v.get("lived_experience", "")):
            if name.lower() not in context["areas"]:
                problems.add(
                    "lived_experience",
                    _("'%(name)s' is not one of the program's lived-experience areas.") % {"name": name},
                )
            else:
                areas.append(context["areas"][name.lower()])
        area = problems.get(text, v.get("area", ""), "area", 120, fallback="")
        if area and context["place_names"]:
            if area.lower() not in context["place_names"]:
                listed = ", ".join(context["place_names"].values())
                problems.add(
                    "area",
                    _("'%(area)s' is not one of the program's areas: %(listed)s.") % {"area": area, "listed": listed},
                )
            else:
                area = context["place_names"][area.lower()]
        consent_given = problems.get(parse_yes_no, v.get("consent_given", ""), "consent_given", fallback=False)
        consent_scope = v.get("consent_scope", "")
        if consent_given and not consent_scope:
            problems.add("consent_scope", _("Say what the participant agreed to."))
        consent_date = problems.get(parse_date, v.get("consent_date", ""), "consent_date", fallback=None)
        today = timezone.localdate()
        if consent_date and not consent_given:
            problems.add("consent_date", _("Give a consent date only when consent_given is yes."))
        if consent_date and consent_date > today:
            problems.add("consent_date", _("The date cannot be in the future."))
        recorded_by = problems.get(text, v.get("consent_recorded_by", ""), "consent_recorded_by", 200, fallback="")
        if recorded_by and not consent_given:
            problems.add("consent_recorded_by", _("Say who recorded consent only when consent_given is yes."))
        waiting_since = problems.get(parse_date, v.get("waiting_since", ""), "waiting_since", fallback=None)
        if waiting_since and waiting_since > today:
            problems.add("waiting_since", _("The date cannot be in the future."))
        communities = problems.get(text, v.get("preferred_communities", ""), "preferred_communities", 300, fallback="")
        return {
            "full_name": problems.get(text, v.get("full_name", ""), "full_name", 200, fallback=""),
            "email": email,
            "phone": phone,
            "preferred_contact": preferred,
            "languages": languages,
            "focus_areas": areas,
            "modes": problems.get(choice_list, v.get("modes", ""), Mode, "modes", fallback=list[str]()),
            "area": area,
            "availability": problems.get(
                choice_list, v.get("availability", ""), Availability, "availability", fallback=list[str]()
            ),
            "preferred_gender": problems.get(
                choice, v.get("preferred_gender", ""), Gender, "preferred_gender", "", fallback=""
            ),
            "preferred_age_bands": problems.get(
                choice_list, v.get("preferred_age_bands", ""), AgeBand, "preferred_age_bands", fallback=list[str]()
            ),
            "preferred_communities": split_list(communities),
            "must_haves": problems.get(
                choice_list, v.get("must_haves", ""), Criterion, "must_haves", fallback=list[str]()
            ),
            "consent_given": consent_given,
            "consent_scope": consent_scope if consent_given else "",
            "consent_date": consent_date.isoformat() if consent_date else None,
            "consent_recorded_by": recorded_by,
            "waiting_since": waiting_since.isoformat() if waiting_since else None,
            "intake_notes": v.get("intake_notes", ""),
        }

    def check_all(self, program: Program, cleaned: list[dict[str, Any]], context: dict[str, Any]) -> list[RowError]:
        """Duplicates: an e-mail or phone already in the program (blind index), or twice in the file."""
        wanted: dict[str, str] = {}  # digest -> term
        terms_of: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []
        for row in cleaned:
            terms = [
                (term, "email" if term.startswith("email:") else "phone")
                for term in sorted(terms_for(full_name="", email=row["email"], phone=row["phone"]))
            ]
            terms_of.append((row, terms))
            for term, _field in terms:
                for found in digests_any_key(term):
                    wanted[found] = term
        existing: dict[str, int] = {}
        digests = list(wanted)
        for start in range(0, len(digests), 500):
            for found, participant_id in SearchTerm.objects.filter(
                digest__in=digests[start : start + 500], participant__program=program
            ).values_list("digest", "participant_id"):
                existing.setdefault(wanted[found], participant_id)
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        for row, terms in terms_of:
            for term, field in terms:
                email = field == "email"
                if term in existing:
                    reference = f"P-{existing[term]:04d}"
                    message = (
                        _("A participant with this e-mail address is already in the program (%(reference)s).")
                        if email
                        else _("A participant with this phone number is already in the program (%(reference)s).")
                    ) % {"reference": reference}
                    errors.append(RowError(row["row"], field, message))
                elif term in seen:
                    message = (
                        _("The same e-mail address is on row %(row)s.")
                        if email
                        else _("The same phone number is on row %(row)s.")
                    ) % {"row": seen[term]}
                    errors.append(RowError(row["row"], field, message))
                else:
                    seen[term] = row["row"]
        return errors

    def build(
        self, *, actor: User, program: Program, rows: list[dict[str, Any]], source: str
    ) -> tuple[support_participants.ImportedParticipants, list[User]]:
        """Each row checked and prepared by the support service (rules, encryption, search
        index, audit), and the coordinators to tell, all before the write."""
        areas = {a.pk: a for a in FocusArea.objects.filter(program=program)}
        members = self.prepare(program)["members"]
        fields = [*support_common.PARTICIPANT_FIELDS]
        errors: list[RowError] = []
        prepared = []
        for row in rows:
            # A column the import does not read (urgency) keeps the participant's default.
            data = {name: row[name] for name in fields if name != "focus_areas" and name in row}
            data["focus_areas"] = [areas[pk] for pk in row["focus_areas"] if pk in areas]
            recorded_by = row["consent_recorded_by"]
            member = members.get(normalize_email(recorded_by)) if recorded_by else actor
            label = ""
            if row["consent_given"]:
                who = getattr(member, "full_name", "") or recorded_by or str(actor)
                label = f"{who} (imported from {source} by {actor})" if recorded_by else f"{actor} (import of {source})"
            try:
                prepared.append(
                    support_participants.prepare_imported_participant(
                        actor=actor,
                        program=program,
                        data=data,
                        waiting_since=start_of(dt.date.fromisoformat(row["waiting_since"]))
                        if row["waiting_since"]
                        else None,
                        consent_at=start_of(dt.date.fromisoformat(row["consent_date"]))
                        if row["consent_date"]
                        else None,
                        consent_recorded_by=member,
                        consent_recorded_by_label=label,
                        source_note=f"Imported from {source}, row {row['row']}",
                    )
                )
            except ValidationError as refused:
                messages = refused.message_dict if hasattr(refused, "error_dict") else {"full_name": refused.messages}
                for name, texts in messages.items():
                    column = PARTICIPANT_FIELD_COLUMNS.get(name, name)
                    errors.extend(RowError(row["row"], column, message) for message in texts)
        if errors:
            raise RowsInvalid(errors)
        rows_to_insert = support_participants.prepare_imported_participants(actor=actor, checked=prepared)
        return rows_to_insert, [u for u in coordinators(program) if u != actor]

    def write(
        self,
        *,
        actor: User,
        program: Program,
        built: tuple[support_participants.ImportedParticipants, list[User]],
        source: str,
    ) -> int:
        prepared, others = built
        created = support_participants.save_imported_participants(prepared=prepared)
        if created and others:
            notify(
                program=program,
                users=others,
                text=later(
                    ngettext_lazy(
                        "%(count)s participant joined the waiting list (imported from %(source)s).",
                        "%(count)s participants joined the waiting list (imported from %(source)s).",
                        "count",
                    ),
                    count=len(created),
                    source=source,
                ),
                url=reverse("support:participants", args=[program.slug]) + "?status=waiting",
            )
        return len(created)


class ResourceImporter(Importer):
    """The program's resource directory from a spreadsheet (peerpath.plans): each row adds a
    resource, or updates the one of the same name already in the directory."""

    kind = "resources"
    title = gettext_lazy("Resource directory")
    description = gettext_lazy(
        "Organisations and services participants can be referred to. A row whose name is already in the "
        "directory updates it; every other row adds a resource. Needs are the program's needs checklist."
    )
    columns = [
        Column("name", True, gettext_lazy("The resource's name; unique in the directory."), "Riverside Food Bank"),
        Column("organisation", False, gettext_lazy("Who runs it."), "Riverside Churches Together"),
        Column(
            "offers", False, gettext_lazy("What they offer."), "Food parcels twice a week; no referral letter needed."
        ),
        Column(
            "needs", False, gettext_lazy("Needs of the program's checklist it meets, separated by semicolons."), "Food"
        ),
        Column("eligibility", False, gettext_lazy("Who can use it."), "Anyone living in Riverside."),
        Column("languages", False, gettext_lazy("Languages it works in, separated by semicolons."), "English; Spanish"),
        Column("hours", False, gettext_lazy("Opening hours."), "Tue and Fri 10:00-14:00"),
        Column("area", False, gettext_lazy("The area it serves."), "Downtown"),
        Column("phone", False, gettext_lazy("Phone number."), "555-0700"),
        Column("email", False, gettext_lazy("E-mail address."), "hello@foodbank.example.org"),
        Column("website", False, gettext_lazy("Web address, starting with https://."), "https://foodbank.example.org"),
        Column("address", False, gettext_lazy("Street address."), "12 Mill Lane"),
        Column("listed", False, gettext_lazy("no to keep it out of the directory's search (default yes)."), "yes"),
    ]

    def prepare(self, program: Program) -> dict[str, Any]:
        return {
            "needs": {n.lower(): n for n in plans_defaults.get_settings(program).need_list()},
            "existing": {r.name.lower(): r.pk for r in Resource.objects.filter(program=program).only("pk", "name")},
            "seen": set(),
        }

    def clean(self, program: Program, row: Row, context: dict[str, Any], problems: RowProblems) -> dict[str, Any]:
        v = row.values
        name = v.get("name", "").strip()
        if len(name) > 200:
            problems.add("name", _("Keep the name to 200 characters."))
        if name.lower() in context["seen"]:
            problems.add("name", _("'%(name)s' appears twice in the file.") % {"name": name})
        context["seen"].add(name.lower())
        needs = []
        for need in split_list(v.get("needs", "")):
            if need.lower() not in context["needs"]:
                problems.add("needs", _("'%(need)s' is not on the program's needs checklist.") % {"need": need})
            else:
                needs.append(context["needs"][need.lower()])
        email = v.get("email", "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.add("email", _("'%(value)s' is not an e-mail address.") % {"value": email})
        website = v.get("website", "").strip()
        if website and not website.lower().startswith(("https://", "http://")):
            problems.add("website", _("Write the whole address, starting with https://."))
        return {
            "name": name[:200],
            "existing": context["existing"].get(name.lower()),
            "organisation": v.get("organisation", "").strip()[:200],
            "offers": v.get("offers", "").strip(),
            "needs": needs,
            "eligibility": v.get("eligibility", "").strip(),
            "languages": split_list(v.get("languages", "")),
            "hours": v.get("hours", "").strip()[:200],
            "area": v.get("area", "").strip()[:200],
            "phone": v.get("phone", "").strip()[:60],
            "email": email,
            "website": website[:200],
            "address": v.get("address", "").strip()[:300],
            "is_active": not v.get("listed", "").strip()
            or problems.get(parse_yes_no, v.get("listed", ""), "listed", fallback=True),
        }

    def build(self, *, actor: User, program: Program, rows: list[dict[str, Any]], source: str) -> Any:
        """The clean rows with the directory entry each updates (None: a new one); reads only."""
        existing = {r.pk: r for r in Resource.objects.filter(program=program)}
        return [(existing.get(row["existing"]), row) for row in rows]

    def write(self, *, actor: User, program: Program, built: Any, source: str) -> int:
        for resource, row in built:
            data = {k: v for k, v in row.items() if k not in {"row", "existing"}}
            try:
                plans_services.save_resource(actor=actor, program=program, resource=resource, data=data)
            except ValidationError as error:
                raise RowsInvalid(
                    [RowError(row["row"], field, " ".join(messages)) for field, messages in _by_field(error).items()]
                ) from None
        return len(built)


def _by_field(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
    return {"name": list(error.messages)}


IMPORTERS: dict[str, Importer] = {
    importer.kind: importer for importer in [SupporterImporter(), ParticipantImporter(), ResourceImporter()]
}


def template_workbook(importer: Importer) -> bytes:
    """The XLSX template: the columns with an example row to overwrite, then a sheet explaining each column."""
    columns = Sheet(
        title=str(importer.title),
        rows=[[c.name for c in importer.columns], [c.example for c in importer.columns]],
        widths={index: max(14, len(c.name) + 4) for index, c in enumerate(importer.columns, start=1)},
        freeze_header=True,
    )
    notes = Sheet(
        title=_("Columns"),
        rows=[
            [_("Column"), _("Required"), _("What to write")],
            *[[c.name, _("yes") if c.required else _("no"), str(c.help)] for c in importer.columns],
            [],
            [_("Only the first sheet is read. Replace the example row with your own; dates are YYYY-MM-DD.")],
        ],
        widths={1: 24, 3: 100},
    )
    return workbook_bytes([columns, notes])
