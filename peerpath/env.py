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


# The shortest encryption or signing key accepted, in bytes (256 bits).
MIN_KEY_BYTES = 32


class ConfigurationError(RuntimeError):
    """A setting that must not be used as given; the message names the variable."""


def secret(name: str, *, generate_in_dev: bool, length: int = 50) -> str:
    """A secret from NAME, or from the file named by NAME_FILE.

    In development (generate_in_dev) a missing secret is generated once into var/ so that
    sessions survive restarts; nothing secret is ever committed. A secret shorter than
    MIN_KEY_BYTES is refused, in development too.
    """
    if value := os.environ.get(name):
        return require_key_length(name, value)
    if path := os.environ.get(f"{name}_FILE"):
        return require_key_length(name, Path(path).read_text().strip())
    if not generate_in_dev:
        raise ConfigurationError(f"{name} (or {name}_FILE) must be set when PEERPATH_DEBUG is off.")
    private_var_dir()
    stored = VAR_DIR / name.lower()
    if not stored.exists():
        stored.write_text(secrets.token_urlsafe(length))
        stored.chmod(0o600)
    return require_key_length(name, stored.read_text().strip())


def secret_list(name: str, *, generate_in_dev: bool) -> list[str]:
    """A comma-separated list of secrets (newest first), each at least MIN_KEY_BYTES long."""
    keys = [key.strip() for key in secret(name, generate_in_dev=generate_in_dev).split(",") if key.strip()]
    for key in keys:
        require_key_length(name, key)
    return keys


def require_key_length(name: str, value: str) -> str:
    """The value, if it is long enough to be a key; otherwise stop the start naming the variable.

    A comma-separated list is checked key by key (the encryption keys during a rotation)."""
    for key in value.split(","):
        if key.strip() and len(key.strip().encode()) < MIN_KEY_BYTES:
            raise ConfigurationError(
                f"{name} holds a key shorter than {MIN_KEY_BYTES} bytes. Use a long random string, "
                'e.g. python -c "import secrets; print(secrets.token_urlsafe(48))".'
            )
    return value


def served_address(argv: list[str], default: str) -> str:
    """The address ``manage.py runserver [addr:]port`` serves at (``default`` for any other
    command or a plain ``runserver``): in development the links PeerPath writes into e-mails,
    certificates and badges point where the app is actually served."""
    if len(argv) < 2 or argv[1] != "runserver":
        return default
    addrport = next((arg for arg in argv[2:] if not arg.startswith("-")), "")
    if not addrport:
        return default
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        return default
    if host in ("", "0", "0.0.0.0", "[::]"):  # noqa: S104 (a listening address, not a bind)
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def site_url(*, required: bool, default: str) -> str:
    """PEERPATH_SITE_URL without its trailing slash. Required in production: e-mails and
    certificates would otherwise point at the development address. In development ``default``
    is where the app is served (``make run`` sets PEERPATH_SITE_URL from ``HOST`` and ``PORT``;
    ``served_address`` reads ``manage.py runserver``'s own argument)."""
    value = os.environ.get("PEERPATH_SITE_URL", "").strip()
    if not value:
        if required:
            raise ConfigurationError(
                "PEERPATH_SITE_URL must be set when PEERPATH_DEBUG is off "
                "(the public address written into e-mails and certificates, e.g. https://peers.example.org)."
            )
        value = default
    if not value.startswith(("https://", "http://")):
        raise ConfigurationError(f"PEERPATH_SITE_URL must start with https:// or http:// (got {value!r}).")
    return value.rstrip("/")


def _owner_only(path: Path, mode: int) -> None:
    """Take group and other permissions off a path this process owns (leave others' paths alone)."""
    info = path.stat()
    if info.st_uid == os.geteuid() and info.st_mode & 0o077:
        path.chmod(mode)


def private_var_dir() -> Path:
    """var/ (PEERPATH_VAR_DIR), created readable by its owner only (0700)."""
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(VAR_DIR, 0o700)
    return VAR_DIR


def private_sqlite_file(path: Path) -> Path:
    """The SQLite database file, created (empty) readable by its owner only (0600) before SQLite
    opens it; SQLite gives its -wal and -shm files the database file's permissions."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    _owner_only(path, 0o600)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            _owner_only(companion, 0o600)
    return path
