"""Every kind of record the audit log can name has words people use, in each language."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

from peerpath.core.audit import record_type_label
from peerpath.core.record_kinds import KINDS


def test_every_model_has_a_kind_of_record() -> None:
    labels = {m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("peerpath.")}
    missing = sorted(labels - set(KINDS))
    assert not missing, f"Name these kinds of record in peerpath/core/record_kinds.py: {missing}"


def test_the_kinds_are_in_the_readers_language() -> None:
    assert record_type_label("support.supportrelationship") == "Support relationship"
    with translation.override("es"):
        assert record_type_label("support.supportrelationship") == "Acompañamiento"
        assert record_type_label("care.checkin") == "Seguimiento de bienestar"
