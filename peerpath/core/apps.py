from typing import Any

from django.apps import AppConfig


def _lift_login_pauses(sender: Any, user: Any, **kwargs: Any) -> None:
    """A new password (through a reset link, typically) ends the pauses failed log-ins put on the
    account: the locked-out page offers the reset as the way back in."""
    from axes.utils import reset

    reset(username=user.email)


class CoreConfig(AppConfig):
    name = "peerpath.core"
    label = "core"
    verbose_name = "PeerPath core"

    def ready(self) -> None:
        import datetime as dt

        from django.tasks.signals import task_finished

        from peerpath.core import (
            backup,
            encryption,
            generation,
            health,
            languages,  # noqa: F401 (connects its user_logged_in receiver)
            outbox,
            second_factor,  # noqa: F401 (connects its user_logged_in receiver)
            tasks,
        )
        from peerpath.core.scheduler import register_periodic
        from peerpath.core.signals import password_changed

        password_changed.connect(_lift_login_pauses, dispatch_uid="core.lift_login_pauses")
        # A delivery task that failed outside an attempt (a lease that ran out twice) is a failed attempt.
        task_finished.connect(outbox.on_task_finished, dispatch_uid="core.outbox_task_finished")
        health.register_core_checks()
        generation.connect()
        # A backup lists the field-encryption keys its data was encrypted with; a restore checks
        # they are configured (configured_key_ids) before anything is read.
        backup.register_key_ids("field_encryption", encryption.key_ids_in_use)

        register_periodic("core.prune_form_tokens", tasks.prune_used_form_tokens, dt.timedelta(days=1))
        register_periodic("core.prune_finished_tasks", tasks.prune_finished_tasks, dt.timedelta(days=1))
