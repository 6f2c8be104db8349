"""Phones of the roster and the notice register: normalised, hashed for de-duplication, and
shown masked to everyone but the incident's commanders."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from minsheng.org.models import User
from minsheng.textproc.pii import mask_phone, normalize_phone


def canonical(value: str) -> str | None:
    """The phone in its canonical form, or None when it is not a phone."""
    return normalize_phone(value.strip()) if value and value.strip() else None


def phone_hash(phone: str) -> str:
    """Keyed hash (HMAC-SHA256, SECRET_KEY-derived key) of a canonical phone: a copy of the
    table cannot be searched by hashing every mobile number of a county."""
    key = hashlib.sha256(f"minsheng-incidents:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()


def shown(phone: str, user: User) -> str:
    """What a page shows: the number to the commanders (they call), masked to anyone else."""
    from minsheng.incidents.rules import is_commander

    if not phone:
        return ""
    return phone if is_commander(user) else mask_phone(phone)
