"""Re-encrypt the ledger's ID numbers and phones under the current key (the first of
MINSHENG_PII_KEYS), and with --rehash recompute the lookup hashes under MINSHENG_PII_HASH_KEY.

Key rotation (docs/assistance.md, "Keys"):
1. `manage.py assistance_rotate_keys --generate` prints a new key;
2. put it FIRST in MINSHENG_PII_KEYS, keep the old keys after it, restart;
3. `manage.py assistance_rotate_keys` re-encrypts every row still under an old key (in batches,
   each in its own transaction; safe to interrupt and run again);
4. remove the old keys from MINSHENG_PII_KEYS and restart.
For a new hash key, the old values are not needed: --rehash decrypts and hashes again.
Prints counts only, never a value.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from minsheng.assistance import crypto
from minsheng.assistance.models import Event, Person

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt the assistance ledger under the current key (key rotation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--generate", action="store_true", help="print a new Fernet key")
        parser.add_argument("--rehash", action="store_true", help="recompute the lookup hashes too")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            self.stdout.write(Fernet.generate_key().decode())
            return
        rotated = rehashed = 0
        last = 0
        while True:
            with transaction.atomic():
                batch = list(
                    Person.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:BATCH]
                )
                if not batch:
                    break
                for person in batch:
                    fields: list[str] = []
                    try:
                        for name in ("id_cipher", "phone_cipher"):
                            token = getattr(person, name)
                            if not crypto.is_current(token):
                                setattr(person, name, crypto.rotate(token))
                                fields.append(name)
                    except crypto.InvalidToken:
                        raise CommandError(
                            f"person {person.pk}: no configured key opens its data; "
                            "keep the old key in MINSHENG_PII_KEYS until the rotation is done."
                        ) from None
                    if fields:
                        rotated += 1
                    if options["rehash"]:
                        id_hash = crypto.id_hash(crypto.decrypt(person.id_cipher))
                        phone = crypto.decrypt(person.phone_cipher)
                        phone_hash = crypto.phone_hash(phone) if phone else ""
                        if (id_hash, phone_hash) != (person.id_hash, person.phone_hash):
                            person.id_hash, person.phone_hash = id_hash, phone_hash
                            fields += ["id_hash", "phone_hash"]
                            rehashed += 1
                    if fields:
                        person.save(update_fields=fields)
                last = batch[-1].pk
        Event.objects.create(
            village_code="",
            subject="keys",
            subject_id=None,
            verb="rotated",
            data={"reencrypted": rotated, "rehashed": rehashed},
        )
        self.stdout.write(f"re-encrypted {rotated} people; rehashed {rehashed}.")
