"""Hot issues: tickets about the same problem grouped, described, ranked."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.textproc.hotspots import HotspotItem, find_hotspots
from minsheng.textproc.similar import TermWeights, vectorize

TERM_DF = Path(__file__).resolve().parents[2] / "minsheng" / "insight" / "data" / "term_df.csv.gz"
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
SUNKOU, HOUMIAO = "410927102000", "410927101000"


@functools.lru_cache(maxsize=1)
def weights() -> TermWeights:
    with gzip.open(TERM_DF, "rt", encoding="utf-8") as handle:
        return TermWeights.loads(handle.read())


LIGHTS = [
    "铭功路路灯坏了，晚上一片漆黑",
    "铭功路东段路灯连续三晚不亮",
    "反映铭功路的路灯不亮，夜里出行不便",
    "铭功路路灯好几天没亮了",
]
STRAW = [
    "村里有人焚烧秸秆，烟很大",
    "附近有人烧秸秆，浓烟呛人",
    "有人在地里烧秸秆，浓烟很大",
]
OTHERS = [
    "社保卡丢了怎么补办",
    "孩子上学的学区怎么划分",
    "小区物业乱收停车费",
    "咨询城乡居民医保缴费标准",
]


def items() -> list[HotspotItem[str]]:
    made = []
    for n, text in enumerate(LIGHTS):
        made.append(
            HotspotItem(f"L{n}", text, T0 + dt.timedelta(days=n), title="路灯不亮", place=SUNKOU)
        )
    for n, text in enumerate(STRAW):
        place = SUNKOU if n == 0 else HOUMIAO
        made.append(HotspotItem(f"S{n}", text, T0 + dt.timedelta(days=n, hours=1), place=place))
    for n, text in enumerate(OTHERS):
        made.append(HotspotItem(f"O{n}", text, T0 + dt.timedelta(days=n, hours=2)))
    return made


def test_tickets_about_one_problem_form_a_group() -> None:
    found = find_hotspots(items(), weights=weights())
    assert [set(h.keys) for h in found] == [{"L0", "L1", "L2", "L3"}, {"S0", "S1", "S2"}]
    lights, straw = found
    assert lights.count == 4 and straw.count == 3
    assert lights.keys == ("L0", "L1", "L2", "L3")  # in time order
    assert lights.first_at == T0 and lights.last_at == T0 + dt.timedelta(days=3)
    assert lights.places == ((SUNKOU, 4),) and lights.place == SUNKOU
    assert straw.place == HOUMIAO and dict(straw.places) == {HOUMIAO: 2, SUNKOU: 1}


def test_a_group_says_what_it_is_about() -> None:
    lights, straw = find_hotspots(items(), weights=weights())
    assert "铭功路" in lights.top_words and "路灯" in lights.top_words
    assert "秸秆" in straw.top_words
    assert not {"反映", "问题"} & set(lights.top_words)  # stopwords
    assert len(lights.examples) == 3 and set(lights.examples) <= set(lights.keys)
    assert lights.label == "路灯不亮"  # the central example's title
    assert straw.label == STRAW[straw.keys.index(straw.examples[0])][:30]


def test_by_place_keeps_townships_apart() -> None:
    found = find_hotspots(items(), weights=weights(), by_place=True, min_size=2)
    groups = [set(h.keys) for h in found]
    assert {"L0", "L1", "L2", "L3"} in groups
    assert {"S1", "S2"} in groups and not any("S0" in g for g in groups)


def test_size_limit_and_ordering() -> None:
    assert find_hotspots(items(), weights=weights(), min_size=4)[0].count == 4
    assert len(find_hotspots(items(), weights=weights(), min_size=4)) == 1
    assert find_hotspots(items(), weights=weights(), limit=1)[0].count == 4
    assert find_hotspots(items(), weights=weights(), min_size=10) == []
    assert find_hotspots([], weights=weights()) == []


def test_stored_vectors_give_the_same_groups() -> None:
    with_vectors = [
        HotspotItem(
            i.key,
            "",
            i.at,
            title="",
            place=i.place,
            vector=vectorize(i.text, weights(), title=i.title),
        )
        for i in items()
    ]
    assert [h.keys for h in find_hotspots(with_vectors, weights=weights())] == [
        h.keys for h in find_hotspots(items(), weights=weights())
    ]


def test_empty_texts_are_never_grouped() -> None:
    empty = [HotspotItem(n, "", T0) for n in range(5)] + [HotspotItem(9, "😀😀", T0)]
    assert find_hotspots(empty, weights=weights(), min_size=2) == []


@settings(deadline=None, max_examples=60)
@given(st.lists(st.sampled_from([*LIGHTS, *STRAW, *OTHERS, "", "😀", "\x00abc"]), max_size=25))
def test_groups_partition_some_of_the_items(texts: list[str]) -> None:
    made = [HotspotItem(n, text, T0 + dt.timedelta(minutes=n)) for n, text in enumerate(texts)]
    found = find_hotspots(made, weights=weights(), min_size=2, limit=100)
    seen = [key for h in found for key in h.keys]
    assert len(seen) == len(set(seen))  # no ticket in two groups
    assert all(h.count >= 2 and h.first_at <= h.last_at for h in found)
    counts = [h.count for h in found]
    assert counts == sorted(counts, reverse=True)
