"""The renewal rule now lives in its versions (CERule); the settings keep the outcome rules."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certification", "0003_ce_rules_from_settings")]

    operations = [
        migrations.RemoveField(
            model_name="certificationsettings",
            name="ce_ethics_hours_required",
        ),
        migrations.RemoveField(
            model_name="certificationsettings",
            name="ce_hours_required",
        ),
        migrations.RemoveField(
            model_name="certificationsettings",
            name="grace_period_days",
        ),
        migrations.RemoveField(
            model_name="certificationsettings",
            name="renewal_cycle_months",
        ),
    ]
