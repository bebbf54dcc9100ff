"""Rollups: the contact figures the reports need, kept per program and day (and per participant
and month for the people reached), so a report reads a few hundred rows instead of every
contact of the period. `peerpath.reports.rollups` keeps them in step with the contacts, in the
transaction that changes them; `manage.py rollups` rebuilds or checks them."""

from __future__ import annotations

from django.db import models

from peerpath.programs.models import Program


class ContactDay(models.Model):
    """One program's contact figures for one day, as counts by name (``rollups.MEASURES``): the
    contacts logged that day, reached, their minutes and tasks, the one-to-one service by the
    participant's lived-experience areas, and the follow-ups falling due that day with how many
    days after their date a contact reached the participant (or none yet)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "day"], name="one_contact_day_per_program")]

    def __str__(self) -> str:
        return f"Contacts of program {self.program_id} on {self.day}"


class ParticipantMonth(models.Model):
    """The days of a month on which a contact reached a participant, as bits (bit 0 is the 1st),
    so the people reached in any period are counted without reading the contacts."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    participant_id = models.BigIntegerField()
    month = models.DateField()
    days = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant_id", "month"], name="one_participant_month"),
        ]
        indexes = [models.Index(fields=["program", "month"])]

    def __str__(self) -> str:
        return f"Participant {self.participant_id} reached in {self.month:%Y-%m}"


class RelationshipFigures(models.Model):
    """What one relationship's contacts add to the program's days (``{day: {measure: n}}``), as
    last added: a change to its contacts adds the difference. Keyed by the relationship's id
    without a foreign key, so that deleting the relationship cannot remove it before its share
    is taken back out of the days."""

    relationship_id = models.BigIntegerField(primary_key=True)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Figures of relationship {self.relationship_id}"
