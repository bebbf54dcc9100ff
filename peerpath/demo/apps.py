from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo program. Each app may add a `demo.py` with `load(program, people)`."""

    name = "peerpath.demo"
    label = "demo"
