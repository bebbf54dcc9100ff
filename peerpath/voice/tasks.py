"""Background work of the participant's voice: sending the answer links that are due."""

from __future__ import annotations

from django.tasks import task

from peerpath.voice.services import feedback


@task()
def send_due_links() -> int:
    """E-mail each participant whose feedback link (with any outcome measures) is due."""
    return feedback.send_due_links()
