"""An app's per-program settings row, read the same way by every app.

Each app keeps its own settings model, one row per program (a one-to-one ``program`` field),
and reads it on most of its pages and on the home page. ``ProgramSettings(Model).get(program)``
is that read: compiled once (see peerpath.core.prepared), and the row created with the app's
defaults on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db import IntegrityError, models, transaction

from peerpath.core.prepared import PreparedLookup

_PROGRAM_ID = -2_000_000_010  # never a program's id


class ProgramSettings[M: models.Model]:
    """The settings row of ``model`` for a program, created on first use.

    ``related``: a relation of the row loaded with it. ``defaults``: the values a new row starts
    with, where the model's field defaults are not enough. ``remember``: keep the row on the
    program object (as its reverse one-to-one relation), for apps that read their settings in
    several places during one request.
    """

    def __init__(
        self,
        model: type[M],
        *,
        related: str | None = None,
        defaults: Callable[[], dict[str, Any]] | None = None,
        remember: bool = False,
    ) -> None:
        self.model = model
        self._related = related
        self._defaults = defaults
        self._remember = remember
        self._lookup = PreparedLookup(
            lambda program_id: model._default_manager.filter(program_id=program_id),
            related=related,
            program_id=_PROGRAM_ID,
        )

    def get(self, program: models.Model) -> M:
        field = self.model._meta.get_field("program")
        assert isinstance(field, models.OneToOneField)  # the row's one-to-one link to its program
        if self._remember:
            cached = field.remote_field.get_cached_value(program, default=None)
            if cached is not None:
                return cast(M, cached)
        row = self._lookup.first(program_id=program.pk) or self._create(program)
        field.set_cached_value(row, program)  # the same program: spares a query wherever row.program is read
        if self._remember:
            field.remote_field.set_cached_value(program, row)
        return row

    def _create(self, program: models.Model) -> M:
        manager = self.model._default_manager
        try:
            with transaction.atomic():
                return manager.create(program=program, **(self._defaults() if self._defaults else {}))
        except IntegrityError:
            # Another request created it between our read and our insert: theirs stands.
            rows = manager.select_related(self._related) if self._related else manager.all()
            return rows.get(program=program)
