"""The encryption mechanism every app's sensitive fields use: keys, rotation, blind-index digests.

Participant data end to end (a database dump, search, the rotation of every stored value) is
tested in tests/support/test_encryption.py.
"""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from peerpath.core import encryption
from peerpath.core.encryption import (
    EncryptedTextField,
    decrypt,
    digest,
    digests_any_key,
    encrypt,
    encrypted_fields,
    encrypted_models,
)

OLD, NEW = "an old key, long and random enough", "a new key, long and random enough too"


def test_a_value_is_stored_as_ciphertext_and_reads_back() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        token = encrypt("Zebedee Quartermaine")
        assert "Zebedee" not in token and "Quartermaine" not in token
        assert encrypt("Zebedee Quartermaine") != token  # a fresh IV each time: equal values do not show
        assert decrypt(token) == "Zebedee Quartermaine"
        assert encrypt("") == "" and decrypt("") == ""


def test_the_newest_key_encrypts_and_every_live_key_decrypts() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        under_old = encrypt("under the old key")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        assert decrypt(under_old) == "under the old key"
        under_new = encrypt("under the new key")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert decrypt(under_new) == "under the new key"
        with pytest.raises(ImproperlyConfigured, match="rotate_field_keys"):
            decrypt(under_old)
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]), pytest.raises(ImproperlyConfigured):
        decrypt(under_new)


def test_without_a_key_nothing_is_encrypted() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[]), pytest.raises(ImproperlyConfigured, match="is empty"):
        encrypt("anything")


def test_an_encrypted_field_can_only_be_asked_whether_it_is_null() -> None:
    field = EncryptedTextField()
    assert field.get_lookup("isnull") is not None
    for lookup in ("exact", "icontains", "startswith", "in"):
        with pytest.raises(NotImplementedError, match="blind index"):
            field.get_lookup(lookup)


def test_digests_are_keyed_and_searchable_under_every_live_key() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        old_digest = digest("name:zebedee")
        assert digest("name:zebedee") == old_digest and digest("name:quartermaine") != old_digest
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        new_digest = digest("name:zebedee")
        assert new_digest != old_digest  # a digest means nothing without the key
        assert digests_any_key("name:zebedee") == [new_digest, old_digest]


def test_every_encrypted_field_of_every_app_is_found_through_the_model_registry() -> None:
    expected = {
        model._meta.label: sorted(f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField))
        for model in apps.get_models()
    }
    found = {model._meta.label: sorted(names) for model, names in encrypted_models().items()}
    assert found == {label: names for label, names in expected.items() if names}
    assert found["exchange.ImportBatch"] == ["payload"]
    assert {"full_name", "email", "phone", "intake_notes"} <= set(found["support.Participant"])
    assert encrypted_fields(apps.get_model("programs", "Program")) == []


@pytest.mark.django_db
def test_the_rotation_rebuilds_every_registered_blind_index(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "participant search" in encryption.blind_indexes()  # support registers its own
    rebuilt: list[str] = []

    def rebuild() -> int:
        rebuilt.append(digest("term:rebuilt"))
        return 7

    monkeypatch.setattr(encryption, "_BLIND_INDEXES", {"test index": rebuild})
    output = io.StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        call_command("rotate_field_keys", stdout=output)
        assert rebuilt == [digest("term:rebuilt")]  # rebuilt once, under the newest key
    assert "test index: index rebuilt for 7 records" in output.getvalue()
    assert "exchange.ImportBatch: 0 rows re-encrypted" in output.getvalue()
