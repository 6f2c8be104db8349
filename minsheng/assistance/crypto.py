"""Personal data at rest: ID numbers and phones encrypted, found again by a keyed hash.

- **Encryption**: Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`) under the keys of
  settings.MINSHENG_PII_KEYS, the first the current one. A `MultiFernet` decrypts with any of
  them, so a new key is put first, `manage.py assistance_rotate_keys` re-encrypts every row
  under it, and the old key is then removed (docs/assistance.md, "Keys").
- **Lookup and de-duplication**: HMAC-SHA256 under its own key (MINSHENG_PII_HASH_KEY) of the
  *normalised* value — an ID number with full-width digits folded, spaces dropped and a
  lower-case x made X; a phone in its canonical form (textproc.pii.normalize_phone). The hash
  is keyed so that a copy of the table cannot be searched by hashing the 10^8 plausible ID
  numbers of a county.
- **Development keys**: with neither setting given, both keys are derived from SECRET_KEY, and
  `require_pii_keys` refuses to start a server on them with DEBUG off.

Nothing here logs a value; exceptions carry no value either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from minsheng.env import ALLOW_GENERATED_KEY, env_bool
from minsheng.textproc.pii import is_valid_id_number, normalize_phone

__all__ = ["InvalidToken"]


class InvalidIdNumber(ValueError):
    """Not an 18-character resident ID number with a valid GB 11643 check character."""


class InvalidPhone(ValueError):
    """Not a mainland mobile or landline number."""


def _derived(label: str) -> bytes:
    digest = hashlib.sha256(f"minsheng-pii:{label}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def keys_are_derived() -> bool:
    return not settings.MINSHENG_PII_KEYS or not settings.MINSHENG_PII_HASH_KEY


def check_fernet_key(key: str) -> bytes:
    """The key as bytes; ImproperlyConfigured (without the key) when it is not a Fernet key."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "MINSHENG_PII_KEYS: every key must be urlsafe base64 of 32 bytes "
            "(make one with `manage.py assistance_rotate_keys --generate`)."
        )
    return key.encode("ascii")


def encryption_keys() -> list[bytes]:
    configured: list[str] = list(settings.MINSHENG_PII_KEYS)
    if configured:
        return [check_fernet_key(k) for k in configured]
    return [_derived("encrypt")]


def hash_key() -> bytes:
    key: str = settings.MINSHENG_PII_HASH_KEY
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("MINSHENG_PII_HASH_KEY must be at least 32 characters.")
        return key.encode()
    return _derived("lookup")


_cache: dict[tuple[bytes, ...], MultiFernet] = {}


def _fernet() -> MultiFernet:
    keys = tuple(encryption_keys())
    fernet = _cache.get(keys)
    if fernet is None:
        _cache.clear()
        fernet = _cache[keys] = MultiFernet([Fernet(k) for k in keys])
    return fernet


def encrypt(value: str) -> str:
    """The value encrypted under the current key ("" stays "")."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The clear value; InvalidToken when no configured key opens it."""
    if not token:
        return ""
    return _fernet().decrypt(token.encode("ascii")).decode()


def is_current(token: str) -> bool:
    """Whether the token is encrypted under the current (first) key."""
    if not token:
        return True
    try:
        Fernet(encryption_keys()[0]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The token re-encrypted under the current key (InvalidToken when no key opens it)."""
    if not token:
        return ""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


# --- normalisation and the lookup hash --------------------------------------------------------


def normalise_id_number(raw: str) -> str:
    """The ID number as it is hashed and stored: NFKC-folded (full-width digits and Ｘ to ASCII),
    whitespace and dashes dropped, x upper-cased; InvalidIdNumber unless it has a province code,
    a real birth date and the GB 11643 (ISO 7064 MOD 11-2) check character."""
    folded = unicodedata.normalize("NFKC", raw or "")
    compact = "".join(ch for ch in folded if not ch.isspace() and ch != "-").upper()
    if len(compact) != 18 or not is_valid_id_number(compact):
        raise InvalidIdNumber("not a valid resident ID number")
    return compact


def normalise_phone(raw: str) -> str:
    canonical = normalize_phone(unicodedata.normalize("NFKC", raw or "").strip())
    if canonical is None:
        raise InvalidPhone("not a phone number")
    return canonical


def _hmac(kind: str, value: str) -> str:
    return hmac.new(hash_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def id_hash(raw: str) -> str:
    """The keyed hash of an ID number (normalised first; InvalidIdNumber when invalid)."""
    return _hmac("id", normalise_id_number(raw))


def phone_hash(raw: str) -> str:
    return _hmac("phone", normalise_phone(raw))


def require_pii_keys(*, debug: bool, environ: Mapping[str, str] | None = None) -> None:
    """Refuse to serve with DEBUG off on keys derived from SECRET_KEY (called where a server
    starts, next to env.require_explicit_key). The demo of `make run` allows it as it allows the
    generated secret key (MINSHENG_ALLOW_GENERATED_SECRET_KEY=1)."""
    env = os.environ if environ is None else environ
    if debug or not keys_are_derived():
        return
    if env_bool(ALLOW_GENERATED_KEY, False, environ=env):
        return
    raise ImproperlyConfigured(
        "MINSHENG_PII_KEYS and MINSHENG_PII_HASH_KEY must be set when DEBUG is off: the "
        "assistance ledger's ID numbers and phones are encrypted with them (docs/assistance.md, "
        "'Keys'). Generate one with `manage.py assistance_rotate_keys --generate`."
    )
