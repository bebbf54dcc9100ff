"""Each program's credential-signing key, derived (never stored) from the installation secret.

The key is an ECDSA P-256 key (JOSE "ES256") obtained with HKDF-SHA256 from
`PEERPATH_CREDENTIAL_SECRET` and the program's slug, so nothing secret is written to the
database or the repository, every process derives the same key, and the public half is
published at `/credentials/<program>/jwks.json` for anyone verifying a credential. Changing the
installation secret changes every program's key (credentials signed before then no longer
verify against the published key): keep the secret as carefully as the database.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import reverse
from joserfc.jwk import ECKey

ALGORITHM = "ES256"
_SALT = b"peerpath credential signing key v1"
# Order of the P-256 group.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@lru_cache(maxsize=64)
def _derive(secret: str, slug: str, site_url: str) -> ECKey:
    material = HKDF(algorithm=hashes.SHA256(), length=48, salt=_SALT, info=f"program:{slug}".encode()).derive(
        secret.encode()
    )
    # 384 bits reduced into [1, n-1]: the bias is negligible (FIPS 186-5, A.2.1 style).
    scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
    private = ec.derive_private_key(scalar, ec.SECP256R1())
    thumbprint = ECKey.import_key(private).thumbprint()
    # The key id is a URL that resolves to the published key set, ending in the JWK thumbprint.
    kid = f"{site_url}{reverse('certification:jwks', args=[slug])}#{thumbprint}"
    return ECKey.import_key(private, {"kid": kid, "use": "sig", "alg": ALGORITHM})


def signing_key(program_slug: str) -> ECKey:
    """The program's private signing key (derived afresh per secret; cached in memory)."""
    return _derive(settings.CREDENTIAL_SECRET, program_slug, settings.SITE_URL)


def public_jwk(program_slug: str) -> dict[str, Any]:
    return signing_key(program_slug).as_dict(private=False)


def public_jwks(program_slug: str) -> dict[str, Any]:
    return {"keys": [public_jwk(program_slug)]}
