"""Numbers typed by people and programs, read strictly.

Python's own parsers accept more than a number a client means: `Decimal("1_0")` is 10 (digit
grouping), `int("١٢")` is 12 (Arabic-Indic digits), `Decimal(" 1e2 ")` is 100, `Decimal("NaN")`
is a number. A coordinate or a count in a request is plain ASCII: digits, one optional sign,
one optional decimal point; anything else is refused by the caller with its interface's error.
"""

from __future__ import annotations

import re
from decimal import Decimal

PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def plain_decimal(text: str) -> Decimal | None:
    """The Decimal `text` spells in plain ASCII notation, or None if it is anything else."""
    if not PLAIN_DECIMAL.fullmatch(text):
        return None
    return Decimal(text)


PLAIN_INTEGER = re.compile(r"[+-]?[0-9]+")


def is_plain_integer(text: str) -> bool:
    """An optional sign and ASCII digits only (surrounding whitespace allowed): what int() also
    reads as `１２`, `١٢` or `1_0` is not."""
    return PLAIN_INTEGER.fullmatch(text.strip()) is not None
