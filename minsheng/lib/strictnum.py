"""Numbers typed by a person, parsed without Python's extensions.

``int()``, ``float()`` and ``Decimal()`` accept digits of any script (``int("١٢") == 12``) and
underscores between digits (``Decimal("1_0") == 10``). An interface that documents ASCII
numbers refuses those spellings instead of reading a different value than a reviewer sees.
"""

from __future__ import annotations

import re

_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_plain_integer(raw: str) -> bool:
    """True for an optional sign and ASCII digits only (surrounding whitespace allowed)."""
    return _INTEGER_RE.fullmatch(raw.strip()) is not None


def is_plain_decimal(raw: str) -> bool:
    """True for an ASCII decimal such as ``-12.5`` or ``1e2``; no ``_``, no other scripts."""
    return _DECIMAL_RE.fullmatch(raw.strip()) is not None
