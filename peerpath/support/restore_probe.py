"""What a backup captures about participants, to prove after a restore that they still decrypt.

At backup time a few participants are chosen and a keyed digest (the blind-index key, so the
manifest reveals nothing readable) of their decrypted name, e-mail and phone is kept; after a
restore the same participants must exist, decrypt with the configured keys, and give the same
digest under one of the live keys (a rotation in between is fine).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from peerpath.core.encryption import digest, digests_any_key
from peerpath.support.models import Participant


def _term(participant: Participant) -> str:
    return "\x1f".join(["restore-probe", participant.full_name, participant.email, participant.phone])


def capture(using: str) -> dict[str, Any] | None:
    rows = Participant.objects.using(using).order_by("pk")
    chosen = {p.pk: p for p in (rows.first(), rows.last()) if p is not None}
    if not chosen:
        return None
    return {"participants": [{"id": pk, "digest": digest(_term(p))} for pk, p in sorted(chosen.items())]}


def check(facts: dict[str, Any], using: str) -> list[str]:
    problems = []
    for item in facts["participants"]:
        try:
            participant = Participant.objects.using(using).filter(pk=item["id"]).first()
        except ImproperlyConfigured:
            problems.append(f"participant {item['id']} does not decrypt with the configured keys")
            continue
        if participant is None:
            problems.append(f"participant {item['id']} is missing")
        elif not participant.full_name:
            problems.append(f"participant {item['id']} decrypts to an empty name")
        elif item["digest"] not in digests_any_key(_term(participant)):
            problems.append(f"participant {item['id']} decrypts to something other than what was backed up")
    return problems
