"""Move each program's renewal rule from its settings (total, one ethics minimum, cycle, grace)
into a first rule version, and pin every certificate's current cycle (and past renewals) to it."""

from django.db import migrations


def forwards(apps, schema_editor):
    Settings = apps.get_model("certification", "CertificationSettings")
    CERule = apps.get_model("certification", "CERule")
    CERuleMinimum = apps.get_model("certification", "CERuleMinimum")
    Certificate = apps.get_model("certification", "Certificate")
    CertificateChange = apps.get_model("certification", "CertificateChange")
    CESubject = apps.get_model("training", "CESubject")
    for settings in Settings.objects.all():
        rule = CERule.objects.create(
            program_id=settings.program_id,
            name=(
                f"{settings.ce_hours_required} hours every {settings.renewal_cycle_months} months, "
                f"{settings.ce_ethics_hours_required} in ethics"
            ),
            cycle_months=settings.renewal_cycle_months,
            total_hours=settings.ce_hours_required,
            grace_days=settings.grace_period_days,
            same_course_once=True,
        )
        if settings.ce_ethics_hours_required > 0:
            ethics, _ = CESubject.objects.get_or_create(
                program_id=settings.program_id, key="ethics", defaults={"name": "Ethics", "position": 0}
            )
            CERuleMinimum.objects.create(rule=rule, subject=ethics, hours=settings.ce_ethics_hours_required)
        Certificate.objects.filter(program_id=settings.program_id).update(ce_rule=rule)
        CertificateChange.objects.filter(certificate__program_id=settings.program_id, event="renewed").update(
            ce_rule=rule
        )


class Migration(migrations.Migration):
    dependencies = [("certification", "0002_ce_rules")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
