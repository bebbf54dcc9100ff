"""Start a real program: `manage.py create_program "Name" slug coordinator@example.org "Full Name"`.

Creates the program with its default content (core competencies, screening questions, red
flags) and its first coordinator, who receives an invitation e-mail to set a password. The
invitation link is printed too, for installations whose mail is not set up yet.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from peerpath.core.actors import SystemActor
from peerpath.core.models import User
from peerpath.programs.services import create_program, invitation_url

# The audit log names the command as the actor that created the program.
COMMAND = SystemActor("manage.py create_program")


class Command(BaseCommand):
    help = "Create a program and invite its first coordinator."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("slug", help="The short address of the program, e.g. riverside")
        parser.add_argument("coordinator_email")
        parser.add_argument("coordinator_name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            program = create_program(
                actor=COMMAND,
                name=options["name"],
                slug=options["slug"],
                coordinator_email=options["coordinator_email"],
                coordinator_name=options["coordinator_name"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user = User.objects.get(email=options["coordinator_email"].strip().lower())
        self.stdout.write(self.style.SUCCESS(f"Created {program.name} (/p/{program.slug}/)."))
        if not user.has_usable_password():
            self.stdout.write(f"Invitation for {user.email} (also e-mailed): {invitation_url(user)}")
