"""`manage.py api_token create --user NAME | --unit CODE [--name N] | list | revoke PREFIX`.

A token acts as its user, with that user's roles and scope. `--unit` creates (or reuses) the
unit's system account `api-<code>`, a handler of that unit, for the unit's own software. The
key is printed once; only its SHA-256 is stored, so a lost key is revoked and replaced.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minsheng.api import tokens
from minsheng.api.models import ApiToken
from minsheng.org.models import Unit, User


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"


class Command(BaseCommand):
    help = "Create, list and revoke REST API tokens (/api/v1/)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token and print its key (once)")
        who = create.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="username the token acts as")
        who.add_argument("--unit", help="unit code: the token acts as the unit's system account")
        create.add_argument("--name", default="", help="what the token is for")
        actions.add_parser("list", help="list the tokens")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options["user"], options["unit"], options["name"])
            elif options["action"] == "list":
                self._list()
            else:
                self._revoke(options["prefix"])
        except tokens.TokenError as error:
            raise CommandError(str(error)) from None

    def _create(self, username: str | None, unit_code: str | None, name: str) -> None:
        if unit_code is not None:
            unit = Unit.objects.filter(code=unit_code.strip()).first()
            if unit is None:
                raise CommandError(f"No unit with code {unit_code!r}.")
            token, key = tokens.token_create_for_unit(unit=unit, name=name)
        else:
            user = User.objects.filter(username=(username or "").strip()).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            token, key = tokens.token_create(user=user, name=name)
        self.stdout.write(
            f"Created API token {token.key_prefix}… for {token.user.username!r}"
            f"{f' ({token.name})' if token.name else ''}."
        )
        self.stdout.write(
            "Key (shown only this once; store it now). Send it as `Authorization: Token <key>`:"
        )
        self.stdout.write(key)

    def _list(self) -> None:
        rows = ApiToken.objects.select_related("user").order_by("created_at", "id")
        if not rows:
            self.stdout.write("No API tokens.")
            return
        for token in rows:
            state = "active" if token.revoked_at is None else f"revoked {_when(token.revoked_at)}"
            self.stdout.write(
                f"{token.key_prefix}…\t{token.user.username}\t{token.name or '-'}\t{state}"
                f"\tcreated {_when(token.created_at)}\tlast used {_when(token.last_used_at)}"
            )

    def _revoke(self, prefix: str) -> None:
        token = tokens.token_by_prefix(prefix)
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.key_prefix}… was already revoked.")
            return
        tokens.token_revoke(token=token)
        self.stdout.write(
            f"Revoked API token {token.key_prefix}… of {token.user.username!r}; its key no longer works."
        )
