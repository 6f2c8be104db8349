"""From free text to a place: which township (乡镇/街道) and village (村/社区) a ticket is about.

The gazetteer is the deployment's own division table (12-digit statistical codes), plus the
landmarks administrators add (roads, estates, markets: ``铭功路 → 孙口镇``). Nothing here
imports Django; minsheng.insight.places builds a :class:`Gazetteer` from the database rows.

How a name is found. Every division gives several *surface forms*:

- its official name (``孙口村委会``, ``孙口镇``), kind ``full``;
- the same stem with the other suffixes people say (``孙口村``, ``孙口村民委员会``; ``XX社区``
  for ``XX社区居委会``; ``XX乡`` for a ``XX镇`` that used to be a township), kind ``suffixed``;
- the bare stem (``孙口``, ``前王集``), kind ``stem``, only when it has at least two characters.

Landmarks give one surface form each (kind ``landmark``). Provinces, cities and counties are in
the gazetteer too, only so that the longest match swallows them (``台前县`` must not be read as
the village stem ``台前`` + ``县``); they are never candidates.

The text is normalised (:func:`minsheng.textproc.normalize.normalize_text`) and scanned left to
right taking the longest surface form at each position (leftmost-longest, non-overlapping),
which a dict of surface forms and the set of lengths per first character makes linear.

Scores (0..1) are confidences, combined by noisy-OR so that more evidence only ever adds:

- a mention's confidence depends on its kind (``full`` > ``suffixed`` > ``landmark`` > stem),
  and is shared out when one surface form names several divisions of the same level
  (``东张村`` exists in two townships: each gets half);
- a bare two-character village stem (``东张``, ``高庄``) is too ambiguous on its own and counts
  only when its township is mentioned elsewhere in the text (by name or by a landmark);
- a village mentioned together with its township scores up (consistency);
- a township collects its own mentions and, discounted, those of its villages and landmarks.

:attr:`PlaceMatch.best` is what the operator desk pre-selects: the most specific candidate that
is confident enough and has no close rival elsewhere in the county.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from minsheng.textproc.normalize import normalize_text

TOWNSHIP = 4
VILLAGE = 5
CONTEXT_LEVELS = frozenset({1, 2, 3})

# Longest first: the first suffix that matches is stripped.
_VILLAGE_SUFFIXES = (
    "社区居民委员会",
    "村民委员会",
    "居民委员会",
    "社区居委会",
    "村委会",
    "居委会",
    "社区",
    "村",
)
_COMMUNITY_FORMS = ("社区居委会", "社区居民委员会", "居委会", "居民委员会", "社区")
_VILLAGE_FORMS = ("村委会", "村民委员会", "村委", "村")
_TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
_STREET_FORMS = ("街道", "街道办事处", "街道办", "办事处")
_TOWN_FORMS = ("镇", "乡")
_CONTEXT_SUFFIXES = ("自治县", "自治州", "自治区", "地区", "省", "市", "县", "区", "旗", "盟")

MIN_STEM = 2
# Only the first characters are scanned: a place is named early, and a pasted novel must not
# make the desk slow. The limit is applied after normalisation.
MAX_SCAN_CHARS = 20_000
# At most this many mentions of one division count; repetition is weak evidence.
MAX_MENTIONS_PER_DIVISION = 3

PRESELECT_MIN = 0.5
"""The desk pre-selects nothing below this score."""
PRESELECT_MARGIN = 0.1
"""…nor when a rival (a candidate that is neither ancestor nor descendant) is this close."""
VILLAGE_PRESELECT_MIN = 0.7
"""A village inside the top township is pre-selected instead of it from this score on."""


class FormKind(enum.StrEnum):
    FULL = "full"
    SUFFIXED = "suffixed"
    LANDMARK = "landmark"
    STEM = "stem"
    CONTEXT = "context"


_CONFIDENCE: dict[FormKind, float] = {
    FormKind.FULL: 0.95,
    FormKind.SUFFIXED: 0.9,
    FormKind.LANDMARK: 0.85,
}
_STEM_CONFIDENCE = {TOWNSHIP: (0.5, 0.7), VILLAGE: (0.5, 0.6)}  # (two characters, longer)
# How much a village's mention tells about its township, and a township about its village.
_VILLAGE_TO_TOWNSHIP = 0.8
_TOWNSHIP_TO_VILLAGE = 0.5
# Among equally sure candidates the village is the more useful answer.
_LEVEL_FACTOR = {TOWNSHIP: 0.95, VILLAGE: 1.0}


@dataclass(frozen=True, slots=True)
class Division:
    """One row of the gazetteer: a 12-digit code, the official name, level 1-5, parent code."""

    code: str
    name: str
    level: int
    parent_code: str | None = None


@dataclass(frozen=True, slots=True)
class Landmark:
    """A road, estate, market… that administrators tie to a township or village."""

    name: str
    division_code: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class _Form:
    code: str
    kind: FormKind


@dataclass(frozen=True, slots=True)
class Mention:
    """A surface form found in the (normalised) text, with every division it may name."""

    start: int
    end: int
    surface: str
    kind: FormKind
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlaceCandidate:
    code: str
    name: str
    level: int
    township_code: str  # the township itself for a township
    score: float
    matched: tuple[str, ...]  # the surface forms that named it (or its villages/landmarks)

    @property
    def is_village(self) -> bool:
        return self.level == VILLAGE


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    candidates: tuple[PlaceCandidate, ...]
    mentions: tuple[Mention, ...] = ()
    best: PlaceCandidate | None = field(default=None)


def _strip_suffix(name: str, suffixes: Iterable[str]) -> tuple[str, str]:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def surface_forms(division: Division) -> dict[str, FormKind]:
    """Every way people write this division's name, with its kind (see the module doc)."""
    name = normalize_text(division.name).replace(" ", "")
    if not name:
        return {}
    if division.level in CONTEXT_LEVELS:
        forms = {name: FormKind.CONTEXT}
        stem, suffix = _strip_suffix(name, _CONTEXT_SUFFIXES)
        if suffix and len(stem) >= MIN_STEM:
            forms.setdefault(stem, FormKind.CONTEXT)
        return forms
    others: tuple[str, ...]
    if division.level == TOWNSHIP:
        stem, suffix = _strip_suffix(name, _TOWNSHIP_SUFFIXES)
        others = (
            _STREET_FORMS if suffix in ("街道", "街道办事处") else _TOWN_FORMS if suffix else ()
        )
    else:
        stem, suffix = _strip_suffix(name, _VILLAGE_SUFFIXES)
        community = "社区" in suffix or "居" in suffix
        others = (_COMMUNITY_FORMS if community else _VILLAGE_FORMS) if suffix else ()
    forms = {name: FormKind.FULL}
    for other in others:
        forms.setdefault(stem + other, FormKind.SUFFIXED)
    if suffix and len(stem) >= MIN_STEM:
        forms.setdefault(stem, FormKind.STEM)
    return forms


class Gazetteer:
    """An immutable matcher; build once per process (building is linear in the rows)."""

    def __init__(
        self,
        divisions: Iterable[Division | tuple[str, str, int, str | None]],
        landmarks: Iterable[Landmark | tuple[str, str]] = (),
    ) -> None:
        self.divisions: dict[str, Division] = {}
        for row in divisions:
            division = row if isinstance(row, Division) else Division(*row)
            if division.level in CONTEXT_LEVELS or division.level in (TOWNSHIP, VILLAGE):
                self.divisions[division.code] = division
        self._forms: dict[str, list[_Form]] = defaultdict(list)
        for division in self.divisions.values():
            for surface, kind in surface_forms(division).items():
                self._add(surface, _Form(division.code, kind))
        self.landmarks: list[Landmark] = []
        for item in landmarks:
            landmark = item if isinstance(item, Landmark) else Landmark(*item)
            surface = normalize_text(landmark.name).replace(" ", "")
            if len(surface) >= MIN_STEM and landmark.division_code in self.divisions:
                self.landmarks.append(landmark)
                self._add(surface, _Form(landmark.division_code, FormKind.LANDMARK))
        # Lengths to try at a position, longest first, keyed by the first character.
        lengths: dict[str, set[int]] = defaultdict(set)
        for surface in self._forms:
            lengths[surface[0]].add(len(surface))
        self._lengths = {char: sorted(sizes, reverse=True) for char, sizes in lengths.items()}

    def _add(self, surface: str, form: _Form) -> None:
        forms = self._forms[surface]
        # A surface form names a division once, with its strongest kind.
        for index, existing in enumerate(forms):
            if existing.code == form.code:
                if _rank(form.kind) < _rank(existing.kind):
                    forms[index] = form
                return
        forms.append(form)

    def __len__(self) -> int:
        return len(self.divisions)

    def township_of(self, code: str) -> str | None:
        division = self.divisions.get(code)
        if division is None:
            return None
        if division.level == TOWNSHIP:
            return code
        if division.level == VILLAGE:
            return division.parent_code
        return None

    # --- scanning ---------------------------------------------------------------------------

    def mentions(self, text: str) -> list[Mention]:
        """Leftmost-longest, non-overlapping surface forms in the normalised ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        clean = normalize_text(text).replace(" ", "")[:MAX_SCAN_CHARS]
        found: list[Mention] = []
        position, size = 0, len(clean)
        while position < size:
            lengths = self._lengths.get(clean[position])
            hit = None
            if lengths is not None:
                for length in lengths:
                    if position + length > size:
                        continue
                    surface = clean[position : position + length]
                    forms = self._forms.get(surface)
                    if forms:
                        hit = surface, forms
                        break
            if hit is None:
                position += 1
                continue
            surface, forms = hit
            kind = min((f.kind for f in forms), key=_rank)
            codes = tuple(f.code for f in forms)
            found.append(Mention(position, position + len(surface), surface, kind, codes))
            position += len(surface)
        return found

    # --- scoring ----------------------------------------------------------------------------

    def match(self, text: str, limit: int = 5) -> PlaceMatch:
        """Township and village candidates for ``text``, best first, and the one to pre-select."""
        mentions = self.mentions(text)
        evidence = self._evidence(mentions)
        candidates = self._score(evidence)
        candidates.sort(key=lambda c: (-c.score, -c.level, c.code))
        top = tuple(candidates[: max(limit, 0)])
        return PlaceMatch(
            candidates=top, mentions=tuple(mentions), best=self._preselect(candidates)
        )

    def _evidence(self, mentions: list[Mention]) -> dict[str, list[tuple[float, str]]]:
        """Direct evidence per division code: (confidence, surface) for each usable mention."""
        # Context for short stems: a township named by another mention (or a landmark there).
        named_townships: dict[str, set[int]] = defaultdict(set)
        for index, mention in enumerate(mentions):
            for code in mention.codes:
                township = self.township_of(code)
                if township and (
                    self.divisions[code].level == TOWNSHIP or mention.kind is FormKind.LANDMARK
                ):
                    named_townships[township].add(index)
        direct: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for index, mention in enumerate(mentions):
            usable: list[tuple[str, int, float]] = []
            for form in self._forms[mention.surface]:
                division = self.divisions[form.code]
                if division.level in CONTEXT_LEVELS:
                    continue
                if self._needs_context(form.kind, division.level, mention.surface):
                    township = division.parent_code or ""
                    if not named_townships.get(township, set()) - {index}:
                        continue
                confidence = self._confidence(form.kind, division.level, mention.surface)
                usable.append((form.code, division.level, confidence))
            # One surface form naming several divisions of a level shares its confidence out.
            per_level = Counter(level for _, level, _ in usable)
            for code, level, confidence in usable:
                direct[code].append((confidence / per_level[level], mention.surface))
        return direct

    @staticmethod
    def _needs_context(kind: FormKind, level: int, surface: str) -> bool:
        return kind is FormKind.STEM and level == VILLAGE and len(surface) <= MIN_STEM

    @staticmethod
    def _confidence(kind: FormKind, level: int, surface: str) -> float:
        if kind is FormKind.STEM:
            short, longer = _STEM_CONFIDENCE[level]
            return short if len(surface) <= MIN_STEM else longer
        return _CONFIDENCE.get(kind, 0.0)

    def _score(self, direct: Mapping[str, list[tuple[float, str]]]) -> list[PlaceCandidate]:
        own = {
            code: _noisy_or(c for c, _ in sorted(hits, reverse=True)[:MAX_MENTIONS_PER_DIVISION])
            for code, hits in direct.items()
        }
        surfaces: dict[str, list[str]] = {
            code: [s for _, s in hits] for code, hits in direct.items()
        }
        township_support: dict[str, list[float]] = defaultdict(list)
        for code, score in own.items():
            division = self.divisions[code]
            if division.level == VILLAGE and division.parent_code in self.divisions:
                township_support[division.parent_code].append(score * _VILLAGE_TO_TOWNSHIP)
                surfaces.setdefault(division.parent_code, []).extend(surfaces[code])
        candidates: list[PlaceCandidate] = []
        for code in set(own) | set(township_support):
            division = self.divisions[code]
            if division.level == TOWNSHIP:
                score = _noisy_or([own.get(code, 0.0), *township_support.get(code, [])])
                township = code
            else:
                score = own[code]
                township = division.parent_code or ""
                parent_score = own.get(township, 0.0)
                score += (1.0 - score) * _TOWNSHIP_TO_VILLAGE * parent_score
            score = round(score * _LEVEL_FACTOR[division.level], 4)
            matched = tuple(dict.fromkeys(surfaces.get(code, [])))
            candidates.append(
                PlaceCandidate(code, division.name, division.level, township, score, matched)
            )
        return candidates

    def _preselect(self, ranked: list[PlaceCandidate]) -> PlaceCandidate | None:
        if not ranked or ranked[0].score < PRESELECT_MIN:
            return None
        top = ranked[0]
        if any(
            _rivals(top, other) and other.score > top.score - PRESELECT_MARGIN
            for other in ranked[1:]
        ):
            return None
        if top.level == TOWNSHIP:
            inside = [c for c in ranked if c.level == VILLAGE and c.township_code == top.code]
            if (
                inside
                and inside[0].score >= VILLAGE_PRESELECT_MIN
                and (len(inside) == 1 or inside[1].score <= inside[0].score - PRESELECT_MARGIN)
            ):
                return inside[0]
        return top


def _rivals(a: PlaceCandidate, b: PlaceCandidate) -> bool:
    """Two candidates compete unless one contains the other."""
    if a.code == b.code:
        return False
    return not (a.township_code == b.code or b.township_code == a.code)


def _rank(kind: FormKind) -> int:
    return list(FormKind).index(kind)


def _noisy_or(values: Iterable[float]) -> float:
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - min(max(value, 0.0), 1.0)
    return 1.0 - remaining
