"""The language a person's messages are rendered in.

Issue 17 gives every person a language (`peerpath.core.languages.language_for`); until that
module is present, messages go out in the installation's language.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings


def language_for(user: Any) -> str:
    """The recipient's language code, for ``translation.override``."""
    try:
        languages = importlib.import_module("peerpath.core.languages")
    except ImportError:
        return str(getattr(user, "language", "") or settings.LANGUAGE_CODE)
    return str(languages.language_for(user))
