"""The checks an uploaded file passes before it is kept: its kind, by its name, and its size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

MEGABYTE = 1024 * 1024


def check_upload(
    upload: Any, *, field: str, extensions: Iterable[str], max_megabytes: int, wrong_kind: str | Promise
) -> None:
    """Refuse, on ``field``, a file whose name ends in none of ``extensions`` (``wrong_kind`` says
    which kinds are welcome) or that is larger than ``max_megabytes``. No file passes."""
    if upload is None:
        return
    name = str(getattr(upload, "name", "") or "").lower()
    if not name.endswith(tuple(extensions)):
        raise ValidationError({field: wrong_kind})
    if getattr(upload, "size", 0) > max_megabytes * MEGABYTE:
        raise ValidationError({field: _("The file is larger than %(megabytes)d MB.") % {"megabytes": max_megabytes}})
