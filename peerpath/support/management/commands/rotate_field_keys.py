"""Re-encrypt participant data with the newest key: `manage.py rotate_field_keys`.

Key rotation, step by step (README, "Rotating the encryption key"):
1. Put a new key first in PEERPATH_FIELD_ENCRYPTION_KEYS, keeping the old ones after it,
   and restart: new writes use the new key, old values still decrypt.
2. Run this command: every encrypted value is read (decrypted with whichever key made it)
   and written back encrypted with the newest key, and the participant search index is
   rebuilt under it. It works in batches and can be run again safely.
3. Remove the old keys and restart.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from peerpath.support.encryption import encrypted_fields

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key and rebuild the participant search index."

    def handle(self, *args: Any, **options: Any) -> None:
        from peerpath.support.models import Participant
        from peerpath.support.services.participants import refresh_search_terms

        for model in apps.get_models():
            names = encrypted_fields(model)
            if not names:
                continue
            manager = model._default_manager
            ids = list(manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                with transaction.atomic():
                    rows = list(manager.filter(pk__in=ids[start : start + BATCH]).only("pk", *names))
                    manager.bulk_update(rows, names)
            self.stdout.write(f"{model._meta.label}: {len(ids)} rows re-encrypted")
        count = 0
        for participant in Participant.objects.only("pk", "full_name", "email", "phone").iterator(chunk_size=BATCH):
            with transaction.atomic():
                refresh_search_terms(participant)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt for {count} participants. Old keys can now go."))
