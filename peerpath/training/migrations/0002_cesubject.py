"""Continuing-education subjects become the program's own list (issue 19), starting from the
five fixed categories every program had."""

import django.db.models.deletion
from django.db import migrations, models


DEFAULT_SUBJECTS = [
    ("ethics", "Ethics"),
    ("peer-specific", "Peer-specific"),
    ("general", "General"),
    ("cultural-competence", "Cultural competence"),
    ("supervision", "Supervision"),
]


def seed_subjects(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    CESubject = apps.get_model("training", "CESubject")
    for program in Program.objects.all():
        for position, (key, name) in enumerate(DEFAULT_SUBJECTS):
            CESubject.objects.get_or_create(program=program, key=key, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_second_factor_roles"),
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="trainingsession",
            name="ce_category",
            field=models.CharField(default="peer-specific", max_length=30),
        ),
        migrations.CreateModel(
            name="CESubject",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "key",
                    models.SlugField(
                        help_text="Letters, digits and hyphens; never changes.", max_length=30, verbose_name="Short key"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="Name")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "program",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="ce_subjects", to="programs.program"
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
                "constraints": [models.UniqueConstraint(fields=("program", "key"), name="one_ce_subject_per_key")],
            },
        ),
        migrations.RunPython(seed_subjects, migrations.RunPython.noop),
    ]
