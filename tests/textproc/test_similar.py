"""Text similarity: paraphrases of one problem score high, different problems low."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.textproc.similar import (
    MAX_CHARS,
    SIGNATURE_TERMS,
    SimilarityIndex,
    TermWeights,
    cosine,
    dumps_vector,
    loads_vector,
    signature,
    similarity,
    term_hash,
    terms,
    truncate,
    vectorize,
)

TERM_DF = Path(__file__).resolve().parents[2] / "minsheng" / "insight" / "data" / "term_df.csv.gz"


@functools.lru_cache(maxsize=1)
def weights() -> TermWeights:
    with gzip.open(TERM_DF, "rt", encoding="utf-8") as handle:
        return TermWeights.loads(handle.read())


PARAPHRASES = [
    (
        "孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。",
        "铭功路的路灯坏了好几天了，晚上黑漆漆的走路不方便",
    ),
    ("小区楼下烧烤店油烟太大，晚上吵到半夜", "楼下的烧烤摊每天晚上油烟很重，噪音到凌晨"),
    ("前王集村自来水停水三天了", "前王集村停水了，三天没有自来水"),
    ("村里有人焚烧秸秆，烟很大", "附近有人烧秸秆，浓烟呛人"),
    ("咨询城乡居民医保怎么缴费", "城乡居民医保在哪里缴费，缴费标准是多少"),
]
UNRELATED = [
    ("孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。", "我想咨询一下城乡居民医保怎么缴费"),
    ("村里有人焚烧秸秆，烟很大", "小区物业乱收停车费"),
    ("楼下的烧烤摊每天晚上油烟很重", "孩子上学的学区怎么划分"),
    ("前王集村自来水停水三天了", "社保卡丢了怎么补办"),
]


@pytest.mark.parametrize(("a", "b"), PARAPHRASES)
def test_paraphrases_of_one_problem_score_high(a: str, b: str) -> None:
    assert similarity(a, b, weights()) >= 0.3


@pytest.mark.parametrize(("a", "b"), UNRELATED)
def test_different_problems_score_low(a: str, b: str) -> None:
    assert similarity(a, b, weights()) < 0.1


def test_every_paraphrase_is_closer_than_every_unrelated_pair() -> None:
    low = max(similarity(a, b, weights()) for a, b in UNRELATED)
    high = min(similarity(a, b, weights()) for a, b in PARAPHRASES)
    assert high > low + 0.25


def test_identical_texts_score_one_and_similarity_is_symmetric() -> None:
    a, b = PARAPHRASES[0]
    assert similarity(a, a, weights()) == pytest.approx(1.0)
    assert similarity(a, b, weights()) == pytest.approx(similarity(b, a, weights()))


def test_terms_are_words_and_their_inner_bigrams() -> None:
    cut = terms("孙口镇铭功路东段路灯不亮，3号楼 WiFi 2024")
    assert "铭功路" in cut and "铭功" in cut and "功路" in cut and "路灯" in cut
    assert "路灯" in terms("路灯不亮")  # jieba cuts 路 + 灯不亮; the pair is added back
    assert "wifi" in cut
    assert "2024" not in cut and "3" not in cut  # numbers say nothing about the problem
    assert "段路" not in cut  # no bigrams across words (东段 路灯)
    assert terms("") == [] and terms("。。。") == []
    assert terms("孫口鎮路燈") == terms("孙口镇路灯")  # traditional is folded


def test_rare_terms_weigh_more_than_common_ones() -> None:
    w = weights()
    assert w.idf("秸秆") > w.idf("小区") > w.idf("问题")
    assert w.idf("从未见过的词") == w.max_idf
    assert w.idf("您好") < 0.1  # a stop term, whatever the table says


def test_uniform_weights_still_work() -> None:
    assert similarity("路灯不亮", "路灯坏了") > 0
    assert similarity("路灯不亮", "停车收费") == 0.0


def test_the_title_counts_twice() -> None:
    vector = vectorize("夜间出行不便", weights(), title="路灯不亮")
    assert vector["路灯"] > vector["出行"]


def test_weights_round_trip() -> None:
    built = TermWeights.from_texts(["路灯不亮", "路灯坏了", "停车收费"])
    assert built.n_docs == 3 and built.df["路灯"] == 2
    loaded = TermWeights.loads(built.dumps(min_df=1))
    assert loaded.df == built.df and loaded.n_docs == 3
    assert TermWeights.loads("garbage\n,\n__docs__,x\n").df == {}


def test_vectors_round_trip_through_text() -> None:
    vector = truncate(vectorize("孙口镇铭功路路灯不亮", weights()))
    assert loads_vector(dumps_vector(vector)) == pytest.approx(vector, abs=1e-4)
    assert loads_vector("bad x:y :0.5") == {"": 0.5}
    assert cosine(vector, loads_vector(dumps_vector(vector))) == pytest.approx(1.0, abs=1e-3)


def test_signature_and_term_hash() -> None:
    vector = vectorize(PARAPHRASES[0][0], weights())
    sig = signature(vector)
    assert len(sig) == min(SIGNATURE_TERMS, len(vector))
    assert "铭功路" in sig
    assert term_hash("路灯") == term_hash("路灯") and -(2**31) <= term_hash("路灯") < 2**31


def test_the_index_finds_the_same_problem_and_not_others() -> None:
    index: SimilarityIndex[str] = SimilarityIndex(weights())
    for n, (a, _b) in enumerate(PARAPHRASES):
        index.add(f"p{n}", a)
    index.add("u0", "小区物业乱收停车费")
    for n, (_a, b) in enumerate(PARAPHRASES):
        hits = index.query(b, min_score=0.3)
        assert [h.key for h in hits][:1] == [f"p{n}"], b
    assert index.query("完全无关的表扬信，感谢热线") == []
    assert len(index) == len(PARAPHRASES) + 1 and "u0" in index


def test_the_index_forgets_and_replaces() -> None:
    index: SimilarityIndex[int] = SimilarityIndex(weights())
    index.add(1, "铭功路路灯不亮")
    assert [h.key for h in index.query("铭功路的路灯坏了")] == [1]
    index.add(1, "社保卡丢了怎么补办")  # re-adding replaces
    assert index.query("铭功路的路灯坏了") == []
    index.discard(1)
    index.discard(1)  # twice is fine
    assert index.query("社保卡丢了怎么补办") == [] and len(index) == 0
    index.add(2, "")  # empty text: stored, never found
    assert index.query("") == []


def test_the_index_filters_and_limits() -> None:
    index: SimilarityIndex[int] = SimilarityIndex(weights())
    for key in range(5):
        index.add(key, f"铭功路路灯不亮第{key}次")
    hits = index.query("铭功路路灯不亮", limit=2, accept=lambda k: k % 2 == 0)
    assert len(hits) == 2 and all(h.key % 2 == 0 for h in hits)
    assert index.query("铭功路路灯不亮", limit=0) == []


def test_long_and_binary_looking_text() -> None:
    long_text = "铭功路路灯不亮。" * 20_000  # 160,000 characters
    assert len(terms(long_text)) <= MAX_CHARS
    assert similarity(long_text, "铭功路路灯不亮", weights()) > 0.9
    junk = bytes(range(256)).decode("latin-1")
    assert similarity(junk, "铭功路路灯不亮", weights()) == 0.0
    with pytest.raises(TypeError):
        terms(b"\xff\xfe")  # type: ignore[arg-type]


@settings(deadline=None, max_examples=150)
@given(st.text(max_size=200), st.text(max_size=200))
def test_similarity_is_bounded_for_any_text(a: str, b: str) -> None:
    score = similarity(a, b, weights())
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(similarity(b, a, weights()), abs=1e-9)


@settings(deadline=None, max_examples=100)
@given(
    st.lists(st.text(alphabet="铭功路灯不亮坏了停水秸秆😀A1 。", max_size=30), max_size=8),
    st.text(max_size=40),
)
def test_the_index_never_crashes(texts: list[str], probe: str) -> None:
    index: SimilarityIndex[int] = SimilarityIndex(weights())
    for key, text in enumerate(texts):
        index.add(key, text)
    hits = index.query(probe, min_score=0.0)
    assert all(0 <= h.key < len(texts) and 0.0 <= h.score <= 1.0 for h in hits)
