"""The one check of an uploaded file's kind and size (evidence of hours or of a qualification,
learning materials)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from peerpath.core.uploads import MEGABYTE, check_upload

RULE = {"field": "evidence", "extensions": {".pdf", ".png"}, "max_megabytes": 1, "wrong_kind": "PDF or PNG, please."}


def test_no_file_and_a_welcome_file_pass() -> None:
    check_upload(None, **RULE)
    check_upload(SimpleUploadedFile("Letter.PDF", b"x" * MEGABYTE), **RULE)  # exactly the limit, any case


def test_a_file_of_another_kind_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("run.pdf.exe", b"MZ"), **RULE)
    assert refused.value.message_dict == {"evidence": ["PDF or PNG, please."]}


def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_readers_language() -> None:
    big = SimpleUploadedFile("scan.png", b"x" * (MEGABYTE + 1))
    with pytest.raises(ValidationError) as refused:
        check_upload(big, **RULE)
    assert refused.value.message_dict == {"evidence": ["The file is larger than 1 MB."]}
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        check_upload(big, **RULE)
    assert refused.value.message_dict == {"evidence": ["El archivo pesa más de 1 MB."]}
