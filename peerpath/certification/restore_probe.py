"""What a backup captures about certificates, to prove after a restore that they still verify.

The ids of the programs' signing keys (their JWK thumbprints, never the key) are listed in the
backup's manifest; and the newest valid certificate's signed credential (as its holder has it)
is kept, to be verified after the restore against the restored installation's published key and
compared with the credential the restored data gives.
"""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from peerpath.certification import keys, openbadges
from peerpath.certification.models import Certificate

JWT_CLAIMS = {"iss", "jti", "nbf", "exp"}


def key_ids(using: str) -> list[str]:
    """The signing-key id of every program holding certificates: ``<slug>:<JWK thumbprint>``."""
    slugs = Certificate.objects.using(using).values_list("program__slug", flat=True).distinct()
    return sorted(f"{slug}:{keys.signing_key(slug).thumbprint()}" for slug in slugs)


def capture(using: str) -> dict[str, Any] | None:
    certificate = (
        Certificate.objects.using(using)
        .filter(revoked_at__isnull=True)
        .select_related("program", "supporter")
        .order_by("-pk")
        .first()
    )
    if certificate is None:
        return None
    return {
        "identifier": certificate.identifier,
        "program": certificate.program.slug,
        "credential": openbadges.signed_credential(certificate),
    }


def check(facts: dict[str, Any], using: str) -> list[str]:
    identifier = facts["identifier"]
    certificate = (
        Certificate.objects.using(using).filter(identifier=identifier).select_related("program", "supporter").first()
    )
    if certificate is None:
        return [f"certificate {identifier} is missing"]
    if certificate.revoked_at is not None:
        return [f"certificate {identifier} is revoked in the restored data"]
    published = ECKey.import_key(keys.public_jwk(facts["program"]))  # the key the restored site publishes
    try:
        token = jwt.decode(facts["credential"], published, algorithms=[keys.ALGORITHM])
    except JoseError as error:
        return [f"certificate {identifier}: its signed credential no longer verifies ({error})"]
    claims = {k: v for k, v in token.claims.items() if k not in JWT_CLAIMS}
    if claims != openbadges.credential(certificate):
        return [f"certificate {identifier}: the restored data gives a different credential"]
    return []
