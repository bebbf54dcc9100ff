"""The whole program's records as one ZIP of CSV files with a data dictionary: no lock-in.

Every table of every area is registered here (`TABLES`), built from its model: each concrete
field becomes a column, so a field added later is exported without anyone remembering to,
and the data dictionary gives each column its type, its allowed values and its meaning (the
meaning written here, else the field's help text, else its name). `tests/exchange` fails
when a model of the program's areas is neither registered nor listed in `NOT_EXPORTED` with
the reason.

The archive holds what a coordinator may see, which is the whole program: participants'
records are included decrypted, so the download is audited and the README inside warns
that the archive is confidential.

Size and speed: the archive is streamed. Each table is read with `.iterator()` in chunks and
written into the ZIP as it is read, and the ZIP goes to the browser as it is compressed, so
memory stays flat whatever the program's size and the first bytes leave at once (no proxy
time-out while a large program is read). On PostgreSQL every file is read from one
repeatable-read snapshot, so the files agree with each other. `manage.py measure_archive`
measures a program of 5,000 participants and 50,000 contacts (figures in the README); it
builds in seconds, which is why this is a streamed download and not a background task with a
link to come back for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import operator
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerpath.care.models import CheckIn, CheckInStatus
from peerpath.core.exports import CsvWriter
from peerpath.core.languages import later
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter

# The README and the data dictionary are written in the language of the person downloading: the
# tables' and columns' meanings are lazy (gettext_lazy), read when the archive is written.
Text = str | Promise

CHUNK_ROWS = 2000
FLUSH_BYTES = 256 * 1024


@dataclass(frozen=True)
class ArchiveColumn:
    name: str
    kind: Text
    meaning: Text
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ArchiveTable:
    filename: str
    meaning: Text
    rows: Callable[[Program], Iterable[Any]]
    columns: tuple[ArchiveColumn, ...]
    model: type[models.Model] | None = None
    confidential: bool = False


TABLES: list[ArchiveTable] = []
FILES: dict[type[models.Model], str] = {}

# Models deliberately left out, and why (a test checks every model is one or the other).
NOT_EXPORTED: dict[str, Text] = {
    "core.user": _("People are in members.csv (and by e-mail in every other file); passwords never leave."),
    "core.scheduledjob": _("Bookkeeping of the installation's scheduler, not the program's records."),
    "core.outgoingemail": _(
        "E-mails queued and sent (delivery bookkeeping); what they speak of is in the other files."
    ),
    "core.tasklease": _("Which worker holds a running task, until when; the queue's bookkeeping."),
    "core.schedulerlease": _("Which scheduler process of the installation ticks; not the program's records."),
    "core.usedformtoken": _("One-time form tokens already used (so a form sent twice creates once); bookkeeping."),
    "api.apitoken": _("Secrets of each person's API access."),
    "exchange.importbatch": _("Files waiting for confirmation; their rows are cleared once imported or discarded."),
    "support.searchterm": _("Keyed digests for searching encrypted names; meaningless outside this installation."),
    "support.contactdraft": _("A supporter's unsaved typing, kept only until the contact is logged."),
    "support.notification": _("In-app notices, which repeat what the other files record."),
    "support.matchrun": _("Batch-match drafts for review; the matches made are in support_relationships.csv."),
    "support.matchproposal": _("Batch-match drafts for review; the matches made are in support_relationships.csv."),
    "support.matchleftover": _("Batch-match drafts for review; the matches made are in support_relationships.csv."),
    "training.calendarfeed": _("Secret calendar subscription addresses."),
    "certification.expiryreminder": _("Which reminder e-mails went out (delivery bookkeeping)."),
    "credentials.qualificationreminder": _("Which reminder e-mails went out (delivery bookkeeping)."),
    "care.reminderlog": _("Which reminder e-mails went out (delivery bookkeeping)."),
}


# --- Values and types -------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value as CSV text: yes/no, ISO dates, lists joined with '; ', JSON for the rest."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (str, int, float)) for v in value):
            return "; ".join(str(v) for v in value)
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def _kind(f: models.Field) -> Text:
    if f.choices:
        return lazy(_one_of, str)(f)
    if isinstance(f, models.BooleanField):
        return _("yes/no")
    if isinstance(f, models.DateTimeField):
        return _("date and time (ISO 8601, with time zone)")
    if isinstance(f, models.DateField):
        return _("date (YYYY-MM-DD)")
    if isinstance(f, (models.IntegerField, models.DecimalField, models.FloatField)):
        return _("number")
    if isinstance(f, models.JSONField):
        return _("list separated by '; ', or JSON")
    if isinstance(f, models.FileField):
        return _("file name (the files are not in the archive)")
    if isinstance(f, models.EmailField):
        return _("e-mail address")
    if isinstance(f, models.UUIDField):
        return _("identifier")
    return _("text")


def _one_of(f: models.Field) -> str:
    allowed = "; ".join(f"{value} ({label})" for value, label in f.flatchoices if value != "")
    return gettext("one of: %(allowed)s") % {"allowed": allowed}


COMMON_MEANINGS: dict[str, Text] = {
    "id": _("Record id (other files refer to it by this number)."),
    "created_at": _("When the record was created."),
    "updated_at": _("When the record was last changed."),
    "is_active": _("Still in use (no: retired, kept for the history)."),
    "position": _("Order in lists."),
    "created_by": _("Who created the record."),
    "recorded_by": _("Who recorded it."),
    "actor": _("Who made the change."),
}


def _default_meaning(f: models.Field) -> Text:
    """The field's help text, else a common meaning, else its name: read when the dictionary is written."""
    return lazy(_meaning_now, str)(f)


def _meaning_now(f: models.Field) -> str:
    text = str(f.help_text or "").strip() or str(COMMON_MEANINGS.get(f.name, ""))
    if not text and f.is_relation and not f.many_to_many and not _is_user(f.related_model):
        text = gettext("The %(name)s.") % {"name": f.verbose_name}
    text = text or str(f.verbose_name).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", ")")) else text + "."


def _is_user(model: Any) -> bool:
    return model is apps.get_model(settings.AUTH_USER_MODEL)


def _email_of(name: str) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        user = getattr(obj, name)
        return user.email if user is not None else ""

    return get


def _cell(f: models.Field) -> Callable[[Any], Any]:
    """The fastest conversion of one field's stored value to CSV text (the archive's hot loop)."""
    if isinstance(f, models.BooleanField):
        return lambda v: "" if v is None else ("yes" if v else "no")
    if isinstance(f, models.DateTimeField):
        zone = timezone.get_default_timezone()
        return lambda v: v.astimezone(zone).isoformat(timespec="seconds") if v is not None else ""
    if isinstance(f, models.DateField):
        return lambda v: v.isoformat() if v is not None else ""
    if f.is_relation or isinstance(f, (models.IntegerField, models.FloatField, models.AutoField)):
        return lambda v: "" if v is None else v
    if isinstance(f, (models.CharField, models.TextField)) and not f.choices:
        return lambda v: v or ""
    return plain


def _attr(f: models.Field) -> Callable[[Any], Any]:
    get, cell = operator.attrgetter(f.attname), _cell(f)
    return lambda obj: cell(get(obj))


def _finished(value: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A computed column's value as CSV text (the writer neutralises formulas in every cell)."""
    return lambda obj: plain(value(obj))


def _related_names(name: str, *, by_id: bool, user: bool) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        related = getattr(obj, name).all()
        if user:
            return "; ".join(sorted(u.email for u in related))
        if by_id:
            return "; ".join(str(pk) for pk in sorted(o.pk for o in related))
        return "; ".join(str(o) for o in related)

    return get


def _file_of(model: Any) -> str:
    return FILES.get(model, "")


def model_columns(
    model: type[models.Model],
    *,
    meanings: dict[str, Text],
    exclude: Iterable[str] = (),
    program_field: str = "program",
) -> tuple[list[ArchiveColumn], list[str], list[str]]:
    """Columns for every concrete field (and many-to-many) of a model, with select/prefetch lists."""
    columns: list[ArchiveColumn] = []
    select: list[str] = []
    prefetch: list[str] = []
    skipped = {program_field, *exclude}
    for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if f.name in skipped:
            continue
        meaning = meanings.get(f.name) or _default_meaning(f)
        if f.many_to_many:
            target = f.related_model
            user = _is_user(target)
            by_id = target in ID_LINKED
            kind: Text
            if user:
                kind = _("e-mail addresses separated by '; ' (members.csv)")
            elif by_id:
                kind = later(_("ids in %(file)s separated by '; '"), file=_file_of(target))
            else:
                kind = _("names separated by '; '")
            columns.append(
                ArchiveColumn(f.name, kind, meaning, _finished(_related_names(f.name, by_id=by_id, user=user)))
            )
            prefetch.append(f.name)
        elif f.is_relation:
            if _is_user(f.related_model):
                columns.append(
                    ArchiveColumn(
                        f.name, _("e-mail address of a person (members.csv)"), meaning, _finished(_email_of(f.name))
                    )
                )
                select.append(f.name)
            else:
                target_file = _file_of(f.related_model)
                kind = later(_("id in %(file)s"), file=target_file) if target_file else _("id")
                columns.append(ArchiveColumn(f"{f.name}_id", kind, meaning, _attr(f)))
        else:
            columns.append(ArchiveColumn(f.name, _kind(f), meaning, _attr(f)))
    return columns, select, prefetch


def register(
    filename: str,
    model_label: str,
    meaning: Text,
    *,
    meanings: dict[str, Text] | None = None,
    exclude: Iterable[str] = (),
    program_field: str = "program",
    program_path: str | None = None,
    extra: Iterable[ArchiveColumn] = (),
    order_by: Iterable[str] = ("pk",),
    confidential: bool = False,
) -> None:
    """Register a model as one file of the archive: all of its rows in the program, every field."""
    model = apps.get_model(model_label)
    FILES[model] = filename
    columns, select, prefetch = model_columns(
        model, meanings=meanings or {}, exclude=exclude, program_field=program_field
    )
    columns.extend(ArchiveColumn(c.name, c.kind, c.meaning, _finished(c.value)) for c in extra)
    path = program_path or program_field

    def rows(program: Program) -> Iterator[Any]:
        queryset = model._default_manager.filter(**{path: program.pk}).order_by(*order_by)
        if select:
            queryset = queryset.select_related(*select)
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        return queryset.iterator(chunk_size=CHUNK_ROWS)

    TABLES.append(ArchiveTable(filename, meaning, rows, tuple(columns), model, confidential))


def register_rows(
    filename: str, meaning: Text, rows: Callable[[Program], Iterable[Any]], *columns: tuple[str, Text, Text, Callable]
) -> None:
    """Register a file that is not one model (a table derived from another, e.g. check-in scores)."""
    made = tuple(ArchiveColumn(name, kind, text, _finished(value)) for name, kind, text, value in columns)
    TABLES.append(ArchiveTable(filename, meaning, rows, made))


# Many-to-many links written as ids (people and records others refer to) rather than names.
ID_LINKED: set[Any] = set()


def _define_tables() -> None:
    ID_LINKED.add(Supporter)
    # --- The program and its framework ---------------------------------------------------------
    register(
        "program.csv",
        "programs.program",
        _("The program: its name, address on this installation and public details."),
        program_field="",
        program_path="pk",
        meanings={"slug": _("Short name used in its web addresses."), "population": _("Who the program serves.")},
    )
    register(
        "members.csv",
        "programs.membership",
        _("People with a log-in and a role in the program."),
        meanings={
            "user": _("The person's log-in e-mail."),
            "is_coordinator": _("Has the coordinator role."),
            "is_trainer": _("Has the trainer role."),
            "is_supervisor": _("Has the supervisor role."),
            "is_supporter": _("Has the supporter role."),
            "is_active": _("The membership is active (inactive people cannot log in to the program)."),
        },
        extra=[
            ArchiveColumn("name", _("text"), _("The person's full name."), lambda m: m.user.full_name),
            ArchiveColumn("roles", _("text"), _("Their roles, in words."), lambda m: m.role_labels),
        ],
    )
    register(
        "competencies.csv",
        "programs.competency",
        _("The competency framework trainees are assessed against."),
        meanings={"number": _("Number in the framework."), "is_core": _("One of the general core competencies.")},
    )
    register(
        "lived_experience_areas.csv", "programs.focusarea", _("Lived-experience areas the program serves."), meanings={}
    )
    register(
        "retention_rules.csv",
        "programs.retentionsettings",
        _("How long the program keeps closed participants, audit entries and contact drafts (one row)."),
        meanings={
            "closed_participant_days": _("Days a closed participant's record is kept before erasure (empty: kept)."),
            "audit_days": _("Days audit entries are kept (empty: kept)."),
            "draft_days": _("Days an abandoned contact draft is kept (empty: kept)."),
        },
    )
    # --- Recruitment and the pathway -------------------------------------------------------------
    register(
        "supporters.csv",
        "recruitment.supporter",
        _("Everyone on the pathway, from applicants to alumni (their id is used by the other files)."),
        meanings={
            "id": _("Person id (supporter_id in the other files)."),
            "user": _("Their log-in e-mail, once they have an account."),
            "stage": _("Current pathway stage."),
            "stage_changed_at": _("When they reached the current stage."),
            "source": _("How they heard of the program."),
            "languages": _("Languages spoken."),
            "supervisor": _("Their supervisor's e-mail."),
            "focus_areas": _("Their lived-experience areas."),
            "created_at": _("When they first applied or were added."),
        },
    )
    register(
        "applications.csv",
        "recruitment.application",
        _("Applications received through the public form, as sent."),
        meanings={
            "supporter": _("The person (supporters.csv)."),
            "is_repeat": _("They had applied before."),
            "needs_review": _("A repeat application whose differences from the record nobody has reviewed yet."),
            "reviewed_by": _("The coordinator who accepted or dismissed its differences."),
            "reviewed_at": _("When they did."),
        },
    )
    register(
        "pathway_history.csv",
        "recruitment.stagechange",
        _("Every move along the pathway."),
        program_field="supporter__program",
        program_path="supporter__program",
        meanings={"actor": _("Who moved them."), "reason": _("Why.")},
    )
    register(
        "milestones.csv",
        "recruitment.milestone",
        _("Building-block milestones recorded on the pathway (e.g. led an information session)."),
        program_field="supporter__program",
        program_path="supporter__program",
    )
    register("screening_questions.csv", "recruitment.screeningquestion", _("The program's screening questions."))
    register("red_flags.csv", "recruitment.redflag", _("The red flags screeners look out for."))
    register(
        "screening_interviews.csv",
        "recruitment.screeninginterview",
        _("Screening interviews and their decisions."),
        meanings={"notes": _("Interviewer's notes.")},
    )
    register(
        "screening_answers.csv",
        "recruitment.screeninganswer",
        _("Answers to the screening questions in each interview."),
        program_field="interview__program",
        program_path="interview__program",
    )
    register(
        "red_flag_notes.csv",
        "recruitment.redflagnote",
        _("Red flags noted in an interview."),
        program_field="interview__program",
        program_path="interview__program",
    )
    # --- Training --------------------------------------------------------------------------------
    register("training_modules.csv", "training.module", _("Curriculum modules."))
    register(
        "training_topics.csv",
        "training.topic",
        _("Curriculum topics, each in a module, with the competencies it builds."),
        meanings={"competencies": _("Competencies the topic builds (competencies.csv titles).")},
    )
    register(
        "cohorts.csv",
        "training.cohort",
        _("Training cohorts (one run of the course) with their trainers."),
        meanings={"trainers": _("Trainers' e-mails.")},
    )
    register(
        "enrolments.csv",
        "training.enrolment",
        _("Who is on each cohort's roster, and their status on it."),
        meanings={"supporter": _("The trainee (supporters.csv).")},
    )
    register(
        "enrolment_changes.csv",
        "training.enrolmentchange",
        _("Every change of an enrolment (completed, withdrawn...), with the reason."),
        program_field="enrolment__program",
        program_path="enrolment__program",
    )
    register(
        "training_sessions.csv",
        "training.trainingsession",
        _("Course sessions, make-up sessions and refresher events."),
        meanings={
            "makeup_for": _("The course session a make-up session replaces."),
            "topics": _("Topics covered (training_topics.csv titles)."),
            "sequence": _("Revision number of the session (for calendar apps)."),
            "credited_hours": _("Continuing-education hours a refresher event credits to those present."),
        },
    )
    register(
        "attendance.csv",
        "training.attendance",
        _("Attendance marks: one row per person and session."),
        program_field="session__program",
        program_path="session__program",
        meanings={"supporter": _("The trainee or supporter (supporters.csv).")},
    )
    register(
        "role_plays.csv",
        "training.roleplay",
        _("Role plays logged as evidence of competencies."),
        meanings={"trainee": _("The trainee (supporters.csv)."), "competencies": _("Competencies shown.")},
    )
    register(
        "shadowing.csv",
        "training.shadowing",
        _("Time trainees spent shadowing an experienced supporter."),
        meanings={
            "trainee": _("The trainee (supporters.csv)."),
            "experienced_supporter": _("The supporter shadowed (supporters.csv)."),
            "competencies": _("Competencies shown."),
        },
    )
    register(
        "training_feedback.csv",
        "training.feedback",
        _("Trainees' feedback on sessions and on the whole course."),
        meanings={"helpful": _("How helpful, from 1 (not at all) to 5 (very)."), "user": _("Who answered.")},
    )
    register(
        "ce_subjects.csv",
        "training.cesubject",
        _("The subjects continuing-education hours are logged in (ce_activities.csv names them by key)."),
    )
    # --- Certification ---------------------------------------------------------------------------
    register(
        "ce_rules.csv",
        "certification.cerule",
        _("Every version of the continuing-education renewal rule (a certificate's cycle runs under one)."),
    )
    register(
        "ce_rule_minimums.csv",
        "certification.ceruleminimum",
        _("The subject minimums of each rule version."),
        program_field="rule__program",
        program_path="rule__program",
    )
    register(
        "certification_rules.csv",
        "certification.certificationsettings",
        _("The program's outcome and renewal rules (one row)."),
    )
    register(
        "assessments.csv",
        "certification.assessment",
        _("Competency assessments and their outcomes (certified, provisional, not graduated)."),
        meanings={
            "computed_outcome": _("The outcome the program's rules gave."),
            "outcome": _("The outcome recorded (differs from the computed one only with an override reason)."),
            "attendance_attended": _("Course sessions attended when the assessment was decided."),
            "attendance_held": _("Course sessions held when the assessment was decided."),
        },
    )
    register(
        "competency_ratings.csv",
        "certification.competencyrating",
        _("Each competency's rating in an assessment."),
        program_field="assessment__program",
        program_path="assessment__program",
    )
    register(
        "certificates.csv",
        "certification.certificate",
        _("Certificates issued, with their cycle, expiry and any revocation."),
        meanings={"identifier": _("Certificate number (checked at /verify/<number>/).")},
    )
    register(
        "certificate_changes.csv",
        "certification.certificatechange",
        _("Every issue, renewal and revocation of a certificate."),
        program_field="certificate__program",
        program_path="certificate__program",
    )
    register(
        "ce_activities.csv",
        "certification.ceactivity",
        _("Continuing-education activities logged, with their review."),
        meanings={
            "source_key": _("Set when the activity was credited automatically (a refresher event or supervision)."),
            "renewal": _("The renewal this activity counted towards (certificate_changes.csv)."),
        },
    )
    register(
        "ce_activity_changes.csv",
        "certification.ceactivitychange",
        _("Every review step of a continuing-education activity."),
        program_field="activity__program",
        program_path="activity__program",
    )
    # --- Support: participants and relationships (confidential) ---------------------------------
    register(
        "support_settings.csv",
        "support.supportsettings",
        _("The program's matching weights, windows and crisis protocol (one row)."),
    )
    register(
        "participants.csv",
        "support.participant",
        _("Participants: contact details, needs, preferences and consent. CONFIDENTIAL (decrypted)."),
        confidential=True,
        meanings={
            "id": _("Participant id; their reference is P- and this number with four digits (P-0042)."),
            "focus_areas": _("Lived experience they want support with."),
            "modes": _("Ways of meeting: in_person, phone, video, text."),
            "availability": _("When they are available."),
            "preferred_age_bands": _("Supporter's age they prefer."),
            "preferred_communities": _("Supporter's community they prefer."),
            "must_haves": _("Matching criteria a supporter must meet."),
            "consent_scope": _("What they agreed to."),
            "consent_at": _("When consent was recorded."),
            "consent_recorded_by": _("Who recorded consent (when they have a log-in)."),
            "consent_recorded_by_label": _("Who recorded consent, as recorded."),
            "created_by": _("Who added them."),
        },
    )
    register(
        "matching_profiles.csv",
        "support.matchingprofile",
        _("What each supporter offers for matching."),
        program_field="supporter__program",
        program_path="supporter__program",
        meanings={"supporter": _("The supporter (supporters.csv).")},
    )
    register(
        "support_relationships.csv",
        "support.supportrelationship",
        _("Each supporter walking beside a participant, from the match offer to its close."),
        confidential=True,
        exclude=("match_run",),
        meanings={"match_explanation": _("Why the match scored as it did.")},
    )
    register(
        "fit_answers.csv",
        "support.fitanswer",
        _('Answers to "Is this a good fit?" about each relationship (the note decrypted).'),
        program_field="relationship__program",
        program_path="relationship__program",
        confidential=True,
    )
    register(
        "relationship_changes.csv",
        "support.relationshipchange",
        _("Every move of a relationship (accepted, closing, closed...), with the reason."),
        program_field="relationship__program",
        program_path="relationship__program",
        confidential=True,
    )
    register(
        "contacts.csv",
        "support.contact",
        _("Every contact, or attempt, with a participant. CONFIDENTIAL (notes decrypted)."),
        confidential=True,
        meanings={"tasks": _("Which of the four tasks of peer support it served.")},
    )
    register(
        "concerns.csv",
        "support.concern",
        _("Concerns and crises raised about a participant, and who answered them."),
        confidential=True,
        meanings={
            "answers": _("The program's questions and the answers given (JSON list of [question, answer])."),
            "relationship": _("Empty for a concern raised outside a relationship (about a group member)."),
            "setting": _("Where a concern outside a relationship arose (the group)."),
        },
    )
    register(
        "concern_events.csv",
        "support.concernevent",
        _("Each link of a concern's chain: raised, notified, acknowledged, escalated, followed up."),
        program_field="concern__program",
        program_path="concern__program",
    )
    register(
        "adverse_events.csv",
        "support.adverseevent",
        _("Hard events in a caseload: hospitalised, relapsed, died."),
        confidential=True,
    )
    register(
        "conflicts.csv",
        "support.conflict",
        _("Supporters who know a participant and are never matched with them."),
        confidential=True,
    )
    register("supervisor_covers.csv", "support.supervisorcover", _("Supervisors' named backups and their dates."))
    register(
        "erasures.csv",
        "support.erasuretally",
        _("What erased participants left behind: anonymous counts per month of erasure."),
        meanings={
            "other_counts": _(
                "Counts from the participant's side, by name: goals, goals_met, needs, needs_met, "
                "referrals, referrals_connected."
            ),
        },
    )
    # --- The participant's side: goals, plan reviews ---------------------------------------------
    register("plan_settings.csv", "plans.plansettings", _("The program's plan settings (one row)."))
    register(
        "goals.csv",
        "plans.goal",
        _("Each relationship's goals, in the participant's own words. CONFIDENTIAL (decrypted)."),
        confidential=True,
    )
    register(
        "goal_steps.csv",
        "plans.goalstep",
        _("The steps towards each goal, who takes them and when they were done. CONFIDENTIAL."),
        program_field="goal__program",
        program_path="goal__program",
        confidential=True,
    )
    register(
        "goal_progress.csv",
        "plans.goalprogress",
        _("Each time a goal was worked on (in a contact, or noted on its own). CONFIDENTIAL."),
        program_field="goal__program",
        program_path="goal__program",
        confidential=True,
    )
    register(
        "plan_reviews.csv",
        "plans.planreview",
        _("Plan reviews with the participant. CONFIDENTIAL."),
        program_field="relationship__program",
        program_path="relationship__program",
        confidential=True,
    )
    register(
        "needs.csv",
        "plans.need",
        _("Each participant's needs on the program's checklist and where they stand. CONFIDENTIAL."),
        confidential=True,
    )
    register(
        "resources.csv",
        "plans.resource",
        _("The program's resource directory: organisations and services, what they offer, to whom."),
        meanings={"needs": _("Needs of the checklist it meets."), "languages": _("Languages it works in.")},
    )
    register(
        "referrals.csv",
        "plans.referral",
        _("Referrals from a relationship (or a concern) to a resource, and whether they connected. CONFIDENTIAL."),
        confidential=True,
    )
    # --- Supporter care --------------------------------------------------------------------------
    register(
        "questionnaires.csv",
        "care.questionnaire",
        _("Well-being questionnaires used for check-ins."),
        meanings={"scale": _("The response scale (JSON list of value and label).")},
    )
    register(
        "questionnaire_subscales.csv",
        "care.subscale",
        _("Subscales each questionnaire is scored in."),
        program_field="questionnaire__program",
        program_path="questionnaire__program",
    )
    register(
        "questionnaire_bands.csv",
        "care.scoreband",
        _("Score bands of each subscale, from min_score up to the next band."),
        program_field="subscale__questionnaire__program",
        program_path="subscale__questionnaire__program",
    )
    register(
        "questionnaire_items.csv",
        "care.item",
        _("Questionnaire items."),
        program_field="questionnaire__program",
        program_path="questionnaire__program",
    )
    register("care_settings.csv", "care.caresettings", _("The program's supporter-care settings (one row)."))
    register(
        "checkins.csv",
        "care.checkin",
        _("Well-being check-ins, waiting and completed, with their scores (see checkin_scores.csv)."),
        meanings={"scores": _("Scores per subscale at the time of answering (JSON; also in checkin_scores.csv).")},
    )

    def score_rows(program: Program) -> Iterator[tuple[CheckIn, str, dict[str, Any]]]:
        checkins = (
            CheckIn.objects.filter(program=program, status=CheckInStatus.COMPLETED)
            .order_by("pk")
            .only("pk", "supporter_id", "completed_at", "scores")
        )
        for checkin in checkins.iterator(chunk_size=CHUNK_ROWS):
            for key, score in (checkin.scores or {}).items():
                yield checkin, key, score if isinstance(score, dict) else {"score": score}

    register_rows(
        "checkin_scores.csv",
        _("One row per completed check-in and subscale: the score, its band and whether it was of highest concern."),
        score_rows,
        ("checkin_id", _("id in checkins.csv"), _("The check-in."), lambda r: r[0].pk),
        ("supporter_id", _("id in supporters.csv"), _("The supporter."), lambda r: r[0].supporter_id),
        (
            "completed_at",
            _("date and time (ISO 8601, with time zone)"),
            _("When it was answered."),
            lambda r: plain(r[0].completed_at),
        ),
        ("subscale", _("text"), _("Subscale key (questionnaire_subscales.csv)."), lambda r: r[1]),
        ("subscale_name", _("text"), _("Subscale name."), lambda r: r[2].get("name", r[1])),
        ("score", _("number"), _("The score."), lambda r: r[2].get("score", "")),
        ("band", _("text"), _("The band the score fell in."), lambda r: r[2].get("band", "")),
        (
            "concern",
            _("yes/no"),
            _("The band is the one of highest concern."),
            lambda r: plain(bool(r[2].get("concern"))),
        ),
    )
    register(
        "checkin_answers.csv",
        "care.checkinanswer",
        _("Each answer of each completed check-in."),
        program_field="checkin__program",
        program_path="checkin__program",
    )
    register(
        "supervision_meetings.csv",
        "care.supervisionmeeting",
        _("Supervision meetings, one-on-one and group, with who attended."),
        meanings={"attendees": _("Who attended (ids in supporters.csv)."), "supervisor": _("Who led it.")},
    )
    register("debriefs.csv", "care.debrief", _("Supporters' debriefs after a support group or a hard contact."))
    register(
        "hard_events.csv",
        "care.hardevent",
        _("Hard moments in supporters' caseloads, as care was told of them (no participant details)."),
    )
    register(
        "care_tasks.csv",
        "care.caretask",
        _("Care tasks for supervisors: follow-ups, check-in responses, requests to talk, hard events, breaks."),
    )
    register(
        "refresher_topic_plans.csv",
        "care.topicplan",
        _("Suggested refresher topics turned into events."),
        meanings={
            "topic_key": _("The topic as grouped (lower case, fillers removed)."),
            "event_id": _("The refresher event created (its id in training_sessions.csv)."),
            "event_label": _("The refresher event created, as named then."),
        },
    )
    register("breaks.csv", "care.break", _("Supporters' breaks: planned, current, ended and cancelled."))
    register(
        "match_pauses.csv",
        "care.matchpause",
        _("Supporters whose supervisor paused their new matches (one row while paused)."),
        meanings={"paused_by": _("Who paused them (when they have a log-in).")},
    )
    register(
        "buddies.csv",
        "care.buddypair",
        _("Buddy pairs of supporters who look out for each other."),
        meanings={"first": _("One of the pair (supporters.csv)."), "second": _("The other (supporters.csv).")},
    )
    register("recognition.csv", "care.recognition", _("Recognition given to supporters."))
    register("newsletters.csv", "care.newsletter", _("Updates written to supporters, drafts and sent."))
    register(
        "newsletter_deliveries.csv",
        "care.newsletterdelivery",
        _("Who each update was sent to."),
        program_field="newsletter__program",
        program_path="newsletter__program",
    )
    register(
        "newsletter_preferences.csv",
        "care.newsletterpreference",
        _("Who chose not to receive updates."),
        program_field="supporter__program",
        program_path="supporter__program",
    )
    # --- The participant's voice ---------------------------------------------------------------
    register(
        "voice_settings.csv",
        "voice.voicesettings",
        _("How the program asks participants for feedback and outcome measures (one row)."),
        meanings={"outcome_measures": _("The questionnaires asked as outcome measures (questionnaires.csv).")},
    )
    register(
        "answer_links.csv",
        "voice.answerlink",
        _(
            "Each feedback link e-mailed to a participant: why, what it asked, when it expired and was used "
            "(never the link itself)."
        ),
        exclude=("nonce",),
        meanings={"measures": _("Ids of the outcome measures it asked (questionnaires.csv), as JSON.")},
    )
    register(
        "feedback_answers.csv",
        "voice.feedbackanswer",
        _("What participants answered through their link: felt heard, good fit, and their message."),
    )
    register(
        "outcome_responses.csv",
        "voice.outcomeresponse",
        _("Completed outcome measures: the answers ({item number: value}) and scores per subscale, as JSON."),
    )
    register(
        "share_consents.csv",
        "voice.shareconsent",
        _("Participants' consent to share their progress summary with a named clinician or agency."),
        meanings={"scope": _("The summary sections they may receive (JSON list).")},
    )
    register(
        "peer_interest.csv",
        "voice.peerinterest",
        _("At a 'goals met' closing: whether the person would like to hear about becoming a peer supporter."),
    )
    # --- Service hours ---------------------------------------------------------------------------
    # The ledger itself is computed from contacts, supervision meetings, training sessions and
    # the files above; only what the hours area keeps on its own is here.
    # --- Credentials ----------------------------------------------------------------------------
    register("qualification_types.csv", "credentials.qualificationtype", _("The qualifications the program asks for."))
    register(
        "qualifications.csv",
        "credentials.qualification",
        _("Each supporter's qualification records: checks, references, signed agreements (with the text signed)."),
        confidential=True,
    )
    register("credential_settings.csv", "credentials.credentialsettings", _("The initial credential (one row)."))
    register("training_domains.csv", "credentials.trainingdomain", _("The credential's training domains and topics."))
    register("external_trainings.csv", "credentials.externaltraining", _("External trainings logged toward a domain."))
    register("exam_results.csv", "credentials.examresult", _("Exam results toward the initial credential."))
    register(
        "learning_modules.csv",
        "credentials.learningmodule",
        _("Self-paced learning modules: topic, competencies, hours, CE subject, pass mark, attempts allowed."),
        meanings={"ce_subject": _("The key of the CE subject its completion counts in (empty: none).")},
    )
    register(
        "learning_materials.csv",
        "credentials.learningmaterial",
        _("Each module's materials: readings, links, videos by link (uploaded documents by name only)."),
        program_field="module__program",
        program_path="module__program",
    )
    register(
        "quiz_questions.csv",
        "credentials.quizquestion",
        _("The questions of each module's quiz."),
        program_field="module__program",
        program_path="module__program",
    )
    register(
        "quiz_choices.csv",
        "credentials.quizchoice",
        _("The answers offered for each quiz question, and which one is right."),
        program_field="question__module__program",
        program_path="question__module__program",
    )
    register(
        "quiz_attempts.csv",
        "credentials.quizattempt",
        _("Each attempt at a module's quiz, with its score."),
        meanings={"answers": _("The answer chosen per question ({question id: answer id}, JSON).")},
    )
    register(
        "learning_completions.csv",
        "credentials.learningcompletion",
        _("Modules completed: when, the hours counted, and the key of the CE credit if it counted as CE."),
    )
    register("hours_settings.csv", "hours.hourssettings", _("The program's service-hours settings (one row)."))
    register(
        "other_duties.csv",
        "hours.otherduty",
        _("Other duties supporters logged for their service hours, with their review."),
        meanings={"minutes": _("How long the duty took, in minutes."), "kind": _("outreach, training or other.")},
    )
    register(
        "other_duty_changes.csv",
        "hours.otherdutychange",
        _("Every review step of an other duty."),
        program_field="duty__program",
        program_path="duty__program",
    )
    # --- Groups and events -----------------------------------------------------------------------
    register("group_kinds.csv", "groups.groupkind", _("The kinds of group the program runs."))
    register("group_settings.csv", "groups.groupsettings", _("The program's group settings (one row)."))
    register(
        "groups.csv",
        "groups.group",
        _("Peer-led groups and supporters' events, with their recurring series."),
        exclude=("feed_token",),
        meanings={
            "lead": _("The lead facilitator (supporters.csv)."),
            "co_facilitators": _("Co-facilitators (ids in supporters.csv)."),
            "nth": _("Which week of the month, for monthly and quarterly series (-1: the last)."),
            "weekday": _("Day of the week (0 Monday to 6 Sunday)."),
        },
    )
    register(
        "group_sessions.csv",
        "groups.groupsession",
        _(
            "Each session of each group: moved, cancelled or held, with attendance counts and facilitator notes. "
            "CONFIDENTIAL (notes decrypted)."
        ),
        program_field="group__program",
        program_path="group__program",
        confidential=True,
        meanings={
            "planned_for": _("The series' date and time this session stands for (starts_at differs when moved)."),
            "is_extra": _("An extra session added by hand outside the series."),
            "facilitators": _("Who facilitated it, cover included (ids in supporters.csv)."),
            "debrief": _("The after-group debrief filed for it (debriefs.csv)."),
        },
    )
    register(
        "group_members.csv",
        "groups.groupmember",
        _("Participants registered in groups, and requests to join."),
        program_field="group__program",
        program_path="group__program",
        confidential=True,
    )
    register(
        "group_attendance.csv",
        "groups.attendance",
        _("Registered members present at each session (drop-ins are counted in group_sessions.csv)."),
        program_field="session__group__program",
        program_path="session__group__program",
    )
    register(
        "group_cover_requests.csv",
        "groups.coverrequest",
        _("Facilitators asking a colleague to cover a session, and who took it."),
        program_field="session__group__program",
        program_path="session__group__program",
    )
    register(
        "event_rsvps.csv",
        "groups.rsvp",
        _("Supporters' answers to events."),
        program_field="session__group__program",
        program_path="session__group__program",
    )
    # --- The audit log ---------------------------------------------------------------------------
    register(
        "audit_log.csv",
        "core.auditentry",
        _(
            "Every change and every read of participant data: who, when, what (values of encrypted fields are "
            "never in it)."
        ),
        meanings={"changes": _("Old and new values (JSON)."), "actor_label": _("Who, as recorded.")},
    )


# --- Building the archive -----------------------------------------------------------------------


def tables() -> list[ArchiveTable]:
    if not TABLES:
        _define_tables()
    return TABLES


def dictionary_rows() -> list[tuple[str, str, str, str]]:
    """Every column of every file, in the language active (the one of the person downloading)."""
    return [(t.filename, c.name, str(c.kind), str(c.meaning)) for t in tables() for c in t.columns]


def readme(program: Program, when: dt.datetime) -> str:
    """The archive's README, in the language active (the one of the person downloading)."""
    lines = [
        "# " + gettext("%(program)s: records archive") % {"program": program.name},
        "",
        gettext("Downloaded %(when)s from PeerPath.") % {"when": f"{timezone.localtime(when):%Y-%m-%d %H:%M %Z}"},
        "",
        gettext(
            "CONFIDENTIAL. This archive contains participants' names, contact details, consent and notes "
            "(decrypted), and supporters' personal and well-being records. Keep it where only people allowed to "
            "see those records can open it (an encrypted drive), never send it by e-mail, and delete it when it "
            "has served its purpose. The download is recorded in the program's audit log."
        ),
        "",
        gettext(
            "Files are CSV, UTF-8 (with a byte-order mark so spreadsheet apps read accents), one row per record. "
            "data_dictionary.csv lists every column of every file: its type, its allowed values and its meaning. "
            "Files refer to each other by id (e.g. supporter_id is the id column of supporters.csv) and to people "
            "by their log-in e-mail (members.csv). Dates are YYYY-MM-DD; times are ISO 8601 with the time zone. "
            "Text starting with = + - or @ is prefixed with ' so spreadsheet apps do not run it as a formula. "
            "Uploaded files (continuing-education evidence) are not included: only their names. The column names "
            "and the values of choices (the words before the brackets in the dictionary) stay the same in every "
            "language, so a file can be read back by a program."
        ),
        "",
        "## " + gettext("Files"),
        "",
    ]
    confidential = gettext("(confidential)")
    for t in tables():
        lines.append(f"- {t.filename}{' ' + confidential if t.confidential else ''}: {t.meaning}")
    lines += ["", "## " + gettext("Not included"), ""]
    lines += [f"- {label}: {reason}" for label, reason in NOT_EXPORTED.items()]
    return "\n".join(lines) + "\n"


class _Chunks:
    """A write-only file that hands back what was written: the ZIP streams through it."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:  # a file's method; ZipFile leaves a passed-in file open
        return None

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


@contextlib.contextmanager
def _one_snapshot() -> Iterator[None]:
    """Read every file from one snapshot where the database offers it (PostgreSQL), read-only.

    Inside an existing transaction (tests) the reads simply join it. SQLite gets no long
    transaction: it would hold the database's write lock for the whole download.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        yield


def stream_archive(program: Program, when: dt.datetime | None = None) -> Iterator[bytes]:
    """The archive as a stream of bytes: README, each table as it is read, then the dictionary.
    The README and the dictionary are in the language active when this is called (the streamed
    response is written after the view has returned, so the language is kept here)."""
    return _stream(program, when or timezone.now(), translation.get_language() or settings.LANGUAGE_CODE)


def _stream(program: Program, when: dt.datetime, language: str) -> Iterator[bytes]:
    sink = _Chunks()
    with (
        translation.override(language),
        _one_snapshot(),
        zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        archive.writestr("README.md", readme(program, when))
        yield sink.take()
        for table in tables():
            values = [c.value for c in table.columns]
            with archive.open(table.filename, "w") as raw:
                buffer = io.StringIO()
                writer = CsvWriter(buffer)
                buffer.write("\ufeff")
                writer.writerow([c.name for c in table.columns])
                for record in table.rows(program):
                    writer.writerow([value(record) for value in values])
                    if buffer.tell() >= FLUSH_BYTES:
                        raw.write(buffer.getvalue().encode("utf-8"))
                        buffer.seek(0)
                        buffer.truncate()
                        yield sink.take()
                raw.write(buffer.getvalue().encode("utf-8"))
            yield sink.take()
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = CsvWriter(buffer)
        writer.writerow([gettext("file"), gettext("column"), gettext("type"), gettext("meaning")])
        writer.writerows(dictionary_rows())
        archive.writestr("data_dictionary.csv", buffer.getvalue().encode("utf-8"))
    yield sink.take()


def write_archive(program: Program, target: Any) -> int:
    """Write the whole archive to a binary file; returns the number of bytes written."""
    written = 0
    for chunk in stream_archive(program):
        target.write(chunk)
        written += len(chunk)
    return written
