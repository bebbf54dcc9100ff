"""Factories for test data. Prefer services for anything with rules; these make the raw rows."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from peerpath.core.actors import SystemActor
from peerpath.core.models import User
from peerpath.programs.models import Competency, FocusArea, Membership, Program
from peerpath.recruitment.models import (
    Application,
    RedFlag,
    ScreeningInterview,
    ScreeningQuestion,
    Source,
    Stage,
    Supporter,
)

PASSWORD = "correct horse battery"
# The actor for set-up steps that no person in the test takes; the audit log shows "tests".
TESTS = SystemActor("tests")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    contact_email = "hello@program.example.org"
    # The personas sign in with a password only; tests/core/test_second_factor.py turns the
    # requirement (on by default for coordinators) back on where it tests it.
    second_factor_for_coordinators = False


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Area {n}")


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n + 100)
    title = factory.Sequence(lambda n: f"Competency {n}")


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    program = factory.SubFactory(ProgramFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    source = Source.FLYER
    stage = Stage.APPLICANT


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    supporter = factory.SubFactory(SupporterFactory)
    program = factory.SelfAttribute("supporter.program")
    full_name = factory.SelfAttribute("supporter.full_name")
    email = factory.SelfAttribute("supporter.email")
    preferred_contact = "email"
    motivation = "I want to give back."
    availability = "Evenings"
    source = factory.SelfAttribute("supporter.source")
    consent_to_contact = True


class ScreeningQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningQuestion

    program = factory.SubFactory(ProgramFactory)
    factor = "motivation"
    text = factory.Sequence(lambda n: f"Question {n}?")


class RedFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedFlag

    program = factory.SubFactory(ProgramFactory)
    text = factory.Sequence(lambda n: f"Red flag {n}")


class ScreeningInterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningInterview

    supporter = factory.SubFactory(SupporterFactory, stage=Stage.SCREENING)
    program = factory.SelfAttribute("supporter.program")
    scheduled_for = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    location = "Room 1"
