"""热点: groups of tickets about the same problem in a period.

Input is a list of :class:`HotspotItem` (a key, the text, when, where; optionally the stored
vector of minsheng.textproc.similar, which spares re-cutting the text). Items are taken in time
order; each joins the group of its most similar earlier item when the cosine reaches
``threshold`` (nearest-neighbour linking through a :class:`~minsheng.textproc.similar.
SimilarityIndex`, so the work grows with the postings, not with the square of the items).
Groups of at least ``min_size`` items are hot issues, largest first.

Each group reports its count, time span, places (most frequent first), its top words (terms by
how many of the group's tickets use them, weighted by rarity, with a small stopword list) and
examples (the items closest to the group's centroid). ``by_place=True`` only links items of the
same place: "路灯不亮" in two villages are then two problems, not one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from minsheng.textproc.similar import (
    DEFAULT_STOP_TERMS,
    UNIFORM,
    SimilarityIndex,
    TermWeights,
    Vector,
    cosine,
    normalized,
    vectorize,
    word_set,
)

K = TypeVar("K", bound=Hashable)

GROUP_SCORE = 0.3
"""Cosine from which a ticket joins an earlier ticket's group."""

# Words that say nothing about *which* problem; added to the similarity stop terms.
TOP_WORD_STOPS = DEFAULT_STOP_TERMS | word_set(
    "投诉 举报 咨询 建议 求助 来电 来电人 市民 群众 业主 居民 村民 政府 工作 单位 有关 管理 "
    "存在 严重 影响 导致 造成 由于 因为 所以 但是 而且 并且 以及 或者 如果 虽然 "
    "今天 昨天 每天 时间 时候 一直 一下 多次 几天 不能 不要 不是 需要 应该 知道 发现 希望能 "
    "年月 电话 联系 答复 办理 表示 反应 说明 回复 关于"
)


@dataclass(frozen=True, slots=True)
class HotspotItem(Generic[K]):
    key: K
    text: str
    at: dt.datetime
    title: str = ""
    place: str | None = None
    vector: Mapping[str, float] | None = None


@dataclass(frozen=True, slots=True)
class Hotspot(Generic[K]):
    keys: tuple[K, ...]  # in time order
    first_at: dt.datetime
    last_at: dt.datetime
    places: tuple[tuple[str, int], ...]  # (place, tickets), most frequent first
    top_words: tuple[str, ...]
    examples: tuple[K, ...]  # closest to the centroid first
    label: str  # the first example's title (or the start of its text)

    @property
    def count(self) -> int:
        return len(self.keys)

    @property
    def place(self) -> str | None:
        return self.places[0][0] if self.places else None


def find_hotspots(
    items: Iterable[HotspotItem[K]],
    *,
    weights: TermWeights = UNIFORM,
    threshold: float = GROUP_SCORE,
    min_size: int = 3,
    by_place: bool = False,
    limit: int = 20,
    top_words: int = 5,
    examples: int = 3,
) -> list[Hotspot[K]]:
    """Hot issues among ``items``, largest group first (ties: the most recent first)."""
    ordered = sorted(items, key=lambda item: item.at)
    index: SimilarityIndex[int] = SimilarityIndex(weights)
    vectors: list[Vector] = []
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for position, item in enumerate(ordered):
        vector = (
            dict(item.vector)
            if item.vector is not None
            else vectorize(item.text, weights, title=item.title)
        )
        stored = index.add_vector(position, vector) if vector else {}
        vectors.append(stored)
        if not stored:
            continue
        place = item.place

        def same_place(other: int, place: str | None = place, position: int = position) -> bool:
            return other != position and (not by_place or ordered[other].place == place)

        hits = index.query_vector(stored, limit=1, min_score=threshold, accept=same_place)
        if hits:
            parent[position] = root(hits[0].key)
    groups: dict[int, list[int]] = defaultdict(list)
    for position in range(len(ordered)):
        if vectors[position]:
            groups[root(position)].append(position)
    found = [
        _describe(
            [ordered[i] for i in members],
            [vectors[i] for i in members],
            weights,
            top_words,
            examples,
        )
        for members in groups.values()
        if len(members) >= max(min_size, 1)
    ]
    found.sort(key=lambda h: (-h.count, -h.last_at.timestamp()))
    return found[: max(limit, 0)]


def _describe(
    members: list[HotspotItem[K]],
    vectors: list[Vector],
    weights: TermWeights,
    top_words: int,
    examples: int,
) -> Hotspot[K]:
    centroid: Counter[str] = Counter()
    for vector in vectors:
        centroid.update(vector)
    center = normalized(centroid)
    closeness = sorted(range(len(members)), key=lambda i: (-cosine(vectors[i], center), i))
    chosen = [members[i] for i in closeness[:examples]]
    first = chosen[0]
    label = first.title.strip() or first.text.strip()[:30]
    places = Counter(m.place for m in members if m.place)
    return Hotspot(
        keys=tuple(m.key for m in members),
        first_at=members[0].at,
        last_at=members[-1].at,
        places=tuple(places.most_common()),
        top_words=tuple(_top_words(vectors, weights, top_words)),
        examples=tuple(m.key for m in chosen),
        label=label,
    )


def _top_words(vectors: list[Vector], weights: TermWeights, size: int) -> list[str]:
    """Terms used by many of the group's tickets, rarer terms first among equals."""
    used: Counter[str] = Counter()
    for vector in vectors:
        used.update(term for term in vector if term not in TOP_WORD_STOPS and not term.isascii())
    ranked = sorted(used, key=lambda t: (-used[t] * weights.idf(t), -len(t), t))
    chosen: list[str] = []
    for term in ranked:
        if len(chosen) >= size:
            break
        # 铭功 and 功路 are parts of 铭功路: one word is enough.
        # An in-word bigram (业执 of 营业执照) reads badly: show the word it comes from.
        longer = [o for o in used if term in o and o != term and 2 * used[o] >= used[term]]
        if longer:
            term = max(longer, key=lambda o: (used[o], len(o), o))
        if any(term in other or other in term for other in chosen):
            continue
        chosen.append(term)
    return chosen
