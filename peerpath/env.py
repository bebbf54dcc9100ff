"""Typed helpers that read PeerPath's settings from the environment.

Every setting the project reads is listed in docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PEERPATH_VAR_DIR", BASE_DIR / "var"))


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return int(value)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret(name: str, *, generate_in_dev: bool, length: int = 50) -> str:
    """A secret from NAME, or from the file named by NAME_FILE.

    In development (generate_in_dev) a missing secret is generated once into var/ so that
    sessions survive restarts; nothing secret is ever committed.
    """
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    if not generate_in_dev:
        raise RuntimeError(f"{name} (or {name}_FILE) must be set when PEERPATH_DEBUG is off.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    stored = VAR_DIR / name.lower()
    if not stored.exists():
        stored.write_text(secrets.token_urlsafe(length))
        stored.chmod(0o600)
    return stored.read_text().strip()
