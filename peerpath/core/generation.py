"""Data generations: a token per program that changes whenever that program's records change.

A fragment cached under the generation it was computed in (the home page's panels,
`peerpath.programs.views.home`) is never served once anything it could show has changed: the
next view computes it again under the new generation. What changes a generation:

- any model saved or deleted (and any many-to-many change) with a ``program_id``: that program's;
  without one (a user's name, say): every program's (the ``*`` generation);
- any request that may write (POST, PUT, PATCH, DELETE) answered without a server error: every
  program's, since a service may change rows with ``QuerySet.update()``, which sends no signal;
- each bump happens at once and again when the transaction commits, so a view that read the old
  rows between the two does not keep them under the new token.

Work done outside a request with ``update()`` (the scheduler's and the worker's bulk changes) and
the passing of time are covered by the fragments' lifetime (``PEERPATH_FRAGMENT_CACHE_SECONDS``,
two minutes by default; 0 turns the cache off) and by the day being part of every key.

Records written on every read (audit entries, sessions, the two-factor devices' last use) do not
change a generation: they would make every view a miss.
"""

from __future__ import annotations

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


def current(program_id: int | str) -> str:
    """The token of ``program_id``'s data as of now, combined with every program's."""
    key_all, key_one = f"{_PREFIX}{EVERY_PROGRAM}", f"{_PREFIX}{program_id}"
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
        cache.set(self.key, uuid.uuid4().hex, timeout=None)


def bump(program_id: int | str | None) -> None:
    """Start a new generation for the program (``None`` or ``*``: for every program), now and when
    the current transaction commits (once per transaction, however many rows it changes)."""
    if not _cache_ready():
        return
    key = f"{_PREFIX}{EVERY_PROGRAM if program_id is None else program_id}"
    renew = _Renew(key)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        renew()
        return
    # Once per transaction: a later row of the same transaction (an import of thousands) adds
    # nothing, since no other connection can read its rows before the commit's renewal.
    if any(isinstance(callback, _Renew) and callback.key == key for _s, callback, _r in connection.run_on_commit):
        return
    renew()
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


class BumpOnWrite:
    """After a request that may have written (any unsafe method, answered below 500), every
    program's generation moves on: services may change rows without sending a signal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in UNSAFE and response.status_code < 500:
            bump(None)
        return response
