"""Pure-Python text processing for citizen-facing Chinese text.

``normalize`` cleans up text (traditional -> simplified, full-width ASCII, inline pinyin,
whitespace) and flags damage it must not silently "repair"; ``pii`` finds and masks mainland
China personal data. Nothing in this package may import Django: it is used by workers, import
scripts and tests that run without settings.
"""
