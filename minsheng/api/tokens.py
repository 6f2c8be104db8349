"""Issuing, finding and revoking API tokens. A key is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minsheng.api.models import ApiToken
from minsheng.lib.keys import command_line_safe_key
from minsheng.org.models import Role, RoleGrant, Unit, User

PREFIX_LENGTH = 8
# Once a minute is enough to tell a living integration from a dead one, and spares a write on
# every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(Exception):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and the key, which is never seen again."""
    if not user.is_active:
        raise TokenError(f"user {user.username!r} is not active")
    key = command_line_safe_key()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], key_hash=hash_key(key), key_prefix=key[:PREFIX_LENGTH]
    )
    return token, key


def unit_username(unit: Unit) -> str:
    return f"api-{unit.code}"


@transaction.atomic
def unit_system_user(*, unit: Unit) -> User:
    """The service account a unit's own system acts as: a handler of that unit, no password."""
    if not unit.is_active:
        raise TokenError(f"unit {unit.code!r} is not active")
    if unit.kind == Unit.Kind.HOTLINE:
        raise TokenError("the hotline centre is not a handling unit; create a token for a user")
    user, created = User.objects.get_or_create(
        username=unit_username(unit),
        defaults={"unit": unit, "display_name": f"{unit.name}（系统接口）"[:40]},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.unit_id != unit.pk or not user.is_active:
        raise TokenError(
            f"user {user.username!r} exists but is not the active account of {unit.code!r}"
        )
    RoleGrant.objects.get_or_create(user=user, role=Role.HANDLER)
    return user


def token_create_for_unit(*, unit: Unit, name: str = "") -> tuple[ApiToken, str]:
    user = unit_system_user(unit=unit)
    return token_create(user=user, name=name or f"{unit.code} system")


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
    return token


def token_by_prefix(prefix: str) -> ApiToken:
    prefix = prefix.strip().rstrip("…")
    if not prefix:
        raise TokenError("give the token's prefix, as `api_token list` shows it")
    matches = list(ApiToken.objects.filter(key_prefix__startswith=prefix[:PREFIX_LENGTH])[:2])
    if not matches:
        raise TokenError(f"no token with prefix {prefix!r}")
    if len(matches) > 1:
        raise TokenError(f"several tokens start with {prefix!r}; give more characters")
    return matches[0]


def token_authenticate(key: str) -> ApiToken | None:
    """The live token for `key` (its user loaded), or None. Records the use, at most once a minute."""
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so that concurrent requests write once between them.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
