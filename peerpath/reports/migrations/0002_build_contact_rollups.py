"""Build the contact rollups of an existing database from its contacts (peerpath/reports/rollups.py).

At full scale (a million contacts) this reads every contact once: about a minute. The same is
``manage.py rollups --rebuild``, which also repairs rollups after rows were written without signals.
"""

from typing import Any

from django.db import migrations


def build(apps: Any, schema_editor: Any) -> None:
    from peerpath.reports.rollups import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_contact_rollups"),
        ("support", "0010_participant_preferred_language"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
