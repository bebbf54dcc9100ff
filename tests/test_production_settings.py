"""Production configuration refuses what would weaken it: short keys, no public address, and a
database or var/ readable by others. Each case starts the real settings in a fresh interpreter
with the environment an operator would give it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LONG = "k" * 48
SHORT = "k" * 31  # one byte under the minimum


def start(tmp_path: Path, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    """Import peerpath.settings as production would (DEBUG off), with these variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PEERPATH_") and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "PEERPATH_SECRET_KEY": LONG,
            "PEERPATH_CREDENTIAL_SECRET": LONG,
            "PEERPATH_FIELD_ENCRYPTION_KEYS": LONG,
            "PEERPATH_SITE_URL": "https://peers.example.org",
            "PEERPATH_ALLOWED_HOSTS": "peers.example.org",
            "PEERPATH_VAR_DIR": str(tmp_path / "var"),
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import peerpath.settings as s; print(s.SITE_URL)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_start_with_long_keys_and_a_site_url(tmp_path: Path) -> None:
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://peers.example.org"


SECRETS = ["PEERPATH_SECRET_KEY", "PEERPATH_CREDENTIAL_SECRET", "PEERPATH_FIELD_ENCRYPTION_KEYS"]


@pytest.mark.parametrize("name", SECRETS)
def test_a_key_shorter_than_32_bytes_is_refused(tmp_path: Path, name: str) -> None:
    result = start(tmp_path, **{name: SHORT})
    assert result.returncode != 0
    assert name in result.stderr and "shorter than 32 bytes" in result.stderr


def test_a_short_key_kept_for_rotation_is_refused_too(tmp_path: Path) -> None:
    result = start(tmp_path, PEERPATH_FIELD_ENCRYPTION_KEYS=f"{LONG},{SHORT}")
    assert result.returncode != 0
    assert "PEERPATH_FIELD_ENCRYPTION_KEYS" in result.stderr


def test_a_short_key_from_a_file_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(SHORT + "\n")
    name = "PEERPATH_SECRET_KEY"
    result = start(tmp_path, **{name: None, f"{name}_FILE": str(key_file)})
    assert result.returncode != 0
    assert name in result.stderr


def test_a_short_key_is_refused_in_development_too(tmp_path: Path) -> None:
    result = start(tmp_path, PEERPATH_DEBUG="1", PEERPATH_SECRET_KEY=SHORT)
    assert result.returncode != 0
    assert "shorter than 32 bytes" in result.stderr


def test_site_url_is_required_when_debug_is_off(tmp_path: Path) -> None:
    result = start(tmp_path, PEERPATH_SITE_URL=None)
    assert result.returncode != 0
    assert "PEERPATH_SITE_URL must be set" in result.stderr


def test_site_url_must_be_an_address(tmp_path: Path) -> None:
    result = start(tmp_path, PEERPATH_SITE_URL="peers.example.org")
    assert result.returncode != 0
    assert "https://" in result.stderr


def test_development_keeps_the_local_site_url(tmp_path: Path) -> None:
    result = start(tmp_path, PEERPATH_DEBUG="1", PEERPATH_SITE_URL=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8000"


def test_development_links_follow_the_port_runserver_serves_at(tmp_path: Path) -> None:
    # `manage.py runserver 9001` (and `make run PORT=9001`, below): e-mails, PDFs and badges
    # must not point at port 8000.
    code = (
        "import sys; sys.argv = ['manage.py', 'runserver', '0:9001']; import peerpath.settings as s; print(s.SITE_URL)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERPATH_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(PEERPATH_DEBUG="1", PEERPATH_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:9001"
    # An address the operator set wins.
    env["PEERPATH_SITE_URL"] = "http://peers.test:9001/"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "http://peers.test:9001"


@pytest.mark.parametrize(
    ("argv", "address"),
    [
        (["manage.py", "runserver"], "http://127.0.0.1:8000"),
        (["manage.py", "runserver", "9001"], "http://127.0.0.1:9001"),
        (["manage.py", "runserver", "--noreload", "localhost:9002"], "http://localhost:9002"),
        (["manage.py", "runserver", "0.0.0.0:9003"], "http://127.0.0.1:9003"),
        (["manage.py", "db_worker"], "http://127.0.0.1:8000"),
    ],
)
def test_served_address_reads_runserver_s_argument(argv: list[str], address: str) -> None:
    from peerpath.env import served_address

    assert served_address(argv, "http://127.0.0.1:8000") == address


def test_make_run_gives_the_worker_and_the_server_the_address_it_serves_at() -> None:
    result = subprocess.run(
        ["make", "-n", "run", "PORT=9001", "HOST=127.0.0.1"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    recipe = result.stdout[result.stdout.index("export PEERPATH_SITE_URL") :]
    assert 'export PEERPATH_SITE_URL="${PEERPATH_SITE_URL:-http://127.0.0.1:9001}"' in recipe
    assert recipe.index("PEERPATH_SITE_URL") < recipe.index("run_supervised") < recipe.index("runserver")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_var_and_the_sqlite_file_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # a usual umask would leave both world-readable
    try:
        result = start(tmp_path)
    finally:
        os.umask(old_umask)
    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    assert mode(var) == 0o700
    assert mode(var / "peerpath.sqlite3") == 0o600


def test_an_existing_open_var_and_database_are_tightened(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    database = var / "peerpath.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    wal = var / "peerpath.sqlite3-wal"
    wal.write_bytes(b"")
    wal.chmod(0o644)
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert mode(var) == 0o700
    assert mode(database) == 0o600
    assert mode(wal) == 0o600


def test_generated_development_secrets_are_long_enough_and_private(tmp_path: Path) -> None:
    result = start(
        tmp_path,
        PEERPATH_DEBUG="1",
        PEERPATH_SECRET_KEY=None,
        PEERPATH_CREDENTIAL_SECRET=None,
        PEERPATH_FIELD_ENCRYPTION_KEYS=None,
    )
    assert result.returncode == 0, result.stderr
    for name in ("peerpath_secret_key", "peerpath_credential_secret", "peerpath_field_encryption_keys"):
        stored = tmp_path / "var" / name
        assert len(stored.read_text().strip()) >= 32
        assert mode(stored) == 0o600
