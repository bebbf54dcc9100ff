from __future__ import annotations

from typing import Any

import pytest

from peerpath.core import audit
from peerpath.core.models import AuditEntry
from peerpath.recruitment.pathway import move_to_stage

pytestmark = pytest.mark.django_db


def test_state_changes_record_old_and_new_values(world: Any) -> None:
    move_to_stage(actor=world.coordinator, supporter=world.supporter_record, to_stage="on_break", reason="Holiday")
    entry = AuditEntry.objects.get(action="pathway.move")
    assert entry.actor == world.coordinator
    assert entry.program == world.program
    assert entry.changes == {"stage": ["active", "on_break"]}
    assert entry.note == "Holiday"


def test_coordinator_reads_and_filters_the_log(world: Any) -> None:
    move_to_stage(actor=world.coordinator, supporter=world.supporter_record, to_stage="on_break", reason="Holiday")
    audit.record(actor=world.trainer, program=world.program, action="test.other", target=world.program)
    audit.record(actor=world.outsider, program=world.other_program, action="secret.harbor", target=world.other_program)
    client = world.client_for(world.coordinator)
    page = client.get("/p/riverside/audit/").content.decode()
    assert "pathway.move" in page and "test.other" in page
    assert "secret.harbor" not in page
    by_person = client.get(f"/p/riverside/audit/?actor={world.trainer.pk}").content.decode()
    assert "test.other" in by_person and "pathway.move" not in by_person
    record = world.supporter_record
    by_record = client.get(
        f"/p/riverside/audit/?target_type=recruitment.supporter&target_id={record.pk}"
    ).content.decode()
    assert "pathway.move" in by_record and "test.other" not in by_record


def test_bad_filter_values_do_not_break_the_page(world: Any) -> None:
    response = world.client_for(world.coordinator).get("/p/riverside/audit/?actor=nobody&page=zzz")
    assert response.status_code == 200


def test_diff_lists_only_changed_fields() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


def test_the_log_names_records_not_table_and_id(world: Any, support: Any) -> None:
    from peerpath.support.services import participants

    participant = participants.save_participant(
        actor=world.coordinator,
        program=world.program,
        participant=None,
        data={"full_name": "Dana Whitfield", "phone": "555 0199", "languages": ["English"]},
    )
    move_to_stage(actor=world.coordinator, supporter=world.supporter_record, to_stage="on_break", reason="Holiday")
    audit.record(
        actor=world.coordinator,
        program=world.program,
        action="test.unlabelled",
        target_type="training.cohort",
        target_id="12",
        target_label="",
    )
    page = world.client_for(world.coordinator).get("/p/riverside/audit/").content.decode()
    # The kind in the reader's language, the label as the log wrote it (not for translating).
    assert f'Participant <span translate="no">{participant.reference}</span>' in page
    assert f'Supporter <span translate="no">{world.supporter_record.full_name}</span>' in page
    assert 'Cohort <span translate="no">#12</span>' in page
    assert "support.participant #" not in page and "recruitment.supporter #" not in page
    # The filter names the kinds of record the same way.
    assert '<option value="support.participant">Participant</option>' in page


def test_record_names() -> None:
    entry = AuditEntry(
        target_type="certification.assessment", target_id="3", target_label="Assessment of Tia (Decided)"
    )
    assert audit.record_name(entry) == "Assessment of Tia (Decided)"
    assert (
        audit.record_name(AuditEntry(target_type="exchange.import", target_label="intake.csv")) == "Import intake.csv"
    )
