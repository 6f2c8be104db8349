"""`manage.py api_idempotency_purge`: delete idempotency records older than API_IDEMPOTENCY_HOURS.

Expired records are already ignored when a key comes back; this keeps the table small. Run it
daily (cron, or alongside the worker).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minsheng.api.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete expired REST API idempotency records."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {purge_expired()} expired idempotency record(s).")
