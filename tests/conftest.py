"""Standing personas: one person per role in a program, and an outsider from another program."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.programs.signals import program_created
from peerpath.recruitment.models import Stage, Supporter
from tests.factories import TESTS, MembershipFactory, ProgramFactory, SupporterFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: database rows rolled back by one test can come back
    with the same ids in the next, and must not meet figures or pages kept for the old ones."""
    cache.clear()
    yield


@dataclass
class World:
    program: Program
    coordinator: User
    trainer: User
    supervisor: User
    supporter: User
    supporter_record: Supporter
    other_program: Program
    outsider: User  # coordinator of the other program
    outsider_record: Supporter  # a person on the other program's pathway

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def make_program(slug: str, name: str) -> Program:
    program = ProgramFactory(slug=slug, name=name)
    program_created.send(sender=Program, program=program, actor=TESTS)
    return program


@pytest.fixture
def world(db: Any) -> World:
    program = make_program("riverside", "Riverside")
    other = make_program("harbor", "Harbor")
    coordinator = MembershipFactory(program=program, is_coordinator=True, user__full_name="Cora Coordinator").user
    trainer = MembershipFactory(program=program, is_trainer=True, user__full_name="Theo Trainer").user
    supervisor = MembershipFactory(program=program, is_supervisor=True, user__full_name="Sam Supervisor").user
    supporter = MembershipFactory(program=program, is_supporter=True, user__full_name="Priya Supporter").user
    record = SupporterFactory(
        program=program, user=supporter, full_name=supporter.full_name, email=supporter.email, stage=Stage.ACTIVE
    )
    outsider = MembershipFactory(program=other, is_coordinator=True, user__full_name="Olga Outsider").user
    outsider_record = SupporterFactory(program=other, full_name="Hidden Harbor Applicant")
    mail.outbox.clear()
    return World(program, coordinator, trainer, supervisor, supporter, record, other, outsider, outsider_record)


@pytest.fixture
def user_factory(db: Any) -> type[UserFactory]:
    return UserFactory
