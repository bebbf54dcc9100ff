"""Participant data encrypted at rest, and a keyed index to search it.

Values are encrypted with `cryptography`'s Fernet (AES-128-CBC with an HMAC-SHA256 tag)
through MultiFernet, so several keys can be live during a rotation: the first key in
``settings.FIELD_ENCRYPTION_KEYS`` encrypts, every key decrypts. Each configured key is any
long random string; a Fernet key and a separate index key are derived from it with HKDF.

Encrypted columns cannot be searched, so participants are found through a *blind index*:
HMAC-SHA256 digests of their normalised name words, e-mail and phone digits, computed with
a key derived from the same configured keys. A search computes the digests of what was typed
under every live key, so search keeps working while ``manage.py rotate_field_keys`` moves
the stored digests to the newest key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import unicodedata
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"peerpath-field-keys", info=purpose).derive(secret.encode())


@functools.cache
def _keys(configured: tuple[str, ...]) -> tuple[MultiFernet, tuple[bytes, ...]]:
    if not configured:
        raise ImproperlyConfigured("PEERPATH_FIELD_ENCRYPTION_KEYS is empty: participant data cannot be encrypted.")
    fernets = [Fernet(base64.urlsafe_b64encode(_derive(key, b"fernet"))) for key in configured]
    index_keys = tuple(_derive(key, b"blind-index") for key in configured)
    return MultiFernet(fernets), index_keys


def _current() -> tuple[MultiFernet, tuple[bytes, ...]]:
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    """Encrypt text with the newest key. Empty text stays empty (nothing to hide)."""
    if not value:
        return ""
    return _current()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored value with whichever live key made it."""
    if not token:
        return ""
    try:
        return _current()[0].decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A value could not be decrypted with any key in PEERPATH_FIELD_ENCRYPTION_KEYS. "
            "Was a key removed before `manage.py rotate_field_keys` ran?"
        ) from error


class EncryptedTextField(models.TextField):
    """Text stored encrypted; reads decrypt transparently. Only ``isnull`` lookups work."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise NotImplementedError(f"Encrypted fields cannot be searched with '{lookup_name}'; use the blind index.")
        return super().get_lookup(lookup_name)


def encrypted_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


# --- Blind index -------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_words(text: str) -> list[str]:
    """'José  O'Neil-Díaz' -> ['jose', 'o', 'neil', 'diaz']: the words a name is searched by."""
    return [w for w in re.split(r"[^\w]+", _fold(text)) if w]


def phone_digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def terms_for(*, full_name: str, email: str, phone: str) -> set[str]:
    """Everything a participant can be found by: each name word, the e-mail, the phone digits."""
    terms = {f"name:{w}" for w in name_words(full_name)}
    if email.strip():
        terms.add(f"email:{email.strip().casefold()}")
    if len(phone_digits(phone)) >= 4:
        terms.add(f"phone:{phone_digits(phone)}")
    return terms


def digest(term: str, key: bytes | None = None) -> str:
    """The blind-index digest of a term under the newest key (or the key given)."""
    key = key if key is not None else _current()[1][0]
    return hmac.new(key, term.encode(), hashlib.sha256).hexdigest()


def digests_any_key(term: str) -> list[str]:
    """The digest of a term under every live key (for searching during a rotation)."""
    return [digest(term, key) for key in _current()[1]]


def query_terms(query: str) -> list[list[str]]:
    """The search requirements for what was typed: each is a list of terms, one must match.

    A query of digits only is a phone number; a word with '@' is an e-mail; every other
    word is a name word (all must match, in any order).
    """
    query = query.strip()
    if not query:
        return []
    if not re.search(r"[^\d\s()+.-]", query) and len(phone_digits(query)) >= 4:
        return [[f"phone:{phone_digits(query)}"]]
    requirements: list[list[str]] = []
    for token in query.split()[:6]:
        if "@" in token:
            requirements.append([f"email:{token.casefold()}"])
        else:
            requirements.extend([f"name:{w}"] for w in name_words(token))
    return requirements
