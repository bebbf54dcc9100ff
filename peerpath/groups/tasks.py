"""Background work of groups: laying each series out to its horizon, daily."""

from __future__ import annotations

from django.tasks import task

from peerpath.groups import services


@task()
def lay_out_series() -> int:
    """Extend every running group's series so its sessions are scheduled weeks ahead."""
    return services.lay_out_all()
