"""Load the demo program (idempotent): `manage.py load_demo`.

Builds "Riverside Peer Support Network" with one person per role and about twenty applicants
spread over every pathway stage and source, then lets each app that has a `demo` module add
its part. Running it again changes nothing. No e-mail is sent while loading.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from peerpath.core.mail import suppressed
from peerpath.demo import content


class Command(BaseCommand):
    help = "Load the demo program and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        with suppressed(), transaction.atomic():
            program, people = content.load_base()
            for config in apps.get_app_configs():
                if not config.name.startswith("peerpath.") or config.name == "peerpath.demo":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(program, people)
        self.stdout.write(self.style.SUCCESS(f"Demo program ready: {program.name}"))
        self.stdout.write(f"Log in at /accounts/login/ with password '{content.DEMO_PASSWORD}' as:")
        for role, user in people["logins"].items():
            self.stdout.write(f"  {role:<12} {user.email}")
        if not program.second_factor_roles:
            self.stdout.write("Two-factor sign-in is off in the demo program: turn it on under Settings to try it.")
