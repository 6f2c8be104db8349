"""`manage.py open311_key create NAME | list | revoke NAME`: API keys of Open311 client apps.

The key is printed once, at creation; only its SHA-256 is stored, so a lost key is replaced by
revoking the client and creating another.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minsheng.open311 import services
from minsheng.open311.models import ApiClient


class Command(BaseCommand):
    help = "Create, list and revoke the API keys of Open311 client applications."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a client and print its key (once)")
        create.add_argument("name")
        create.add_argument(
            "--rate-limit", type=int, default=None, help="requests per minute (0: unlimited)"
        )
        create.add_argument("--note", default="")
        actions.add_parser("list", help="list the clients")
        revoke = actions.add_parser("revoke", help="switch a client's key off")
        revoke.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["name"], options["rate_limit"], options["note"])
        elif action == "list":
            self._list()
        else:
            self._revoke(options["name"])

    def _create(self, name: str, rate_limit: int | None, note: str) -> None:
        try:
            client, key = services.client_create(
                name=name, rate_limit_per_minute=rate_limit, note=note
            )
        except services.ClientError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Created Open311 client {client.name!r} (rate limit {client.rate_limit_per_minute}/min)."
        )
        self.stdout.write("API key (shown only this once; store it now):")
        self.stdout.write(key)

    def _list(self) -> None:
        clients = ApiClient.objects.order_by("name")
        if not clients:
            self.stdout.write("No Open311 clients.")
            return
        for client in clients:
            used = (
                timezone.localtime(client.last_used_at).strftime("%Y-%m-%d %H:%M")
                if client.last_used_at
                else "never"
            )
            state = "active" if client.is_active else "revoked"
            self.stdout.write(
                f"{client.name}\t{client.key_prefix}…\t{state}\t{client.rate_limit_per_minute}/min\tlast used {used}"
            )

    def _revoke(self, name: str) -> None:
        client = ApiClient.objects.filter(name=name.strip()).first()
        if client is None:
            raise CommandError(f"No Open311 client named {name!r}.")
        services.client_revoke(client=client)
        self.stdout.write(f"Revoked Open311 client {client.name!r}; its key no longer works.")
