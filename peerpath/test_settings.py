"""Settings for the test suite: the real settings with fast, observable stand-ins."""

import os
import sys

os.environ.setdefault("PEERPATH_TESTING", "1")
# Keep compiled modules (and pytest's assertion-rewritten test modules) as .pyc files even where
# PYTHONDONTWRITEBYTECODE is set: otherwise every run and every xdist worker compiles them all
# again (several seconds of CPU per worker).
sys.dont_write_bytecode = False

from peerpath.settings import *  # noqa: E402, F403

# Tasks run at once in-process so tests see their effects (mail in the outbox).
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = "http://testserver"
PUBLIC_FORM_RATE = "1000/m"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# WhiteNoise looks static files up when they are asked for instead of listing every app's static
# files when its middleware starts: every test client starts the middleware afresh, and that
# listing was most of the CPU of a short test (the files served are the same).
WHITENOISE_AUTOREFRESH = True
# The practice lab trains its coder when a test first codes a reply, not in a background thread.
PRACTICE_WARM_UP_CODER = False
# Texts go to the development provider, one file per test process (tests point it elsewhere
# with the settings fixture when they read it).
SMS_BACKEND = "console"
SMS_FILE = str(VAR_DIR / f"test-sms-{os.getpid()}.log")  # noqa: F405

# On PostgreSQL the suite's commits do not wait for the WAL to reach the disk (asynchronous
# commit: what other connections see is unchanged, only a crash could lose the last commits of a
# throw-away test database). On the CI machine a commit took 7.5 ms waiting for the disk and
# 0.1 ms without; the level builds, the committing tests and the migration tests commit often.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
