from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peerpath.core"
    label = "core"
    verbose_name = "PeerPath core"

    def ready(self) -> None:
        import datetime as dt

        from peerpath.core import tasks
        from peerpath.core.scheduler import register_periodic

        register_periodic("core.prune_form_tokens", tasks.prune_used_form_tokens, dt.timedelta(days=1))
        register_periodic("core.prune_finished_tasks", tasks.prune_finished_tasks, dt.timedelta(days=1))
