"""Same problem, similar text: TF-IDF vectors over words and in-word bigrams, and an index.

Terms (:func:`terms`): jieba words of two or more characters, plus the character bigrams inside
longer words (``铭功路`` → ``铭功路 铭功 功路``), so that a different cut of the same name still
matches. Bigrams *across* words are not terms: plain character bigrams were tried first and
scored the paraphrases ``铭功路东段路灯连续三晚不亮`` / ``铭功路的路灯坏了好几天了`` at 0.21,
because boundary bigrams such as ``灯连`` and ``续三`` are rare (so heavy) and pure noise; with
words the same pair scores 0.49. Latin and alphanumeric words count whole; pure numbers are
dropped (house numbers and dates make unrelated tickets look alike; phone numbers are PII).

Weights: ``idf = ln((N + 1) / (df + 1)) + 1`` from a document-frequency table
(:class:`TermWeights`; minsheng.insight ships one computed from real citizen messages), so
``问题``, ``小区``, ``反映`` weigh little and ``铭功``, ``秸秆`` a lot. Term frequency is
sublinear (``1 + ln tf``); the title counts twice (it is the operator's summary). Vectors are
L2-normalised dicts; :func:`cosine` is their dot product, 0..1.

Index: every document is filed under its :data:`SIGNATURE_TERMS` heaviest terms (its
*signature*); a query looks up the documents sharing any of its own signature terms, then
re-scores those candidates by the cosine of their stored (truncated) vectors. Heavy terms are
rare terms, so the postings a query reads are short even in a large collection; the same scheme
runs in memory (:class:`SimilarityIndex`, used for hot issues and reference cases) and in SQL
(minsheng.insight.index, one row per signature term, hashed with :func:`term_hash`).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import jieba

from minsheng.textproc.normalize import normalize_text

Vector = dict[str, float]
K = TypeVar("K", bound=Hashable)

SIGNATURE_TERMS = 12
"""Terms a document is filed under."""
QUERY_TERMS = 16
"""Terms a query looks up (a few more than a document's, for recall)."""
STORED_TERMS = 48
"""Terms kept of a vector for re-scoring (the rest of a long text weighs little)."""
MAX_CHARS = 20_000
"""Only this much of a text is read: a pasted novel must not stall the desk."""
DUPLICATE_SCORE = 0.25
"""Cosine from which two tickets are shown as possibly the same problem."""

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_WORD_RE = re.compile(f"[{_CJK}]+")
_ALNUM_RE = re.compile(r"[^\W_]+", re.ASCII)


# Hotline boilerplate that says nothing about the problem; weighed down whatever the df table
# says (a deployment's own table may not have them).
def word_set(text: str) -> frozenset[str]:
    """A set of space-separated words (readable lists of Chinese words in the source)."""
    return frozenset(text.split())


DEFAULT_STOP_TERMS = word_set(
    "您好 你好 谢谢 感谢 希望 请问 反映 问题 领导 相关 部门 尽快 解决 处理 情况 现在 目前 "
    "我们 你们 他们 这个 那个 一个 没有 已经 可以 什么 怎么 为什么 是否 如何 还是 就是 "
    "能够 进行 要求 请求 市民 群众 本人 本地"
)
_STOP_WEIGHT = 0.05


def terms(text: str) -> list[str]:
    """The index terms of ``text``. Never raises for a ``str``.

    jieba words of two or more CJK characters, plus the bigrams inside words of three or more
    (so ``铭功路`` also gives ``铭功`` and ``功路`` and a different cut still matches), plus any
    character pair beside a lone character that is itself a dictionary word (jieba reads
    ``路灯不亮`` as ``路 灯不亮``: the pair ``路灯`` is added); Latin and alphanumeric words
    lowercased; single characters, punctuation and pure numbers dropped. Other bigrams across
    word boundaries (``灯连`` in ``路灯连续``) are deliberately not terms: they are rare, hence
    heavy, and pure noise between paraphrases.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    clean = normalize_text(text[: MAX_CHARS * 2])[:MAX_CHARS]
    tokenizer = _tokenizer()
    out: list[str] = []
    # The length of the token each character was cut into (0: not a CJK token).
    token_size = [0] * len(clean)
    position = 0
    for word in tokenizer.cut(clean):
        size = len(word)
        if _CJK_WORD_RE.fullmatch(word):
            token_size[position : position + size] = [size] * size
            if size >= 2:
                out.append(word)
            if size >= 3:
                out.extend(word[i : i + 2] for i in range(size - 1))
        elif _ALNUM_RE.fullmatch(word) and not word.isdigit():
            out.append(word.lower()[:32])
        position += size
    # Dictionary words across the cut, next to a lone character: jieba reads 路灯不亮 as
    # 路 + 灯不亮, which would hide 路灯. (Pairs between two real words, 上油 in 晚上油烟, stay out.)
    frequencies = tokenizer.FREQ
    seen = set(out)
    for i in range(len(clean) - 1):
        if token_size[i] and token_size[i + 1] and 1 in (token_size[i], token_size[i + 1]):
            pair = clean[i : i + 2]
            if pair not in seen and frequencies.get(pair, 0) > 0:
                seen.add(pair)
                out.append(pair)
    return out


def words(text: str) -> list[str]:
    """jieba words of ``text`` (normalised, at most :data:`MAX_CHARS`), as cut."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    return list(_tokenizer().cut(normalize_text(text[: MAX_CHARS * 2])[:MAX_CHARS]))


def search_words(query: str) -> list[str]:
    """The words a ticket search requires, every one of them: ``垃圾清理`` → ``垃圾 清理``.

    The query is split at spaces; a token of three or more Chinese characters is cut into words
    with the tokenizer that cuts the duplicate index's texts (jieba), so that a phrase finds
    texts that say its words apart (``垃圾无人清理``, ``垃圾堆放``) without the user typing
    spaces. Every word is a piece of the token, so a text containing the phrase as typed still
    contains every word: a phrase finds at least what it found as one string. A lone character
    that makes a dictionary word with the first character of the longer word after it takes it
    (jieba reads ``路灯不亮`` as ``路 灯不亮``: the words become ``路灯 不亮``). Tokens with
    anything but Chinese characters (Latin, digits, punctuation) stay whole, as typed; repeats
    are dropped. Never raises for a ``str``.
    """
    out: list[str] = []
    for token in query.split():
        pieces = [token]
        if len(token) >= 3 and _CJK_WORD_RE.fullmatch(token):
            pieces = _regrouped(list(_tokenizer().cut(token)))
        out.extend(piece for piece in pieces if piece)
    return list(dict.fromkeys(out))


def _regrouped(pieces: list[str]) -> list[str]:
    """jieba's pieces of a phrase, a lone character joined to the next piece's first character
    where the two are a dictionary word (the next piece then loses that character)."""
    frequencies = _tokenizer().FREQ
    out: list[str] = []
    for i, piece in enumerate(pieces):  # pieces[i + 1] may be shortened on the way
        following = pieces[i + 1] if i + 1 < len(pieces) else ""
        if len(piece) == 1 and len(following) >= 3 and frequencies.get(piece + following[0], 0):
            out.append(piece + following[0])
            pieces[i + 1] = following[1:]
        else:
            out.append(piece)
    return out


@functools.lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    # Loading jieba's dictionary takes about a second: once per process, on first use.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


class TermWeights:
    """Inverse document frequencies from a df table; unknown terms count as rare."""

    def __init__(
        self,
        df: Mapping[str, int] | None = None,
        n_docs: int = 0,
        stop_terms: Iterable[str] = DEFAULT_STOP_TERMS,
    ) -> None:
        self.df = dict(df or {})
        self.n_docs = max(n_docs, max(self.df.values(), default=0))
        self.stop_terms = frozenset(stop_terms)
        self._max_idf = math.log(self.n_docs + 1) + 1.0

    @classmethod
    def from_texts(cls, texts: Iterable[str], **kwargs: object) -> TermWeights:
        df: Counter[str] = Counter()
        count = 0
        for text in texts:
            df.update(set(terms(text)))
            count += 1
        return cls(df, count, **kwargs)  # type: ignore[arg-type]

    def idf(self, term: str) -> float:
        if term in self.stop_terms:
            return _STOP_WEIGHT
        if not self.df:
            return 1.0
        return math.log((self.n_docs + 1) / (self.df.get(term, 0) + 1)) + 1.0

    @property
    def max_idf(self) -> float:
        return self._max_idf

    def dumps(self, min_df: int = 2) -> str:
        """``term,df`` lines (and ``__docs__,N``) for the terms seen in ``min_df`` documents."""
        lines = [f"__docs__,{self.n_docs}"]
        lines += [
            f"{t},{n}"
            for t, n in sorted(self.df.items(), key=lambda i: (-i[1], i[0]))
            if n >= min_df
        ]
        return "\n".join(lines) + "\n"

    @classmethod
    def loads(cls, data: str, **kwargs: object) -> TermWeights:
        df: dict[str, int] = {}
        n_docs = 0
        for line in data.splitlines():
            term, _, count = line.rpartition(",")
            if not term or not count.isdigit():
                continue
            if term == "__docs__":
                n_docs = int(count)
            else:
                df[term] = int(count)
        return cls(df, n_docs, **kwargs)  # type: ignore[arg-type]


UNIFORM = TermWeights()


def vectorize(text: str, weights: TermWeights = UNIFORM, *, title: str = "") -> Vector:
    """L2-normalised TF-IDF vector of ``title`` (counted twice) and ``text``; {} when empty."""
    return vector_from_terms(terms(text), terms(title), weights)


def vector_from_terms(
    text_terms: Iterable[str], title_terms: Iterable[str] = (), weights: TermWeights = UNIFORM
) -> Vector:
    """:func:`vectorize` from terms already cut (the terms of a text are the terms of its
    sentences, one after the other: callers that reuse sentences may cut each once)."""
    counts = Counter(text_terms)
    for term in title_terms:
        counts[term] += 2
    vector = {term: (1.0 + math.log(tf)) * weights.idf(term) for term, tf in counts.items()}
    return normalized(vector)


def normalized(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    if norm == 0.0:
        return {}
    return {term: w / norm for term, w in vector.items()}


def truncate(vector: Mapping[str, float], size: int = STORED_TERMS) -> Vector:
    """The ``size`` heaviest terms, re-normalised (ties broken by the term, so stable)."""
    top = sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:size]
    return normalized(dict(top))


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return min(1.0, sum(w * b.get(term, 0.0) for term, w in a.items()))


def similarity(a: str, b: str, weights: TermWeights = UNIFORM) -> float:
    """Cosine similarity of two texts, 0..1."""
    return cosine(vectorize(a, weights), vectorize(b, weights))


def signature(vector: Mapping[str, float], size: int = SIGNATURE_TERMS) -> list[str]:
    """The heaviest terms of ``vector``, heaviest first."""
    return [term for term, _ in sorted(vector.items(), key=lambda i: (-i[1], i[0]))[:size]]


def term_hash(term: str) -> int:
    """A stable signed 32-bit key for a term (fits an SQL integer column on every backend)."""
    return zlib.crc32(term.encode("utf-8")) - 2**31


def dumps_vector(vector: Mapping[str, float]) -> str:
    """Compact text form for a database column: ``term:weight`` separated by spaces."""
    return " ".join(f"{term}:{weight:.4f}" for term, weight in vector.items() if " " not in term)


def loads_vector(data: str) -> Vector:
    vector: Vector = {}
    for item in data.split():
        term, _, weight = item.rpartition(":")
        try:
            vector[term] = float(weight)
        except ValueError:
            continue
    return vector


@dataclass(frozen=True, slots=True)
class SimilarHit(Generic[K]):
    key: K
    score: float


class SimilarityIndex(Generic[K]):
    """In-memory postings over signature terms; ``query`` returns keys by cosine, best first."""

    def __init__(self, weights: TermWeights = UNIFORM) -> None:
        self.weights = weights
        self._vectors: dict[K, Vector] = {}
        self._signatures: dict[K, list[str]] = {}
        self._postings: dict[str, set[K]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, key: object) -> bool:
        return key in self._vectors

    def vector(self, key: K) -> Vector:
        return self._vectors[key]

    def add(self, key: K, text: str, *, title: str = "") -> Vector:
        return self.add_vector(key, vectorize(text, self.weights, title=title))

    def add_vector(self, key: K, vector: Mapping[str, float]) -> Vector:
        self.discard(key)
        stored = truncate(vector)
        self._vectors[key] = stored
        sig = signature(stored)
        self._signatures[key] = sig
        for term in sig:
            self._postings[term].add(key)
        return stored

    def discard(self, key: K) -> None:
        if key not in self._vectors:
            return
        del self._vectors[key]
        for term in self._signatures.pop(key):
            bucket = self._postings[term]
            bucket.discard(key)
            if not bucket:
                del self._postings[term]

    def query(
        self,
        text: str,
        *,
        title: str = "",
        limit: int = 10,
        min_score: float = DUPLICATE_SCORE,
        accept: Callable[[K], bool] | None = None,
    ) -> list[SimilarHit[K]]:
        vector = vectorize(text, self.weights, title=title)
        return self.query_vector(vector, limit=limit, min_score=min_score, accept=accept)

    def query_vector(
        self,
        vector: Mapping[str, float],
        *,
        limit: int = 10,
        min_score: float = DUPLICATE_SCORE,
        accept: Callable[[K], bool] | None = None,
    ) -> list[SimilarHit[K]]:
        probe = truncate(vector)
        candidates: set[K] = set()
        for term in signature(probe, QUERY_TERMS):
            candidates.update(self._postings.get(term, ()))
        hits = []
        for key in candidates:
            if accept is not None and not accept(key):
                continue
            score = cosine(probe, self._vectors[key])
            if score >= min_score:
                hits.append(SimilarHit(key, round(score, 4)))
        hits.sort(key=lambda h: -h.score)
        return hits[: max(limit, 0)]
