"""What callers say, matched to the leaves of a hotline category tree (pure Python, no Django).

A county's calls are short and concrete: "村里的路灯坏了", "停水三天了", "医保怎么报销". The words
that name the matter are few and well known to every 12345 operator; the category tree records
them as each leaf's synonyms (minsheng/tickets/data/hotline_taxonomy.csv). A :class:`Lexicon`
finds them in a text and scores each leaf by the evidence it has:

- every term found counts once per leaf, weighted by its length (a four-character phrase is
  stronger evidence than a two-character word) and by how few leaves share it (an inverse
  document frequency: "乱收费" names three leaves and tells less than "补课费");
- the terms found segment the text, longest first: a term inside or across a longer one does
  not count (in "电信诈骗", "电信" is not a complaint about a telephone company; in "红绿灯坏了"
  the lamp is a traffic light, not a street lamp);
- a leaf's own name and its parent's name are terms of the leaf as well;
- where the caller gives a `commonness` (the router passes the IDF of real citizen messages), a
  term's weight is scaled by it: 小区 names a matter less surely than 油烟;
- a synonym written "灯+黑" is a pattern: its parts in that order within :data:`WINDOW`
  characters ("路灯晚上都黑着"), for what callers say in many ways around two fixed words. It
  weighs as a term as long as its parts together;
- a synonym written "~医院" is a *setting*: a word that says where or how the caller met the
  matter (医院, 学校, 小区, 窗口, 跑了好几趟) rather than what it is. It weighs
  :data:`SETTING_FACTOR` of a term, so that in "在郑州住院做手术，回来报销说没备案" the 报销 names the
  matter and the 住院 only its setting, while a call that says nothing else is still filed by it.

The scores are evidence, not probabilities: :func:`strength` turns the best one into how sure
the lexicon is (0 without evidence), and the router (minsheng.insight.triage) mixes it with the
trained classifier where there is one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from minsheng.textproc.normalize import normalize_text

MAX_TERM = 12
"""Longer synonyms are ignored: a term is a phrase a caller says, not a sentence."""
WINDOW = 10
"""A pattern's parts must lie within this many characters, first to last."""
PATTERN_MARK = "+"
SETTING_MARK = "~"
SETTING_FACTOR = 0.35
"""A setting word weighs about a third of a matter's word: it takes two or three of them to
outweigh one word that names the matter."""
OWN_NAME_BONUS = 1.25
"""A leaf's own name ("停水", "医保报销") is the word the centre itself chose for it."""
STRENGTH_SCALE = 2.6
"""Evidence of this much (about one specific four-character phrase) gives strength 0.63. Chosen
with the router's rarity weight so that the units pre-selected at the default threshold stay
right in about 96 % of unseen calls (docs/benchmarks/routing.md)."""


@dataclass(frozen=True)
class LeafTerms:
    label: str  # the leaf's full name
    own: tuple[str, ...]  # its own name and its parent's
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class LeafMatch:
    label: str
    score: float
    terms: tuple[str, ...]  # what was found, strongest first; a pattern as "灯…坏"


def _clean(term: str) -> str:
    return normalize_text(term).lower().replace(" ", "")


class Lexicon:
    def __init__(
        self, leaves: Iterable[LeafTerms], commonness: Callable[[str], float] | None = None
    ) -> None:
        # term → {label: weight factor}
        owners: dict[str, dict[str, float]] = defaultdict(dict)
        labels: list[str] = []
        pattern_owners: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
        for leaf in leaves:
            labels.append(leaf.label)
            for term, factor in [
                *((t, OWN_NAME_BONUS) for t in leaf.own),
                *((t, 1.0) for t in leaf.synonyms),
            ]:
                if term.startswith(SETTING_MARK):
                    term, factor = term[len(SETTING_MARK) :], factor * SETTING_FACTOR
                if PATTERN_MARK in term:
                    parts = tuple(p for p in (_clean(x) for x in term.split(PATTERN_MARK)) if p)
                    if len(parts) >= 2 and sum(map(len, parts)) <= MAX_TERM:
                        owned = pattern_owners[parts]
                        owned[leaf.label] = max(factor, owned.get(leaf.label, 0.0))
                    continue
                clean = _clean(term)
                if not 2 <= len(clean) <= MAX_TERM or clean == "其他":
                    continue
                owners[clean][leaf.label] = max(factor, owners[clean].get(leaf.label, 0.0))
        self.labels = labels
        n = max(len(labels), 1)
        self._weights: dict[str, dict[str, float]] = {}
        for term, by_label in owners.items():
            idf = math.log(1 + n / len(by_label)) / math.log(1 + n)
            length = min(len(term), 6) / 2
            usual = commonness(term) if commonness is not None else 1.0
            self._weights[term] = {label: length * idf * f * usual for label, f in by_label.items()}
        self._longest = max((len(t) for t in self._weights), default=0)
        self._patterns: dict[tuple[str, ...], dict[str, float]] = {}
        for parts, owned in pattern_owners.items():
            idf = math.log(1 + n / len(owned)) / math.log(1 + n)
            length = min(sum(map(len, parts)), 6) / 2
            self._patterns[parts] = {label: length * idf * f for label, f in owned.items()}

    def __len__(self) -> int:
        return len(self._weights) + len(self._patterns)

    def _pattern_hits(self, text: str) -> list[tuple[int, int, str]]:
        """The patterns whose parts occur in order within WINDOW characters, with the stretch
        of text each covers (its first occurrence)."""
        hits = []
        for parts in self._patterns:
            start = text.find(parts[0])
            while start != -1:
                position = start + len(parts[0])
                for part in parts[1:]:
                    found = text.find(part, position, start + WINDOW)
                    if found == -1:
                        break
                    position = found + len(part)
                else:
                    hits.append((start, position, PATTERN_MARK.join(parts)))
                    break
                start = text.find(parts[0], start + 1)
        return hits

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        """The terms of `text` as a segmentation: longest first, then leftmost, never two
        overlapping (in "红绿灯坏了", 红绿灯 wins over 灯坏了; "停水" inside "停水通知" is not
        found again)."""
        found: list[tuple[int, int, str]] = []
        for start in range(len(text)):
            for size in range(min(self._longest, len(text) - start), 1, -1):
                piece = text[start : start + size]
                if piece in self._weights:
                    found.append((start, start + size, piece))
        found.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
        taken = [False] * len(text)
        kept: list[tuple[int, int, str]] = []
        for start, end, term in found:
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            kept.append((start, end, term))
        return sorted(kept)

    def match(self, text: str, limit: int = 10) -> list[LeafMatch]:
        """The leaves with evidence in `text`, best first."""
        clean = _clean(text)
        scores: dict[str, float] = defaultdict(float)
        terms: dict[str, dict[str, float]] = defaultdict(dict)
        found = [(s, e, t, self._weights[t]) for s, e, t in self._spans(clean)]
        # Patterns after terms, strongest first: a pattern that says nothing beyond what a leaf
        # already counted (its stretch of text lies inside one counted) does not count again —
        # "跑了好几趟" found as a term is not counted again by 跑+好几趟 and 跑+几趟, while 灯+黑
        # in "路灯晚上都黑了" adds the 黑 to the 路灯.
        patterns = [
            (s, e, p, self._patterns[tuple(p.split(PATTERN_MARK))])
            for s, e, p in self._pattern_hits(clean)
        ]
        patterns.sort(key=lambda hit: -max(hit[3].values()))
        covered: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for start, end, term, owners in [*found, *patterns]:
            for label, weight in owners.items():
                if term in terms[label]:
                    continue
                if PATTERN_MARK in term and any(s <= start and end <= e for s, e in covered[label]):
                    continue
                covered[label].append((start, end))
                terms[label][term] = weight
                scores[label] += weight
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [
            LeafMatch(
                label,
                round(score, 4),
                tuple(
                    t.replace(PATTERN_MARK, "…")
                    for t in sorted(terms[label], key=lambda t: -terms[label][t])
                ),
            )
            for label, score in ranked
        ]


def strength(score: float) -> float:
    """How sure a leaf's evidence makes the lexicon: 0 for none, approaching 1."""
    return 1 - math.exp(-max(score, 0.0) / STRENGTH_SCALE)


def leaves_from_paths(
    paths: Sequence[tuple[Sequence[str], str]], separator: str = "/"
) -> list[LeafTerms]:
    """LeafTerms from (names from the root, "a|b|c" synonyms) of a tree's leaves."""
    result = []
    for names, synonyms in paths:
        own = tuple(n for n in (names[-1], names[-2] if len(names) > 1 else "") if n)
        result.append(
            LeafTerms(
                label=separator.join(names),
                own=own,
                synonyms=tuple(s for s in synonyms.split("|") if s.strip()),
            )
        )
    return result
