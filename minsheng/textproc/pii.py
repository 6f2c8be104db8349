"""Find and mask mainland China personal data in free text.

Kinds and mask formats (masks are ASCII; the text around a match is left untouched):

========= ================================================= ===================================
kind      recognised                                        masked as
========= ================================================= ===================================
mobile    ``1[3-9]`` + 9 digits; optional ``+86``, ``0086``,  ``138****8000``: first 3, 4 stars,
          ``(+86)``, ``86``/``86-`` prefix; 3-4-4 groups      last 4 (country code and
          split by a space or dash; also as typed from       separators dropped)
          what was heard: one kind of separator (space
          anywhere; dot or dash between groups of 3+)
          such as ``139.1234.5678``, ``1391 234 5678``
landline  area code ``010``/``02x`` + 8 digits, or            ``0393-****4567``: area code, dash,
          ``0[3-9]xx`` + 7-8 digits; local number starts     always 4 stars, last 4
          with 2-9; ``(0393)5123456``, ``0393-5123456``,
          ``0393 5123456``, ``03935123456``
id_card   18 characters (6-8-4 groups may be split by        ``4109**********1234``: first 4,
          spaces) with a province code and a real birth      one star per hidden character,
          date (1900..today, China time) *or* a valid ISO    last 4 (spaces dropped)
          7064 MOD 11-2 check character (a typo in one of
          them is still somebody's number); legacy 15-digit
          numbers with a province code and a real 19yymmdd
          date (no checksum exists for those)
bank_card 16-19 digits passing Luhn, optionally in groups    ``6222***********0123``: first 4,
          of 4 split by spaces or dashes                     one star per hidden digit, last 4
                                                             (separators dropped)
qq        5-11 digits after ``QQ``/``qq``/``扣扣`` (and         ``1*******``: first digit, one star
          号/号码, a colon, space, 是/为)                        per hidden digit; keyword kept
wechat    6-20 letters, digits, ``_``/``-`` after ``微信``,    ``z*******``: first character,
          ``vx``, ``wx``, ``WeChat``... (same glue as QQ)     keyword kept
email     ``local@domain.tld``                               ``z***@example.com``: first
                                                             character of the local part,
                                                             always 3 stars
plate     province abbreviation + city letter + 5            ``豫J·***45``: province, letter,
          characters (6 for new-energy plates, with D/F      middle dot, stars, last 2
          first or last), optional ``·`` separator           (upper-cased)
========= ================================================= ===================================

Digit-based kinds never match inside a longer digit run or a decimal number (``1.38e10`` style
``0.13800138000``, a price ``13800138000.50``): the patterns use ``(?<![0-9])``/``(?![0-9])``
and refuse a neighbouring ``digit.`` / ``.digit``. Full-width digits and letters are folded to
ASCII before matching, and for the digit kinds Chinese numerals too (``一三九``, ``幺`` for 1,
``〇``/``零`` for 0), as a number read out on the phone is typed; offsets are unchanged because
the folding is one character to one. Ordinary numbers in Chinese text (amounts, dates, house
numbers such as 3组12号, ten-digit ticket numbers, lists of decimals) are not matched.

When candidates overlap, the longer one wins, ties going to the more specific kind (id_card,
bank_card, mobile, landline, email, plate, qq, wechat). :func:`mask_pii` repeats find-and-mask
until nothing is found, so its output never contains a findable match and masking is
idempotent.

Over-masking is preferred to leaking: any 16-19 digit number that passes Luhn (one in ten
random ones) is treated as a bank card, and 8613800138000 is treated as a phone.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum


class PiiKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    ID_CARD = "id_card"
    BANK_CARD = "bank_card"
    EMAIL = "email"
    PLATE = "plate"
    QQ = "qq"
    WECHAT = "wechat"


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One finding; ``value`` is ``text[start:end]`` of the text that was searched."""

    kind: PiiKind
    start: int
    end: int
    value: str


# Equal-length overlaps go to the kind whose validation is strictest.
_PRIORITY: dict[PiiKind, int] = {
    PiiKind.ID_CARD: 0,
    PiiKind.BANK_CARD: 1,
    PiiKind.MOBILE: 2,
    PiiKind.LANDLINE: 3,
    PiiKind.EMAIL: 4,
    PiiKind.PLATE: 5,
    PiiKind.QQ: 6,
    PiiKind.WECHAT: 7,
}

# One code point to one code point, so offsets found in the folded copy are valid in the input.
_FOLD_TABLE: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD_TABLE[0x3000] = 0x20
# Numbers read out on the phone are typed as Chinese numerals (幺 is how 1 is said on the
# phone, 〇 and 零 are both 0). Folded only for the digit-based kinds: one character to one.
_NUMERAL_TABLE: dict[int, int] = dict(_FOLD_TABLE)
for _digit, _chars in enumerate(["〇零", "一幺", "二", "三", "四", "五", "六", "七", "八", "九"]):
    for _char in _chars:
        _NUMERAL_TABLE[ord(_char)] = ord(str(_digit))

# Shared edges for digit-based kinds: not inside a longer digit run, not part of a decimal.
_NUM_START = r"(?<![0-9])(?<![0-9]\.)"
_NUM_END = r"(?![0-9])(?!\.[0-9])"

# --- phones -------------------------------------------------------------------------------

_MOBILE_CORE = (
    r"(?:(?:\+86|0086|\(\+?86\))[ -]?|86-?)?"
    r"(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})"
)
# How a number is written when typed from what was heard: one space, dot or dash (full-width
# ones are folded to these) between any two digits, e.g. 139.1234.5678 or 1391 234 5678.
_LOOSE_MOBILE_RE = re.compile(
    _NUM_START + r"(?:(?:\+86|0086|\(\+?86\))[ .-]?|86[ .-]?)?"
    r"1[ .-]?[3-9](?:[ .-]?[0-9]){9}" + _NUM_END
)
# Three-digit area codes (010 Beijing, 02x big cities) always have 8-digit local numbers.
_LANDLINE_CORE = (
    r"(?:\((?P<area_p>010|02[0-9]|0[3-9][0-9]{2})\)[ -]?"
    r"|(?P<area>010|02[0-9]|0[3-9][0-9]{2})[ -]?)"
    r"(?P<local>[2-9][0-9]{6,7})"
)
_MOBILE_RE = re.compile(_NUM_START + _MOBILE_CORE + _NUM_END)
_LANDLINE_RE = re.compile(_NUM_START + _LANDLINE_CORE + _NUM_END)
_MOBILE_FULL_RE = re.compile(_MOBILE_CORE)
_LANDLINE_FULL_RE = re.compile(_LANDLINE_CORE)


def _landline_parts(match: re.Match[str]) -> tuple[str, str] | None:
    area = match.group("area_p") or match.group("area")
    local = match.group("local")
    if len(area) == 3 and len(local) != 8:
        return None
    return area, local


def normalize_phone(value: str) -> str | None:
    """Canonical form of a mainland phone number, or None if ``value`` is not exactly one.

    Mobile -> 11 digits (``13800138000``); landline -> ``AREA-LOCAL`` (``0393-5123456``).
    Accepts surrounding whitespace, full-width digits, ``+86``/``0086``/``86`` prefixes on
    mobiles, 3-4-4 grouping with spaces or dashes, and ``(0393)``-style area codes. Rejects
    anything else: letters, extensions, wrong lengths, local numbers starting with 0 or 1,
    and landlines written with a country code.
    """
    if not isinstance(value, str):
        return None
    compact = value.translate(_FOLD_TABLE).strip()
    mobile = _MOBILE_FULL_RE.fullmatch(compact)
    if mobile is not None:
        return "".join(mobile.groups())
    landline = _LANDLINE_FULL_RE.fullmatch(compact)
    if landline is not None:
        parts = _landline_parts(landline)
        if parts is not None:
            return "-".join(parts)
    return None


def mask_phone(value: str) -> str:
    """Mask a phone number: ``138****8000`` or ``0393-****3456``.

    A value that is not a valid phone (see :func:`normalize_phone`) is masked blindly: every
    character but the last four becomes a star (values of four characters or fewer are all
    stars), so a bad value never leaks through the mask.
    """
    canonical = normalize_phone(value)
    if canonical is None:
        return _mask_all_but_last(value, 4)
    area, dash, local = canonical.rpartition("-")
    if dash:
        return f"{area}-****{local[-4:]}"
    return f"{canonical[:3]}****{canonical[-4:]}"


# --- ID card numbers ----------------------------------------------------------------------

# Two-digit province-level codes that start every resident ID (71 Taiwan, 81/82 Hong Kong and
# Macao, 83 the residence permits for Taiwan residents).
_PROVINCE_CODES = frozenset(
    str(code)
    for block in (
        range(11, 16),
        range(21, 24),
        range(31, 38),
        range(41, 47),
        range(50, 55),
        range(61, 66),
        (71, 81, 82, 83),
    )
    for code in block
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_CHINA_TZ = timezone(timedelta(hours=8))

_ID_RE = re.compile(_NUM_START + r"[1-9][0-9]{5} ?[0-9]{8} ?[0-9]{3}[0-9Xx]" + _NUM_END)
_LEGACY_ID_RE = re.compile(_NUM_START + r"[1-9][0-9]{14}" + _NUM_END)
_ID_SHAPE_RE = re.compile(r"[1-9][0-9]{16}[0-9X]")


def id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _is_real_birth_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= datetime.now(_CHINA_TZ).date()


def is_valid_id_number(value: str) -> bool:
    """True for an 18-character resident ID number that is internally consistent.

    Checks the province code, that the birth date is a real date between 1900 and today
    (China time), and the MOD 11-2 check character (``x`` accepted for ``X``). Spaces between
    the 6-8-4 groups and full-width characters are tolerated. It cannot tell whether the number
    was ever issued. Legacy 15-digit numbers are not accepted here (no check digit).
    """
    if not isinstance(value, str):
        return False
    compact = value.translate(_FOLD_TABLE).replace(" ", "").upper()
    if _ID_SHAPE_RE.fullmatch(compact) is None or compact[:2] not in _PROVINCE_CODES:
        return False
    if not _is_real_birth_date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14])):
        return False
    return id_check_character(compact[:17]) == compact[17]


def _is_valid_legacy_id_number(compact: str) -> bool:
    # Pre-1999 numbers: 6-digit region, yymmdd in the 1900s, 3-digit sequence, no checksum.
    return compact[:2] in _PROVINCE_CODES and _is_real_birth_date(
        1900 + int(compact[6:8]), int(compact[8:10]), int(compact[10:12])
    )


def mask_id_number(value: str) -> str:
    """Keep the first and last four characters: ``4109**********1234``.

    Does not validate; spaces are dropped. Values of eight characters or fewer become all
    stars.
    """
    compact = value.replace(" ", "")
    if len(compact) <= 8:
        return "*" * len(compact)
    return f"{compact[:4]}{'*' * (len(compact) - 8)}{compact[-4:]}"


# --- bank cards ---------------------------------------------------------------------------

_BANK_CARD_RE = re.compile(
    _NUM_START + r"(?:[0-9]{16,19}|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?)" + _NUM_END
)


def is_luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check over a string of ASCII digits."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def mask_bank_card(value: str) -> str:
    """Keep the first and last four digits: ``6222***********0123`` (separators dropped)."""
    digits = re.sub(r"[ -]", "", value)
    if len(digits) <= 8:
        return "*" * len(digits)
    return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"


# --- e-mail -------------------------------------------------------------------------------

_EMAIL_LOCAL_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-"
)
_EMAIL_LOCAL_MAX = 64
_EMAIL_DOMAIN_RE = re.compile(r"(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])")


# An "@" with a plausible character on each side; filters "@@@@" and "@ " at C speed.
_EMAIL_AT_RE = re.compile(r"(?<=[A-Za-z0-9._%+-])@(?=[A-Za-z0-9-])")


def _find_emails(text: str) -> Iterator[tuple[int, int]]:
    # Anchored on "@" instead of a left-to-right regex: a regex starting at every letter of a
    # long "@"-less text is quadratic; walking left from each "@" is linear.
    for at_match in _EMAIL_AT_RE.finditer(text):
        at = at_match.start()
        start = at
        while start > 0 and at - start < _EMAIL_LOCAL_MAX and text[start - 1] in _EMAIL_LOCAL_CHARS:
            start -= 1
        while start < at and text[start] == ".":
            start += 1  # a local part cannot start with a dot
        domain = _EMAIL_DOMAIN_RE.match(text, at + 1)
        if start < at and domain is not None:
            yield start, domain.end()


def mask_email(value: str) -> str:
    """Keep the first character of the local part: ``z***@example.com``."""
    local, at, domain = value.rpartition("@")
    if not at:
        return _mask_all_but_last(value, 0)
    return f"{local[:1]}***@{domain}"


# --- licence plates -----------------------------------------------------------------------

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Letters I and O are never used on plates (they look like 1 and 0).
_PLATE_LETTER = "A-HJ-NP-Za-hj-np-z"
_PLATE_RE = re.compile(
    rf"(?P<province>[{PLATE_PROVINCES}])(?P<letter>[{_PLATE_LETTER}])[·•・ -]?"
    rf"(?P<tail>[{_PLATE_LETTER}0-9]{{5,6}})(?![A-Za-z0-9])"
)


def _is_plausible_plate_tail(tail: str) -> bool:
    if not any(char.isdigit() for char in tail):
        return False  # keeps words like 鲁Android out
    # Six characters only on new-energy plates, which carry D or F first or last.
    return len(tail) == 5 or tail[0] in "DdFf" or tail[-1] in "DdFf"


def mask_plate(value: str) -> str:
    """Keep province, city letter and last two characters: ``豫J·***45``."""
    match = _PLATE_RE.fullmatch(value.translate(_FOLD_TABLE))
    if match is None:
        return _mask_all_but_last(value, 2)
    province, letter, tail = match.group("province", "letter", "tail")
    return f"{province}{letter.upper()}·{'*' * (len(tail) - 2)}{tail[-2:].upper()}"


# --- finding ------------------------------------------------------------------------------


def _find_mobiles(text: str) -> Iterator[tuple[int, int]]:
    for match in _MOBILE_RE.finditer(text):
        yield match.span()
    for match in _LOOSE_MOBILE_RE.finditer(text):
        if _is_plausible_loose_mobile(match.group()):
            yield match.span()


def _is_plausible_loose_mobile(value: str) -> bool:
    # One kind of separator per number: "15.2 16.3 17.4 18" is a list of decimals, not a phone.
    # Dots and dashes separate groups of at least three digits, which keeps a decimal such as
    # 1.3912345678 out; spaces may split anywhere ("1 3 9 1 2 3 4 5 6 7 8").
    body = re.sub(r"^(?:\+86|0086|\(\+?86\)|86)[ .-]?", "", value)
    separators = set(re.findall(r"[ .-]", body))
    if len(separators) > 1:
        return False
    if separators & {".", "-"}:
        return all(len(group) >= 3 for group in re.split(r"[.-]", body))
    return True


def _find_landlines(text: str) -> Iterator[tuple[int, int]]:
    for match in _LANDLINE_RE.finditer(text):
        if _landline_parts(match) is not None:
            yield match.span()


def _looks_like_id_number(value: str) -> bool:
    # A typo read out on the phone is still somebody's ID number: a province code and either a
    # real birth date or a matching check character is enough to mask it. Requiring both would
    # publish every number with one wrong digit.
    compact = value.replace(" ", "").upper()
    if compact[:2] not in _PROVINCE_CODES:
        return False
    if id_check_character(compact[:17]) == compact[17]:
        return True
    return _is_real_birth_date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14]))


def _find_id_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _ID_RE.finditer(text):
        if _looks_like_id_number(match.group()):
            yield match.span()
    for match in _LEGACY_ID_RE.finditer(text):
        if _is_valid_legacy_id_number(match.group()):
            yield match.span()


def _find_bank_cards(text: str) -> Iterator[tuple[int, int]]:
    for match in _BANK_CARD_RE.finditer(text):
        if is_luhn_valid(re.sub(r"[ -]", "", match.group())):
            yield match.span()


def _find_plates(text: str) -> Iterator[tuple[int, int]]:
    for match in _PLATE_RE.finditer(text):
        if _is_plausible_plate_tail(match.group("tail")):
            yield match.span()


# QQ numbers and WeChat ids are only recognisable by the keyword before them; only the value
# after the keyword is masked. "微信公众号" or "QQ群" do not match: the keyword must be followed
# by nothing but 号/号码/id and a colon, space or 是/为.
_CONTACT_GLUE = r" ?(?:号码|号|id|ID|Id)?[ :：是为]{0,3}"
_QQ_RE = re.compile(
    r"(?<![A-Za-z])(?:[Qq]{2}|扣扣)" + _CONTACT_GLUE + r"(?P<value>[1-9][0-9]{4,10})(?![0-9])"
)
# WeChat ids: 6-20 letters, digits, "_" or "-"; many people use their phone or QQ number.
_WECHAT_RE = re.compile(
    r"(?:微信|威信|薇信|[Vv]信|(?<![A-Za-z])(?:[Ww]e[Cc]hat|[Ww]eixin|[VvWw][Xx])(?![A-Za-z]))"
    + _CONTACT_GLUE
    + r"(?P<value>[A-Za-z0-9][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
)


def _find_qq_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _QQ_RE.finditer(text):
        yield match.span("value")


def _find_wechat_ids(text: str) -> Iterator[tuple[int, int]]:
    for match in _WECHAT_RE.finditer(text):
        yield match.span("value")


_FINDERS: dict[PiiKind, Callable[[str], Iterator[tuple[int, int]]]] = {
    PiiKind.MOBILE: _find_mobiles,
    PiiKind.LANDLINE: _find_landlines,
    PiiKind.ID_CARD: _find_id_numbers,
    PiiKind.BANK_CARD: _find_bank_cards,
    PiiKind.EMAIL: _find_emails,
    PiiKind.PLATE: _find_plates,
    PiiKind.QQ: _find_qq_numbers,
    PiiKind.WECHAT: _find_wechat_ids,
}
# Kinds made of digits are also searched with Chinese numerals folded to digits.
_NUMERIC_KINDS = frozenset(
    {PiiKind.MOBILE, PiiKind.LANDLINE, PiiKind.ID_CARD, PiiKind.BANK_CARD, PiiKind.QQ}
)


def find_pii(text: str, kinds: Iterable[PiiKind | str] | None = None) -> list[PiiMatch]:
    """All non-overlapping personal-data matches in ``text``, ordered by position.

    ``kinds`` restricts the search (default: every kind); excluded kinds do not compete in
    overlap resolution. Every pattern is matched in linear time in ``len(text)``; no pattern
    can backtrack catastrophically.
    """
    wanted = list(PiiKind) if kinds is None else [PiiKind(kind) for kind in kinds]
    folded = text.translate(_FOLD_TABLE)
    numeric = text.translate(_NUMERAL_TABLE)
    candidates = [
        (start, end, kind)
        for kind in wanted
        for start, end in _FINDERS[kind](numeric if kind in _NUMERIC_KINDS else folded)
    ]
    candidates.sort(key=lambda item: (item[0] - item[1], _PRIORITY[item[2]], item[0]))
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[tuple[int, int, PiiKind]] = []
    for start, end, kind in candidates:
        # Accepted spans are disjoint and kept sorted, so only the neighbours can overlap.
        index = bisect.bisect_right(starts, start)
        if index > 0 and ends[index - 1] > start:
            continue
        if index < len(starts) and starts[index] < end:
            continue
        starts.insert(index, start)
        ends.insert(index, end)
        chosen.append((start, end, kind))
    chosen.sort()
    return [PiiMatch(kind, start, end, text[start:end]) for start, end, kind in chosen]


# --- masking ------------------------------------------------------------------------------


def _mask_mobile(value: str) -> str:
    # Any spelling found (country code, dots, odd spacing) comes out as 139****5678.
    digits = re.sub(r"[^0-9]", "", value)[-11:]
    return f"{digits[:3]}****{digits[-4:]}"


def _mask_contact_id(value: str) -> str:
    # QQ numbers and WeChat ids keep their first character; a stranger cannot guess the rest.
    return value[:1] + "*" * (len(value) - 1)


_MASKERS: dict[PiiKind, Callable[[str], str]] = {
    PiiKind.MOBILE: _mask_mobile,
    PiiKind.LANDLINE: mask_phone,
    PiiKind.ID_CARD: mask_id_number,
    PiiKind.BANK_CARD: mask_bank_card,
    PiiKind.EMAIL: mask_email,
    PiiKind.PLATE: mask_plate,
    PiiKind.QQ: _mask_contact_id,
    PiiKind.WECHAT: _mask_contact_id,
}
# Every mask removes digits or letters, so the fixpoint is reached in one or two passes (a
# second one is needed when a mask's kept digits join following digits into a new match);
# the cap only guards against a bug turning into an endless loop.
_MAX_PASSES = 10


def mask_pii(text: str, kinds: Iterable[PiiKind | str] | None = None) -> str:
    """Replace every match of :func:`find_pii` with its mask, until nothing is found."""
    wanted = None if kinds is None else list(kinds)
    for _ in range(_MAX_PASSES):
        matches = find_pii(text, wanted)
        if not matches:
            break
        text = _apply_masks(text, matches)
    return text


def _apply_masks(text: str, matches: list[PiiMatch]) -> str:
    pieces: list[str] = []
    copied_to = 0
    for match in matches:
        pieces.append(text[copied_to : match.start])
        # Mask the folded value so full-width digits and Chinese numerals come out as plain
        # ASCII masks.
        table = _NUMERAL_TABLE if match.kind in _NUMERIC_KINDS else _FOLD_TABLE
        pieces.append(_MASKERS[match.kind](match.value.translate(table)))
        copied_to = match.end
    pieces.append(text[copied_to:])
    return "".join(pieces)


def _mask_all_but_last(value: str, keep: int) -> str:
    if len(value) <= keep or keep == 0:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]
