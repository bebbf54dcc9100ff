"""The language a person's messages are rendered in (`peerpath.core.languages.language_for`)."""

from __future__ import annotations

from peerpath.core.languages import language_for

__all__ = ["language_for"]
