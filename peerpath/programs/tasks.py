"""Background work owned by programs: the nightly retention run."""

from __future__ import annotations

from django.tasks import task

from peerpath.programs import retention


@task()
def apply_retention() -> int:
    """Daily: remove what each program's retention settings no longer keep (and finished task rows
    past PEERPATH_FINISHED_TASKS_KEEP_DAYS); one audit entry per run. Returns that entry's id."""
    return retention.run().pk
