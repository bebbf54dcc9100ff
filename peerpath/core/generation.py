"""Data generations: a token per program that changes whenever that program's records change.

A fragment cached under the generation it was computed in (the home page's panels,
`peerpath.programs.views.home`) is never served once anything it could show has changed: the
next view computes it again under the new generation. What changes a generation:

- any model saved or deleted (and any many-to-many change) with a ``program_id``: that program's;
  without one (a user's name, say): every program's (the ``*`` generation);
- any request that may write (POST, PUT, PATCH, DELETE), answered without a server error, that
  wrote a row (a service may change rows with ``QuerySet.update()``, which sends no signal):
  the program of the page when it was a program's page (`core.permissions.program_view` sets
  ``request.program``) and it wrote no account (``GLOBAL_TABLES``: people's names show in every
  program), else every program's; a request that wrote nothing (a form sent back with errors,
  a wrong password) changes no generation;
- each bump happens at once and again when the transaction commits, so a view that read the old
  rows between the two does not keep them under the new token.

Work done outside a request with ``update()`` (the scheduler's and the worker's bulk changes) and
the passing of time are covered by the fragments' lifetime (``PEERPATH_FRAGMENT_CACHE_SECONDS``,
two minutes by default; 0 turns the cache off) and by the day being part of every key.

Records written on every read (audit entries, sessions, the two-factor devices' last use) do not
change a generation: they would make every view a miss.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

EVERY_PROGRAM = "*"
_PREFIX = "generation:"
# Written on reads, or with no bearing on what a page shows (app_label.model_name).
IGNORED = {
    "core.auditentry",
    "sessions.session",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "otp_static.statictoken",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "admin.logentry",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Tables whose rows every program shows (people's names): a write to them moves every program on.
GLOBAL_TABLES = {"core_user"}


# The keys this thread has read with current() since it last renewed them: a transaction that
# changed rows renews a key again only when someone may have cached under it in between.
_local = threading.local()


def _read_since_renewal() -> set[str]:
    keys: set[str] | None = getattr(_local, "keys", None)
    if keys is None:
        keys = _local.keys = set()
    return keys


def current(program_id: int | str) -> str:
    """The token of ``program_id``'s data as of now, combined with every program's."""
    key_all, key_one = f"{_PREFIX}{EVERY_PROGRAM}", f"{_PREFIX}{program_id}"
    _read_since_renewal().update((key_all, key_one))
    found = cache.get_many([key_all, key_one])
    missing = {key: uuid.uuid4().hex for key in (key_all, key_one) if key not in found}
    if missing:
        # add(): two requests starting a generation at once agree on the first one stored.
        for key, token in missing.items():
            cache.add(key, token, timeout=None)
        found = cache.get_many([key_all, key_one])
    return f"{found.get(key_all, 'x')}.{found.get(key_one, 'x')}"


_cache_table_seen = False


def _cache_ready() -> bool:
    """False while the database cache's table is not made yet (``migrate`` runs before
    ``createcachetable``): there is nothing kept to invalidate then, and writing would fail."""
    global _cache_table_seen
    if _cache_table_seen:
        return True
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connections, router

    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        _cache_table_seen = True
        return True
    database = router.db_for_write(backend.cache_model_class)
    _cache_table_seen = getattr(backend, "_table", "") in connections[database].introspection.table_names()
    return _cache_table_seen


class _Renew:
    """Gives ``key`` a new token (one of these waits among a transaction's commit callbacks)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self) -> None:
        _read_since_renewal().discard(self.key)
        cache.set(self.key, uuid.uuid4().hex, timeout=None)


def bump(program_id: int | str | None) -> None:
    """Start a new generation for the program (``None`` or ``*``: for every program), now and when
    the current transaction commits (once per transaction however many rows it changes, and again
    only after the token was read in between)."""
    if not _cache_ready():
        return
    key = f"{_PREFIX}{EVERY_PROGRAM if program_id is None else program_id}"
    renew = _Renew(key)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        renew()
        return
    scheduled = any(
        isinstance(callback, _Renew) and callback.key == key for _s, callback, _r in connection.run_on_commit
    )
    # A later row of the same transaction (an import of thousands) renews nothing more, unless
    # this thread read the token since: no other connection sees the rows before the commit's
    # renewal, but this transaction may have cached a page under the token in between.
    if not scheduled or key in _read_since_renewal():
        renew()
    if not scheduled:
        transaction.on_commit(renew)


def _label(sender: Any) -> str:
    meta = getattr(sender, "_meta", None)
    return f"{meta.app_label}.{meta.model_name}" if meta is not None else ""


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Migrations' historical models (module "__fake__") change no kept page.
    if sender.__module__ == "__fake__" or _label(sender) in IGNORED:
        return
    bump(getattr(instance, "program_id", None))


def _m2m_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and type(instance).__module__ != "__fake__":
        bump(getattr(instance, "program_id", None))


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="core.generation.saved")
    post_delete.connect(_changed, dispatch_uid="core.generation.deleted")
    m2m_changed.connect(_m2m_changed, dispatch_uid="core.generation.m2m")


class _Writes:
    """Watches a request's SQL: did it write rows that pages show, and any in ``GLOBAL_TABLES``?"""

    def __init__(self) -> None:
        self.wrote = False
        self.wrote_global = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        words = sql.lstrip().split(None, 3)
        verb = words[0].upper() if words else ""
        if verb in ("INSERT", "UPDATE", "DELETE"):
            # INSERT INTO "t", UPDATE "t", DELETE FROM "t"
            table = (words[2] if verb != "UPDATE" and len(words) > 2 else words[1] if len(words) > 1 else "").strip(
                '"`'
            )
            if table not in _ignored_tables():
                self.wrote = True
                self.wrote_global |= table in GLOBAL_TABLES
        return execute(sql, params, many, context)


def _ignored_tables() -> set[str]:
    """The tables of ``IGNORED`` and the database cache's (the generations themselves live there)."""
    global _IGNORED_TABLES
    if _IGNORED_TABLES is None:
        from django.apps import apps
        from django.core.cache import caches
        from django.core.cache.backends.db import DatabaseCache

        found = set()
        for label in IGNORED:
            app_label, model_name = label.split(".")
            try:
                found.add(apps.get_model(app_label, model_name)._meta.db_table)
            except LookupError:
                continue
        found |= {getattr(caches[name], "_table", "") for name in caches if isinstance(caches[name], DatabaseCache)}
        _IGNORED_TABLES = found
    return _IGNORED_TABLES


_IGNORED_TABLES: set[str] | None = None


class BumpOnWrite:
    """After a request that may have written (any unsafe method, answered below 500) and did write
    a row: its program's generation moves on, or every program's (see the module's docstring);
    services may change rows without sending a signal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in UNSAFE:
            return self.get_response(request)
        from django.db import connection

        writes = _Writes()
        with connection.execute_wrapper(writes):
            response = self.get_response(request)
        if response.status_code < 500 and writes.wrote:
            program = getattr(request, "program", None)
            bump(None if program is None or writes.wrote_global else program.pk)
        return response
