"""Sensitive-word screening (textproc.screen)."""

from __future__ import annotations

from minsheng.textproc.screen import Screen


def test_it_finds_listed_words_however_they_are_spaced_or_written() -> None:
    screen = Screen(["赌博", "ＡＢＣ", "刷单"])
    assert screen.find("村里有人聚众赌博") == ["赌博"]
    assert screen.find("有人 赌-博 到半夜") == ["赌博"]
    assert screen.find("有人賭博") == ["赌博"]  # traditional characters
    assert screen.find("abc 和 刷 单") == ["abc", "刷单"]
    assert screen.find("路灯坏了") == []


def test_an_empty_list_screens_nothing() -> None:
    assert not Screen([]) and Screen([" ", "--"]).find("任何内容") == []
