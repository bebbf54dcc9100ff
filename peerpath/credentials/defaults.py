"""The qualifications a new program starts with (program_created); the program edits them. None
holds anyone back for lack of a record until the program says so ("also hold back people who
have none on file"); an expired or unsatisfactory one does."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from peerpath.credentials.models import QualificationKind, QualificationType
from peerpath.programs.models import Program

CODE_OF_ETHICS = (
    "I will respect the dignity, choices and privacy of the people I support; keep what they tell me "
    "confidential except where someone's safety is at risk; keep clear boundaries and no dual "
    "relationships; share my lived experience only to help; and ask my supervisor when unsure."
)
CONFIDENTIALITY = (
    "I will keep confidential everything I learn about participants and other supporters through the "
    "program, during and after my time with it, except where the law or someone's safety requires "
    "otherwise, and I will record and share participants' information only through PeerPath."
)


def qualification_defaults() -> list[dict[str, Any]]:
    return [
        {
            "name": _("Background check"),
            "kind": QualificationKind.CHECK,
            "valid_months": 36,
            "for_new_matches": True,
            "for_facilitating": True,
            "for_training_others": True,
        },
        {
            "name": _("References"),
            "kind": QualificationKind.REFERENCES,
            "references_needed": 2,
            "for_new_matches": True,
        },
        {
            "name": _("Confidentiality agreement"),
            "kind": QualificationKind.AGREEMENT,
            "valid_months": 12,
            "agreement_text": CONFIDENTIALITY,
            "for_new_matches": True,
            "for_facilitating": True,
        },
        {
            "name": _("Code of ethics"),
            "kind": QualificationKind.AGREEMENT,
            "agreement_text": CODE_OF_ETHICS,
            "for_new_matches": True,
            "for_facilitating": True,
            "for_training_others": True,
        },
        {"name": _("First aid"), "kind": QualificationKind.TRAINING, "valid_months": 36, "for_facilitating": True},
        {"name": _("Mandated reporter training"), "kind": QualificationKind.TRAINING, "valid_months": 24},
    ]


def seed_qualifications(program: Program, **kwargs: Any) -> None:
    """Give a new program the usual qualifications (program_created)."""
    if QualificationType.objects.filter(program=program).exists():
        return
    for position, values in enumerate(qualification_defaults()):
        QualificationType.objects.create(program=program, position=position, **values)
