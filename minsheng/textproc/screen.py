"""Sensitive-word screening (敏感词): which of a configured list of words a text contains,
after the same normalisation as everything else (full-width forms, traditional characters) and
ignoring the spaces and punctuation people put between characters to slip past a filter
("赌 博", "赌-博"). Pure Python; the list is the installation's (settings), none is shipped."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from minsheng.textproc.normalize import normalize_text


def _squeeze(text: str) -> str:
    """Letters and digits only, lower case: what is left when separators are taken out."""
    return "".join(c for c in normalize_text(text).lower() if unicodedata.category(c)[0] in "LN")


class Screen:
    def __init__(self, words: Iterable[str]) -> None:
        found = {w for w in (_squeeze(x) for x in words) if w}
        self.words = sorted(found, key=lambda w: (-len(w), w))

    def __bool__(self) -> bool:
        return bool(self.words)

    def find(self, text: str) -> list[str]:
        """The listed words the text contains, longest first, each once."""
        if not self.words:
            return []
        squeezed = _squeeze(text)
        return [w for w in self.words if w in squeezed]
