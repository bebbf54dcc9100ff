"""Fields encrypted at rest, keyed digests to find them by, and the key rotation of both.

Values are encrypted with `cryptography`'s Fernet (AES-128-CBC with an HMAC-SHA256 tag)
through MultiFernet, so several keys can be live during a rotation: the first key in
``settings.FIELD_ENCRYPTION_KEYS`` encrypts, every key decrypts. Each configured key is any
long random string; a Fernet key and a separate index key are derived from it with HKDF.

Any app's model declares an `EncryptedTextField`; ``manage.py rotate_field_keys`` finds every
such field through the model registry. Encrypted columns cannot be searched, so an app that
must find records by what is encrypted keeps a *blind index*: HMAC-SHA256 digests of search
terms it chooses (support: a participant's name words, e-mail and phone digits), computed with
a key derived from the same configured keys. A search computes the digests of what was typed
under every live key, so search keeps working while the rotation moves the stored digests to
the newest key; an app registers how to rebuild its index with `register_blind_index`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"peerpath-field-keys", info=purpose).derive(secret.encode())


@functools.cache
def _keys(configured: tuple[str, ...]) -> tuple[MultiFernet, tuple[bytes, ...]]:
    if not configured:
        raise ImproperlyConfigured("PEERPATH_FIELD_ENCRYPTION_KEYS is empty: nothing can be encrypted or decrypted.")
    fernets = [Fernet(base64.urlsafe_b64encode(_derive(key, b"fernet"))) for key in configured]
    index_keys = tuple(_derive(key, b"blind-index") for key in configured)
    return MultiFernet(fernets), index_keys


def key_id(secret: str) -> str:
    """A key's public name (for backups and operators): derived one-way, so it reveals nothing."""
    return "fek-" + _derive(secret, b"key-id")[:8].hex()


def key_ids_in_use(using: str = "default") -> list[str]:
    """The ids of the configured keys that encrypted at least one stored value (what a backup of
    this data needs). Each stored token's HMAC is checked against each key, newest first; a value
    no configured key made is reported as ``fek-unknown``."""
    from django.db import connections

    configured = list(settings.FIELD_ENCRYPTION_KEYS)
    singles = [(key_id(k), Fernet(base64.urlsafe_b64encode(_derive(k, b"fernet")))) for k in configured]
    used: set[str] = set()
    connection = connections[using]
    with connection.cursor() as cursor:
        for model, names in encrypted_models().items():
            table = connection.ops.quote_name(model._meta.db_table)
            columns = {f.name: str(f.column) for f in model._meta.concrete_fields}
            for name in names:
                column = connection.ops.quote_name(columns[name])
                cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608 - names from models
                for (token,) in cursor.fetchall():
                    for ident, fernet in singles:
                        try:
                            fernet.extract_timestamp(token.encode())  # verifies the HMAC only
                        except InvalidToken:
                            continue
                        used.add(ident)
                        break
                    else:
                        used.add("fek-unknown")
    return sorted(used)


def configured_key_ids() -> list[str]:
    return [key_id(k) for k in settings.FIELD_ENCRYPTION_KEYS]


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


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (a number, a list, a dict...) stored encrypted; reads give the value back."""

    description = "JSON encrypted at rest"
    # For django-stubs: the model attribute holds any JSON value, not text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        text = decrypt(value)
        return json.loads(text) if text else None

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)


@contextlib.contextmanager
def immediate_constraints(connection: Any) -> Iterator[None]:
    """Check foreign keys as each statement runs (PostgreSQL): a migration that updates rows and
    alters a table in one transaction would otherwise stop on "pending trigger events"."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def encrypt_columns(connection: Any, table: str, columns: list[str], *, reverse: bool = False) -> int:
    """Encrypt (or, with ``reverse``, decrypt) the stored values of ``columns`` in place, for a data
    migration that turns plain columns into encrypted ones. Works on the raw rows (the historical
    model's fields would try to decrypt the plain text), in SQL any engine runs. A value that is
    already a token of a live key is left alone going forward, so a migration can be run again.
    Returns the number of values changed."""
    quoted = connection.ops.quote_name
    changed = 0
    with immediate_constraints(connection), connection.cursor() as cursor:
        for column in columns:
            cursor.execute(
                f"SELECT id, {quoted(column)} FROM {quoted(table)} WHERE {quoted(column)} IS NOT NULL"  # noqa: S608
            )
            updates: list[tuple[str, Any]] = []
            for pk, value in cursor.fetchall():
                text = value if isinstance(value, str) else json.dumps(value)
                if text == "":
                    continue
                if reverse:
                    updates.append((decrypt(text), pk))
                    continue
                try:
                    _current()[0].decrypt(text.encode())
                except (InvalidToken, ValueError, TypeError):
                    updates.append((encrypt(text), pk))
            for new, pk in updates:
                cursor.execute(f"UPDATE {quoted(table)} SET {quoted(column)} = %s WHERE id = %s", [new, pk])  # noqa: S608
            changed += len(updates)
    return changed


def encrypt_columns_operation(table: str, columns: list[str]) -> Any:
    """A migration operation running `encrypt_columns` forwards and decrypting backwards."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        encrypt_columns(schema_editor.connection, table, columns)

    def backwards(apps: Any, schema_editor: Any) -> None:
        encrypt_columns(schema_editor.connection, table, columns, reverse=True)

    return migrations.RunPython(forwards, backwards, elidable=False)


def is_audit_secret(field: Any) -> bool:
    """Whether the audit log records only that ``field`` changed, never its values: every
    encrypted field, and every field its model names in ``audit_secret_fields`` (kept in clear
    because matching computes on it, but personal enough to stay out of the log)."""
    model = getattr(field, "model", None)
    return isinstance(field, EncryptedTextField) or field.name in getattr(model, "audit_secret_fields", ())


def encrypted_fields(model: type[models.Model]) -> list[str]:
    """The names of the model's encrypted fields."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def encrypted_models() -> dict[type[models.Model], list[str]]:
    """Every installed model with encrypted fields, and their names: read from the model registry,
    so a field any app adds is rotated without being listed anywhere."""
    from django.apps import apps

    found = {model: encrypted_fields(model) for model in apps.get_models()}
    return {model: names for model, names in found.items() if names}


# --- Blind index -------------------------------------------------------------------------


def digest(term: str, key: bytes | None = None) -> str:
    """The blind-index digest of a term under the newest key (or the key given)."""
    key = key if key is not None else _current()[1][0]
    return hmac.new(key, term.encode(), hashlib.sha256).hexdigest()


def digests_any_key(term: str) -> list[str]:
    """The digest of a term under every live key (for searching during a rotation)."""
    return [digest(term, key) for key in _current()[1]]


# Apps' blind indexes, rebuilt by `manage.py rotate_field_keys` after the fields: name -> a
# function that recomputes every stored digest under the newest key and returns how many
# records it covered. Apps register in their AppConfig.ready().
_BLIND_INDEXES: dict[str, Callable[[], int]] = {}


def register_blind_index(name: str, rebuild: Callable[[], int]) -> None:
    _BLIND_INDEXES[name] = rebuild


def blind_indexes() -> dict[str, Callable[[], int]]:
    return dict(_BLIND_INDEXES)
