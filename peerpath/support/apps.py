from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "peerpath.support"
    label = "support"
    verbose_name = "Participants and support"
