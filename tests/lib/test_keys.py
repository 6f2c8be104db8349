"""Keys for machines never start with a dash (their prefix is typed on command lines)."""

from __future__ import annotations

import pytest

from minsheng.lib import keys


def test_a_key_starting_with_a_dash_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter(["-starts-with-a-dash", "_fine", "unused"])
    monkeypatch.setattr(keys.secrets, "token_urlsafe", lambda n: next(draws))
    assert keys.command_line_safe_key() == "_fine"


def test_keys_are_long_and_random() -> None:
    drawn = {keys.command_line_safe_key() for _ in range(50)}
    assert len(drawn) == 50
    assert all(len(k) >= 43 and not k.startswith("-") for k in drawn)
