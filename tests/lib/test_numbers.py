"""ASCII numbers only: what Python's int()/Decimal() also accept is refused."""

from __future__ import annotations

import pytest

from minsheng.lib.numbers import is_plain_integer, plain_decimal


@pytest.mark.parametrize("raw", ["0", "12", "-3", "+7", " 42 "])
def test_plain_integers_are_accepted(raw: str) -> None:
    assert is_plain_integer(raw)


@pytest.mark.parametrize("raw", ["", "1_0", "١٢", "１２", "1.0", "0x10", "1e3", "²", "- 1"])
def test_other_spellings_of_integers_are_refused(raw: str) -> None:
    assert not is_plain_integer(raw)


@pytest.mark.parametrize("raw", ["35.951234", "-115.8", "+1", ".5", "5."])
def test_plain_decimals_are_accepted(raw: str) -> None:
    assert plain_decimal(raw) is not None


@pytest.mark.parametrize(
    "raw",
    ["", "1_0", "3_5.9", "١٢", "３５.９", "NaN", "Infinity", "-inf", "1e", "1e2", ".", "1.2.3"],
)
def test_other_spellings_of_decimals_are_refused(raw: str) -> None:
    assert plain_decimal(raw) is None
