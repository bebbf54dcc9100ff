from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "peerpath.certification"
    label = "certification"
