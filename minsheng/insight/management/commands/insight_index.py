"""`manage.py insight_index`: file the tickets missing from the duplicate index, or --rebuild.

The worker keeps the index current (minsheng.insight.index.index_pending); this files at once
what is missing, e.g. the demo's tickets in `make run` (idempotent: a second run files none)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from minsheng.insight.index import index_missing, index_tickets
from minsheng.insight.models import TicketSignature, TicketTerm
from minsheng.tickets.models import Ticket


class Command(BaseCommand):
    help = "Index tickets for duplicate search (only the missing ones unless --rebuild)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="drop and rebuild everything")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: object, **options: object) -> None:
        batch = max(int(options["batch_size"]), 1)  # type: ignore[call-overload]
        if options["rebuild"]:
            TicketTerm.objects.all().delete()
            TicketSignature.objects.all().delete()
            done = index_tickets(Ticket.objects.all(), batch_size=batch)
        else:
            done = index_missing(batch_size=batch)
        self.stdout.write(f"已索引工单 {done} 件。")
