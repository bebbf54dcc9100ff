"""Versioned continuing-education rules with any number of subject minimums, caps per delivery
mode; activities say how they were delivered (issue 19)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0001_initial"),
        ("programs", "0003_second_factor_roles"),
        ("training", "0002_cesubject"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ceactivity",
            name="delivery",
            field=models.CharField(
                choices=[("live", "Live"), ("self_paced", "Self-paced")],
                default="live",
                max_length=12,
                verbose_name="How it was delivered",
            ),
        ),
        migrations.AlterField(
            model_name="ceactivity",
            name="category",
            field=models.CharField(help_text="The key of one of the program's CE subjects.", max_length=30),
        ),
        migrations.CreateModel(
            name="CERule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="Name of the rule")),
                (
                    "cycle_months",
                    models.PositiveSmallIntegerField(
                        default=24,
                        validators=[
                            django.core.validators.MinValueValidator(6),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="Renewal cycle (months)",
                    ),
                ),
                (
                    "total_hours",
                    models.DecimalField(
                        decimal_places=1,
                        default=Decimal("20"),
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("200")),
                        ],
                        verbose_name="Continuing-education hours per cycle",
                    ),
                ),
                (
                    "live_minimum_hours",
                    models.DecimalField(
                        decimal_places=1,
                        default=Decimal("0"),
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("200")),
                        ],
                        verbose_name="Live hours, at least",
                    ),
                ),
                (
                    "self_paced_cap_hours",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Leave empty for no cap. Self-paced hours beyond it do not count (earliest first).",
                        max_digits=5,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("200")),
                        ],
                        verbose_name="Self-paced hours counted, at most",
                    ),
                ),
                (
                    "live_cap_hours",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Leave empty for no cap.",
                        max_digits=5,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("200")),
                        ],
                        verbose_name="Live hours counted, at most",
                    ),
                ),
                (
                    "same_course_once",
                    models.BooleanField(
                        default=True,
                        help_text="Same title and provider, ignoring case and punctuation.",
                        verbose_name="The same course counts once per cycle",
                    ),
                ),
                (
                    "grace_days",
                    models.PositiveSmallIntegerField(
                        default=90,
                        help_text="After expiry the certificate can still be renewed for this long; then it has lapsed.",
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="Grace period after expiry (days)",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "program",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="ce_rules", to="programs.program"
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "get_latest_by": ["created_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="certificate",
            name="ce_rule",
            field=models.ForeignKey(
                blank=True,
                help_text="The continuing-education rule the current cycle runs under (a newer one applies from the next).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.cerule",
            ),
        ),
        migrations.AddField(
            model_name="certificatechange",
            name="ce_rule",
            field=models.ForeignKey(
                blank=True,
                help_text="For a renewal: the rule the cycle it closed ran under.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certification.cerule",
            ),
        ),
        migrations.CreateModel(
            name="CERuleMinimum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "hours",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.5")),
                            django.core.validators.MaxValueValidator(Decimal("200")),
                        ],
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="minimums", to="certification.cerule"
                    ),
                ),
            ],
            options={
                "ordering": ["subject__position", "subject_id"],
            },
        ),
        migrations.AddField(
            model_name="ceruleminimum",
            name="subject",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="training.cesubject"
            ),
        ),
        migrations.AddConstraint(
            model_name="ceruleminimum",
            constraint=models.UniqueConstraint(fields=("rule", "subject"), name="one_minimum_per_subject"),
        ),
    ]
