"""Re-encrypt every encrypted field with the newest key: `manage.py rotate_field_keys`.

Key rotation, step by step (README, "Rotating the encryption key"):
1. Put a new key first in PEERPATH_FIELD_ENCRYPTION_KEYS, keeping the old ones after it,
   and restart: new writes use the new key, old values still decrypt.
2. Run this command: every encrypted value of every app's models is read (decrypted with
   whichever key made it) and written back encrypted with the newest key, then each blind
   index apps registered (the participant search index) is rebuilt under it. It works in
   batches and can be run again safely.
3. Remove the old keys and restart.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from peerpath.core.encryption import blind_indexes, encrypted_models

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key and rebuild the blind indexes under it."

    def handle(self, *args: Any, **options: Any) -> None:
        for model, names in encrypted_models().items():
            # The base manager: every row, whatever a default manager might filter out.
            ids = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                with transaction.atomic():
                    rows = list(model._base_manager.filter(pk__in=ids[start : start + BATCH]).only("pk", *names))
                    model._base_manager.bulk_update(rows, names)
            self.stdout.write(f"{model._meta.label}: {len(ids)} rows re-encrypted")
        for name, rebuild in blind_indexes().items():
            self.stdout.write(f"{name}: index rebuilt for {rebuild()} records")
        self.stdout.write(self.style.SUCCESS("Every value is under the newest key. Old keys can now go."))
