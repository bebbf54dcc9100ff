"""Support's in-app notifications move to the notification layer's inbox (notifications.Notice)."""

from django.db import migrations


def move_notices(apps, schema_editor):
    Notification = apps.get_model("support", "Notification")
    Notice = apps.get_model("notifications", "Notice")
    batch = []
    for row in Notification.objects.all().iterator(chunk_size=2000):
        if row.concern_id:
            about = f"support.concern:{row.concern_id}"
        elif row.relationship_id:
            about = f"support.relationship:{row.relationship_id}"
        else:
            about = ""
        batch.append(
            Notice(
                user_id=row.user_id,
                program_id=row.program_id,
                kind="support.crisis" if row.is_urgent and row.concern_id else "support.notice",
                text=row.text,
                url=row.url,
                is_urgent=row.is_urgent,
                about=about,
                created_at=row.created_at,
                read_at=row.read_at,
            )
        )
        if len(batch) >= 2000:
            Notice.objects.bulk_create(batch)
            batch = []
    Notice.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0008_concern_outside_relationship"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_notices, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="notification",
            name="support_not_user_id_58e632_idx",
        ),
        migrations.DeleteModel(
            name="Notification",
        ),
    ]
