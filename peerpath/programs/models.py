"""A peer support program, who works in it, and the content it screens and trains against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.permissions import Role


class Program(models.Model):
    """One peer support program. Several can share an installation; none sees another's data."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    population = models.CharField(
        max_length=200, blank=True, help_text=_("Who the program serves, e.g. 'adults in recovery from addiction'.")
    )
    contact_email = models.EmailField(blank=True)
    accepting_applications = models.BooleanField(default=True)
    application_intro = models.TextField(blank=True, help_text=_("Shown at the top of the public application form."))
    # Two-factor sign-in (peerpath.core.second_factor): the roles that must use it here.
    second_factor_for_coordinators = models.BooleanField(_("Coordinators must use two-factor sign-in"), default=True)
    second_factor_for_supervisors = models.BooleanField(_("Supervisors must use two-factor sign-in"), default=False)
    second_factor_for_trainers = models.BooleanField(_("Trainers must use two-factor sign-in"), default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programs:home", args=[self.slug])

    @property
    def second_factor_roles(self) -> set[Role]:
        """The roles that must use two-factor sign-in in this program."""
        wanted = {
            Role.COORDINATOR: self.second_factor_for_coordinators,
            Role.SUPERVISOR: self.second_factor_for_supervisors,
            Role.TRAINER: self.second_factor_for_trainers,
        }
        return {role for role, required in wanted.items() if required}


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True)

    def current(self) -> MembershipQuerySet:
        """Active memberships in active programs: the ones that let a person in (program pages,
        the API, the program switcher). The one statement of that rule."""
        return self.filter(is_active=True, program__is_active=True)

    def staff(self) -> MembershipQuerySet:
        """Coordinators, trainers and supervisors: the people who run the program."""
        return self.active().filter(
            models.Q(is_coordinator=True) | models.Q(is_trainer=True) | models.Q(is_supervisor=True)
        )

    def with_role(self, role: Role) -> MembershipQuerySet:
        return self.active().filter(**{Membership.ROLE_FIELDS[role]: True})


class Membership(models.Model):
    """The roles a user holds in one program."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    is_coordinator = models.BooleanField(default=False)
    is_trainer = models.BooleanField(default=False)
    is_supervisor = models.BooleanField(default=False)
    is_supporter = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["program__name", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="one_membership_per_program")]

    def __str__(self) -> str:
        return f"{self.user} in {self.program}"

    ROLE_FIELDS = {
        Role.COORDINATOR: "is_coordinator",
        Role.TRAINER: "is_trainer",
        Role.SUPERVISOR: "is_supervisor",
        Role.SUPPORTER: "is_supporter",
    }

    @property
    def roles(self) -> set[Role]:
        return {role for role, field in self.ROLE_FIELDS.items() if getattr(self, field)}

    @property
    def role_labels(self) -> str:
        return ", ".join(role.label for role in Role if role in self.roles)

    def has(self, role: Role) -> bool:
        return role in self.roles


class FocusArea(models.Model):
    """A lived-experience area the program serves (e.g. grief, substance use, chronic pain)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="focus_areas")
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="unique_focus_area_name")]

    def __str__(self) -> str:
        return self.name


class Competency(models.Model):
    """A competency peer supporters are trained and assessed against."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="competencies")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    is_core = models.BooleanField(default=True, help_text=_("One of the general core competencies."))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "competencies"
        constraints = [models.UniqueConstraint(fields=["program", "number"], name="unique_competency_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class RetentionSettings(models.Model):
    """How long one program keeps what it no longer needs (peerpath.programs.retention). One row
    per program; an empty number of days keeps those records for good."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="retention_settings")
    closed_participant_days = models.PositiveIntegerField(
        _("Keep closed participant records for (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Counted from the end of the participant's last relationship. Then the record is erased as on an "
            "erasure request: only the anonymous counts reports need are kept. Empty: kept until erased by hand."
        ),
    )
    audit_days = models.PositiveIntegerField(
        _("Keep audit log entries for (days)"),
        null=True,
        blank=True,
        help_text=_("Older entries of this program's audit log are deleted. Empty: kept for good."),
    )
    draft_days = models.PositiveIntegerField(
        _("Keep abandoned contact drafts for (days)"),
        null=True,
        blank=True,
        default=30,
        help_text=_("A contact a supporter started typing and never saved, counted from its last change."),
    )

    class Meta:
        verbose_name_plural = "retention settings"

    def __str__(self) -> str:
        return f"Retention settings of {self.program}"
