"""Normalise Chinese free text from tickets, call notes and scraped notices.

``normalize(text)`` returns the cleaned text together with the original and a set of flags.
Damage (mojibake, U+FFFD, control characters) is *detected and flagged, never "fixed"*: a
guessed repair of a citizen's words is worse than an honest warning an operator can act on.

Steps, in order (the order matters, see the comments in ``normalize``):

1. lone UTF-16 surrogates -> U+FFFD (flag ``lone_surrogate``); well-formed pairs are joined;
2. mojibake detection on the still-untouched characters (flag ``mojibake``);
3. line breaks (CRLF, CR, NEL, U+2028/2029) -> ``\\n``;
4. C0/C1 control characters other than ``\\t``/``\\n`` removed (flag ``control_chars``);
5. invisible format characters (zero-width space/joiners, BOM, bidi controls, soft hyphen)
   removed;
6. full-width forms U+FF01-U+FF5E -> ASCII, ideographic space U+3000 -> space;
7. Unicode NFC (tone marks typed as combining characters become single code points);
8. inline pinyin annotations such as ``孙(sūn)口镇(kǒuzhèn)`` removed (flag
   ``pinyin_annotations``);
9. traditional -> simplified Chinese with OpenCC ``t2s`` (flag ``traditional``);
10. whitespace: runs collapse to one space, lines are stripped, blank lines dropped, so
    paragraphs end up separated by exactly one ``\\n``.

Full-width punctuation rule: the *whole* block U+FF01-U+FF5E maps to ASCII, so ``，？！：；（）``
become ``,?!:;()``; characters outside that block (``。、“”‘’《》【】…—``) are kept. It is the
same rule NFKC applies to that block, it is what the seed corpus already looks like, and one
spelling per character makes search and matching simpler. Cost: ZWJ removal splits emoji
sequences such as family emoji into their parts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import opencc

FLAG_REPLACEMENT_CHAR = "replacement_char"
"""The input already contained U+FFFD: something upstream decoded bytes lossily."""
FLAG_LONE_SURROGATE = "lone_surrogate"
"""The input contained unpaired UTF-16 surrogates; each became U+FFFD in ``text``."""
FLAG_CONTROL_CHARS = "control_chars"
"""C0/C1 control characters (other than tab and line breaks) were removed."""
FLAG_MOJIBAKE = "mojibake"
"""The text looks like UTF-8 read as Latin-1/cp1252, or UTF-8 read as GBK. Not repaired."""
FLAG_PINYIN = "pinyin_annotations"
"""Inline pinyin annotations after Chinese characters were removed."""
FLAG_TRADITIONAL = "traditional"
"""OpenCC changed something: the input contained traditional (or variant) characters."""

ALL_FLAGS: frozenset[str] = frozenset(
    {
        FLAG_REPLACEMENT_CHAR,
        FLAG_LONE_SURROGATE,
        FLAG_CONTROL_CHARS,
        FLAG_MOJIBAKE,
        FLAG_PINYIN,
        FLAG_TRADITIONAL,
    }
)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Result of :func:`normalize`.

    ``original`` is the exact input (it may contain lone surrogates, which PostgreSQL rejects:
    store ``text``); ``flags`` is a subset of :data:`ALL_FLAGS`.
    """

    original: str
    text: str
    flags: frozenset[str] = frozenset()


def normalize(text: str) -> NormalizedText:
    """Normalise ``text``; never raises for any ``str`` input and runs in linear time."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    flags: set[str] = set()
    if "\ufffd" in text:
        flags.add(FLAG_REPLACEMENT_CHAR)
    # Surrogates first: every later step (NFC, OpenCC's UTF-8 boundary) chokes on them.
    work = _replace_lone_surrogates(text, flags)
    # Detection needs the raw Latin-1/C1 characters, so it runs before control removal.
    if looks_like_mojibake(work):
        flags.add(FLAG_MOJIBAKE)
    work = _LINE_BREAK_RE.sub("\n", work)
    work, removed = _CONTROL_RE.subn("", work)
    if removed:
        flags.add(FLAG_CONTROL_CHARS)
    work = _INVISIBLE_RE.sub("", work)
    # Full-width folding before pinyin removal, so （fā） is handled like (fā).
    work = work.translate(_FULLWIDTH_TABLE)
    # NFC after the removals and the folding (they can leave a base letter next to a combining
    # mark) and before pinyin, so tone marks typed as combining characters are recognised.
    work = unicodedata.normalize("NFC", work)
    # Pinyin goes before t2s: OpenCC converts by phrase, and 乾(gān)燥 only becomes 干燥
    # once the annotation no longer splits the phrase.
    work = _remove_pinyin_annotations(work, flags)
    work = _to_simplified(work, flags)
    work = _collapse_whitespace(work)
    if not unicodedata.is_normalized("NFC", work):  # removals can join mark and base again
        work = unicodedata.normalize("NFC", work)
    return NormalizedText(original=text, text=work, flags=frozenset(flags))


def normalize_text(text: str) -> str:
    """Convenience wrapper: only the normalised text of :func:`normalize`."""
    return normalize(text).text


# --- surrogates ---------------------------------------------------------------------------

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _replace_lone_surrogates(text: str, flags: set[str]) -> str:
    if _SURROGATE_RE.search(text) is None:
        return text
    # A round trip through UTF-16 joins well-formed pairs that arrived as two code points and
    # turns only the genuinely lone halves into U+FFFD.
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if fixed.count("\ufffd") > text.count("\ufffd"):
        flags.add(FLAG_LONE_SURROGATE)
    return fixed


# --- mojibake detection -------------------------------------------------------------------


# cp1252 puts printable characters (€ ‚ “ ” … —) at bytes 0x80-0x9F where Latin-1 has C1
# controls; UTF-8 decoded as cp1252 therefore shows either. Map both back to their byte value.
def _cp1252_byte_map() -> dict[int, int]:
    mapping: dict[int, int] = {}
    for byte in range(0x80, 0xA0):
        # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252 and decode to "" here.
        char = bytes([byte]).decode("cp1252", errors="ignore")
        if char:
            mapping[ord(char)] = byte
    return mapping


_CP1252_TO_BYTE = _cp1252_byte_map()

_LATIN_RUN_RE = re.compile(
    "[\u0080-\u00ff" + re.escape("".join(map(chr, _CP1252_TO_BYTE))) + "]{2,}"
)
# Well-formed multi-byte UTF-8 sequences. 0xD7 (×) and 0xF7 (÷) are excluded as lead bytes:
# they are common in genuine Chinese text ("3×4") and UTF-8's 0xD7 lead only encodes Hebrew.
_UTF8_MULTIBYTE_RE = re.compile(
    rb"[\xc2-\xd6\xd8-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# UTF-8 Chinese read as GBK: GBK pairs bytes, so three UTF-8 hanzi (E4-E9 lead, two
# continuation bytes each) re-read as GBK become 4-5 rare-looking hanzi ("鍙戝竷鏃堕棿" for
# 发布时间). Three in a row is rare enough in genuine text to count as evidence: none in
# 300,000 characters of dictionary phrases, while two in a row matched about once in 75,000.
_HANZI_RUN_RE = re.compile("[\u4e00-\u9fa5]{4,}")
_UTF8_HANZI_RUN_RE = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){3,}")
# Unmistakable GBK-mojibake fragments: 锟斤拷 is a UTF-8 U+FFFD pair read as GBK; 鈥 and 銆
# are obsolete characters that appear when UTF-8 “”—… (E2 80 ..) and 、。「」 (E3 80 ..)
# are read as GBK.
_GBK_MOJIBAKE_MARKERS = ("锟斤拷", "鈥", "銆")


def looks_like_mojibake(text: str) -> bool:
    """Heuristic: does ``text`` look like UTF-8 decoded with the wrong codec?

    Detects UTF-8 read as Latin-1/cp1252 ("å\\x8f\\x91", "â€œ", "Ã©") and, with a stricter
    threshold, UTF-8 read as GBK. Short GBK cases (one or two words) are not detected.
    """
    return _latin1_mojibake(text) or _gbk_mojibake(text)


def _latin1_mojibake(text: str) -> bool:
    for run in _LATIN_RUN_RE.finditer(text):
        raw = run.group().translate(_CP1252_TO_BYTE).encode("latin-1")
        for seq in _UTF8_MULTIBYTE_RE.finditer(raw):
            try:
                seq.group().decode("utf-8")  # rejects overlong forms and encoded surrogates
            except UnicodeDecodeError:
                continue
            return True
    return False


def _gbk_mojibake(text: str) -> bool:
    if any(marker in text for marker in _GBK_MOJIBAKE_MARKERS):
        return True
    for run in _HANZI_RUN_RE.finditer(text):
        raw = run.group().encode("gbk")  # every U+4E00-U+9FA5 hanzi is 2 bytes in GBK
        if _UTF8_HANZI_RUN_RE.search(raw) is not None:
            return True
    return False


# --- control, invisible and full-width characters -----------------------------------------

_LINE_BREAK_RE = re.compile("\r\n?|[\x85\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_FULLWIDTH_TABLE: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TABLE[0x3000] = 0x20


# --- inline pinyin annotations ------------------------------------------------------------

# Valid syllables as initial -> finals, in the spelling used in running text (y/w for the zero
# initial, j/q/x + u for ü). Interjections such as m, ng, hm are deliberately absent.
_FINALS_BY_INITIAL: dict[str, str] = {
    "": "a o e ai ei ao ou an en ang eng er",
    "y": "i a o e ao ou an in ang ing ong u ue uan un",
    "w": "u a o ai ei an en ang eng",
    "b": "a o ai ei ao an en ang eng i ie iao ian in ing u",
    "p": "a o ai ei ao ou an en ang eng i ie iao ian in ing u",
    "m": "a o e ai ei ao ou an en ang eng i ie iao iu ian in ing u",
    "f": "a o ei ou an en ang eng u",
    "d": "a e ai ei ao ou an en ang eng ong i ia ie iao iu ian ing u uo ui uan un",
    "t": "a e ai ao ou an ang eng ong i ie iao ian ing u uo ui uan un",
    "n": "a e ai ei ao ou an en ang eng ong i ie iao iu ian in iang ing u uo uan ü üe",
    "l": "a o e ai ei ao ou an ang eng ong i ia ie iao iu ian in iang ing u uo uan un ü üe",
    "g": "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "k": "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "h": "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "j": "i ia ie iao iu ian in iang ing iong u ue uan un",
    "q": "i ia ie iao iu ian in iang ing iong u ue uan un",
    "x": "i ia ie iao iu ian in iang ing iong u ue uan un",
    "zh": "a e i ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "ch": "a e i ai ao ou an en ang eng ong u ua uo uai ui uan un uang",
    "sh": "a e i ai ei ao ou an en ang eng u ua uo uai ui uan un uang",
    "r": "e i ao ou an en ang eng ong u ua uo ui uan un",
    "z": "a e i ai ei ao ou an en ang eng ong u uo ui uan un",
    "c": "a e i ai ao ou an en ang eng ong u uo ui uan un",
    "s": "a e i ai ao ou an en ang eng ong u uo ui uan un",
}
PINYIN_SYLLABLES: frozenset[str] = frozenset(
    initial + final for initial, finals in _FINALS_BY_INITIAL.items() for final in finals.split()
)
_MAX_SYLLABLE_LEN = max(map(len, PINYIN_SYLLABLES))

_TONED_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"  # four tones per vowel, in vowel order below
_TONED_VOWELS_BASE = "aeiouü"
_TONE_STRIP_TABLE: dict[int, str] = {
    ord(toned): _TONED_VOWELS_BASE[index // 4] for index, toned in enumerate(_TONED_VOWELS)
}
_PINYIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzü")
_SYLLABLE_SEPARATORS_RE = re.compile("[ '’]")

# Bounded content length keeps the scan linear and cheap; real annotations are a few
# syllables (the seeds' longest is "shàngbànnián").
_MAX_ANNOTATION_LEN = 32
_PAREN_RE = re.compile(rf"\(([^()\n]{{1,{_MAX_ANNOTATION_LEN}}})\)")
_MAX_HANZI_LOOKBACK = 16


@functools.lru_cache(maxsize=2048)  # annotations repeat a lot within and across texts
def count_pinyin_syllables(text: str) -> int | None:
    """Return the smallest number of valid pinyin syllables spelling ``text``, else None.

    Accepted: tone-marked pinyin (any case, e.g. ``kǒuzhèn``, ``Běijīng``), or plain lowercase
    pinyin of at least two letters (``de``, ``fuwu``). Syllables may be separated by one space
    or an apostrophe. Plain single letters (``a``, ``e``, ``o``) are refused because ``(a)``
    is far more often a list marker than an annotation.
    """
    if not text or len(text) > _MAX_ANNOTATION_LEN:
        return None
    lowered = text.lower()
    if not _has_tone_mark(lowered) and (lowered != text or len(text) < 2):
        return None
    total = 0
    for part in _SYLLABLE_SEPARATORS_RE.split(lowered.translate(_TONE_STRIP_TABLE)):
        count = _min_syllables(part)
        if count is None:
            return None
        total += count
    return total


def _has_tone_mark(text: str) -> bool:
    return any(ord(char) in _TONE_STRIP_TABLE for char in text.lower())


def _min_syllables(word: str) -> int | None:
    if not word or not set(word) <= _PINYIN_LETTERS:
        return None
    # best[i]: fewest syllables spelling word[:i]. Minimal, so "xian" counts as one syllable.
    length = len(word)
    unreached = length + 1
    best = [0] + [unreached] * length
    for start in range(length):
        step = best[start] + 1
        if step > unreached:
            continue  # word[:start] cannot be spelled, nothing can follow it
        for end in range(start + 1, min(start + _MAX_SYLLABLE_LEN, length) + 1):
            if step < best[end] and word[start:end] in PINYIN_SYLLABLES:
                best[end] = step
    return None if best[length] == unreached else best[length]


def _is_hanzi(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
    )


def _hanzi_before(text: str, index: int) -> int:
    count = 0
    while count < _MAX_HANZI_LOOKBACK and index - count > 0 and _is_hanzi(text[index - count - 1]):
        count += 1
    return count


# A removal can expose another annotation: hanzi joined across a removed group, or a group
# nested in parentheses. Passes repeat until nothing changes, which makes normalize()
# idempotent; the cap bounds pathological nesting, each pass being linear.
_MAX_PINYIN_PASSES = 8


def _remove_pinyin_annotations(text: str, flags: set[str]) -> str:
    for _ in range(_MAX_PINYIN_PASSES):
        stripped = _remove_pinyin_pass(text)
        if len(stripped) == len(text):
            break
        flags.add(FLAG_PINYIN)
        text = stripped
    return text


def _remove_pinyin_pass(text: str) -> str:
    """Drop one layer of ``(pinyin)`` annotations.

    Tone-marked pinyin (``(guān)``) is specific enough to be removed wherever it stands, which
    also catches annotations whose hanzi were lost to mojibake. Plain lowercase pinyin
    (``(de)``) is removed only right after hanzi, and only when it has no more syllables than
    there are hanzi before it (each syllable annotates one character), which keeps ``(nike)``
    after a single hanzi and ``(china)`` after Latin text. Chained groups such as
    ``服务(fúwù)(fúwù)`` share the hanzi before the first group.
    """
    if "(" not in text:
        return text
    pieces: list[str] = []
    copied_to = 0
    chain_end = -1
    chain_hanzi = 0
    for match in _PAREN_RE.finditer(text):
        start = match.start()
        content = match.group(1)
        toned = _has_tone_mark(content)
        available = chain_hanzi if start == chain_end else _hanzi_before(text, start)
        if not toned and len(content) > _MAX_SYLLABLE_LEN * available:
            continue  # too long for the hanzi before it: skip the syllable parse
        syllables = count_pinyin_syllables(content)
        if syllables is None or (syllables > available and not toned):
            continue
        pieces.append(text[copied_to:start])
        copied_to = chain_end = match.end()
        chain_hanzi = available
    if not pieces:
        return text
    pieces.append(text[copied_to:])
    return "".join(pieces)


# --- traditional -> simplified ------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _t2s_converter() -> Any:
    # Loading the dictionaries costs milliseconds; do it once, on first use, not at import.
    return opencc.OpenCC("t2s")


def _to_simplified(text: str, flags: set[str]) -> str:
    if text.isascii():
        return text
    converted: str = _t2s_converter().convert(text)
    if converted != text:
        flags.add(FLAG_TRADITIONAL)
    return converted


# --- whitespace ---------------------------------------------------------------------------


def _collapse_whitespace(text: str) -> str:
    # str.split() without arguments splits on every Unicode space (NBSP, U+2000-U+200A, ...)
    # and never backtracks, unlike a regex over long whitespace runs.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
