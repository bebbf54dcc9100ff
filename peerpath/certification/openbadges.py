"""A certificate as an Open Badges 3.0 `OpenBadgeCredential`, secured as a JWT (VC-JWT) signed
with the program's key (see `keys.py`), and the public issuer documents it points to."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from joserfc import jwt

from peerpath.certification import keys
from peerpath.certification.models import LEVEL_RANK, Certificate, Level, Outcome
from peerpath.certification.services import get_settings
from peerpath.programs.models import Competency, Program

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json"
MEDIA_TYPE = "application/vc+jwt"


def _url(name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _timestamp(day: dt.date, end_of_day: bool = False) -> str:
    moment = dt.datetime.combine(day, dt.time(23, 59, 59) if end_of_day else dt.time(0, 0), tzinfo=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile(program: Program) -> dict[str, Any]:
    """The program as an Open Badges issuer Profile."""
    profile: dict[str, Any] = {
        "id": _url("certification:issuer", program.slug),
        "type": ["Profile"],
        "name": program.name,
        "url": _url("recruitment:apply", program.slug),
    }
    if program.description:
        profile["description"] = program.description
    if program.contact_email:
        profile["email"] = program.contact_email
    return profile


def achievement(program: Program, credential_name: str) -> dict[str, Any]:
    """The achievement a certificate attests: the program's credential and its competencies."""
    competencies = Competency.objects.filter(program=program, is_active=True).order_by("number")
    return {
        "id": _url("certification:achievement", program.slug),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": credential_name,
        "description": (
            f"{credential_name} of {program.name}: completed initial peer-supporter training and was assessed "
            "competent in each core competency by a trainer."
        ),
        "criteria": {
            "narrative": "Rated at least 'competent' in every competency below by a trainer of the cohort, "
            "with the program's minimum attendance:\n" + "\n".join(f"{c.number}. {c.title}" for c in competencies)
        },
        "creator": issuer_profile(program),
    }


def decided_achievement(certificate: Certificate) -> dict[str, Any] | None:
    """For a certificate a trainer gave in place of the rules' outcome (an override recorded with
    a written reason), the achievement as it was actually met: its own id, and criteria that say
    what was and was not met (no claim of the minimum attendance when it was below it). None for
    a certificate that met the rules, or one with no assessment behind it."""
    assessment = certificate.assessment
    if assessment is None or not assessment.is_override:
        return None
    program = certificate.program
    levels = [Level(level) for level in assessment.ratings.values_list("level", flat=True)]
    minimum = get_settings(program).min_attendance_percent
    competent = bool(levels) and all(LEVEL_RANK[level] >= LEVEL_RANK[Level.COMPETENT] for level in levels)
    percent = assessment.attendance_percent
    facts = [
        "rated at least 'competent' in every competency below by a trainer of the cohort"
        if competent
        else "rated in every competency below by a trainer of the cohort, not every one at least 'competent'",
        "no training sessions were held"
        if percent is None
        else f"attendance {percent}% ({assessment.attendance_attended} of {assessment.attendance_held} sessions), "
        + ("at least" if percent >= minimum else "below")
        + f" the program's minimum of {minimum}%",
    ]
    competencies = "\n".join(f"{c.number}. {c.title}" for c in program.competencies.filter(is_active=True))
    given = Outcome(assessment.computed_outcome).label if assessment.computed_outcome else ""
    base = achievement(program, certificate.credential_name)
    return {
        **base,
        "id": f"{base['id']}#trainer-decision",
        "criteria": {
            "narrative": f"Certified by the trainer's decision, recorded with a written reason, in place of the "
            f"outcome the program's rules gave ('{given}'): {'; '.join(facts)}.\n{competencies}"
        },
    }


def credential(certificate: Certificate) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for a certificate. A certificate given by a trainer's
    decision in place of the rules carries that achievement (`decided_achievement`), never the
    claim that the rules' criteria were met."""
    program = certificate.program
    salt = uuid.uuid5(certificate.uuid, "identity").hex
    email = (certificate.supporter.email or "").strip().lower()
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": decided_achievement(certificate) or achievement(program, certificate.credential_name),
        "identifier": [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest(),
                "identityType": "emailAddress",
                "salt": salt,
            }
        ],
    }
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{certificate.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.credential_name}: {certificate.holder_name}",
        "description": (
            f"Certificate {certificate.identifier}. Check it at {_url('certification:verify', certificate.identifier)}"
        ),
        "issuer": issuer_profile(program),
        "validFrom": _timestamp(certificate.issued_on),
        "validUntil": _timestamp(certificate.expires_on, end_of_day=True),
        "credentialSubject": subject,
        "credentialSchema": [{"id": SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def signed_credential(certificate: Certificate) -> str:
    """The credential as a compact JWS (VC-JWT): the payload is the credential with the JWT
    claims iss, jti, nbf and exp; the header's kid is the URL of the program's published key."""
    data = credential(certificate)
    key = keys.signing_key(certificate.program.slug)
    header = {
        "alg": keys.ALGORITHM,
        "typ": "JWT",
        "kid": key.kid,
    }
    valid_from = dt.datetime.combine(certificate.issued_on, dt.time(0, 0), tzinfo=dt.UTC)
    valid_until = dt.datetime.combine(certificate.expires_on, dt.time(23, 59, 59), tzinfo=dt.UTC)
    claims = {
        **data,
        "iss": data["issuer"]["id"],
        "jti": data["id"],
        "nbf": int(valid_from.timestamp()),
        "exp": int(valid_until.timestamp()),
    }
    return jwt.encode(header, claims, key, algorithms=[keys.ALGORITHM])
