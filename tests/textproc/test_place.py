"""Place matching on the real names of 台前县 (the demo county's division data)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.textproc.place import (
    PRESELECT_MIN,
    Division,
    FormKind,
    Gazetteer,
    Landmark,
    surface_forms,
)

DATA = Path(__file__).resolve().parents[2] / "minsheng" / "org" / "data" / "divisions-410927"
COUNTY = "410927000000"
SUNKOU = "410927102000"
SUNKOU_VILLAGE = "410927102201"  # 孙口村委会
SUNKOU_GAOZHUANG = "410927102223"  # 高庄村委会 in 孙口镇 (another one is in 侯庙镇)
XISUNKOU = "410927101231"  # 西孙口村委会, 侯庙镇
HOUMIAO = "410927101000"
WUBA_DONGZHANG = "410927105236"  # 东张村委会, 吴坝镇
HOUFANG = "410927200000"
HOUFANG_DONGZHANG = "410927200226"  # 东张村委会, 后方乡
TAIQIAN_VILLAGE = "410927100201"  # 台前村委会, 城关镇
QIANWANGJI = "410927201237"  # 前王集村委会, 清水河乡


def county_rows() -> list[tuple[str, str, int, str | None]]:
    rows: list[tuple[str, str, int, str | None]] = [
        ("410000000000", "河南省", 1, None),
        ("410900000000", "濮阳市", 2, "410000000000"),
        (COUNTY, "台前县", 3, "410900000000"),
    ]
    with (DATA / "streets.csv").open(encoding="utf-8") as handle:
        rows += [(r["code"].ljust(12, "0"), r["name"], 4, COUNTY) for r in csv.DictReader(handle)]
    with (DATA / "villages.csv").open(encoding="utf-8") as handle:
        rows += [
            (r["code"], r["name"], 5, r["streetCode"].ljust(12, "0"))
            for r in csv.DictReader(handle)
        ]
    return rows


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(
        county_rows(), [Landmark("铭功路", SUNKOU, "road"), ("前进市场", SUNKOU_VILLAGE)]
    )


def codes(text: str) -> list[str]:
    return [c.code for c in gazetteer().match(text).candidates]


def best(text: str) -> str | None:
    found = gazetteer().match(text).best
    return found.code if found else None


def test_the_fixture_is_the_real_county() -> None:
    names = {d.name: d.code for d in gazetteer().divisions.values()}
    assert names["孙口镇"] == SUNKOU and len(gazetteer()) > 380
    assert gazetteer().divisions[QIANWANGJI].name == "前王集村委会"


def test_it_finds_a_township_by_its_name() -> None:
    match = gazetteer().match("孙口镇执法大队在巡逻")
    assert match.best is not None and match.best.code == SUNKOU
    assert match.best.name == "孙口镇" and match.best.level == 4
    assert match.best.matched == ("孙口镇",)


@pytest.mark.parametrize("text", ["孙口村委会门口有垃圾", "孙口村路灯不亮", "孙口村民委员会"])
def test_a_village_is_found_by_its_official_or_everyday_name(text: str) -> None:
    match = gazetteer().match(text)
    assert match.best is not None and match.best.code == SUNKOU_VILLAGE
    assert match.best.township_code == SUNKOU
    # The township comes with it, as a weaker candidate (it is implied, not named).
    assert codes(text)[:2] == [SUNKOU_VILLAGE, SUNKOU]


def test_a_landmark_names_its_township() -> None:
    match = gazetteer().match("铭功路东段路灯连续三晚不亮")
    assert match.best is not None and match.best.code == SUNKOU
    assert match.best.matched == ("铭功路",)


def test_a_landmark_can_point_at_a_village() -> None:
    assert best("前进市场门口占道经营") == SUNKOU_VILLAGE


def test_longest_match_wins() -> None:
    # 西孙口村 is a village of 侯庙镇, not 孙口村 with a stray 西.
    assert best("西孙口村的路坏了") == XISUNKOU
    assert SUNKOU_VILLAGE not in codes("西孙口村的路坏了")
    # 台前县 is the county, not the village 台前 followed by 县.
    assert codes("台前县人民政府") == []
    assert best("城关镇台前村") == TAIQIAN_VILLAGE


def test_a_village_inside_the_named_township_scores_up() -> None:
    alone = gazetteer().match("孙口村路灯不亮").candidates[0]
    together = gazetteer().match("孙口镇孙口村路灯不亮").candidates[0]
    assert alone.code == together.code == SUNKOU_VILLAGE
    assert together.score > alone.score


def test_scores_favour_official_then_everyday_names_then_stems() -> None:
    full = gazetteer().match("孙口村委会").candidates[0].score
    everyday = gazetteer().match("孙口村").candidates[0].score
    landmark = gazetteer().match("铭功路").candidates[0].score
    stem = gazetteer().match("孙口这边").candidates[0].score
    assert full > everyday > landmark > stem
    assert stem < PRESELECT_MIN  # a bare stem is offered, never pre-selected
    assert best("孙口这边") is None and codes("孙口这边") == [SUNKOU]


def test_candidates_are_ordered_by_score() -> None:
    candidates = gazetteer().match("孙口镇高庄村和侯庙镇").candidates
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 for s in scores)


def test_a_name_shared_by_two_villages_is_ambiguous_until_the_township_says() -> None:
    match = gazetteer().match("东张村有人焚烧秸秆")
    assert {WUBA_DONGZHANG, HOUFANG_DONGZHANG} <= {c.code for c in match.candidates}
    assert match.best is None  # two equally likely villages: the operator chooses
    assert best("后方乡东张村有人焚烧秸秆") == HOUFANG_DONGZHANG


def test_a_two_character_stem_needs_its_township_in_the_text() -> None:
    assert SUNKOU_GAOZHUANG not in codes("高庄那边有人倒垃圾")
    assert best("孙口镇高庄那边有人倒垃圾") == SUNKOU_GAOZHUANG
    # The township of another 高庄 does not help this one.
    assert SUNKOU_GAOZHUANG not in codes("侯庙镇高庄那边有人倒垃圾")


def test_conflicting_places_are_not_preselected() -> None:
    match = gazetteer().match("孙口镇前王集村委会")  # 前王集 is in 清水河乡
    assert {SUNKOU, QIANWANGJI} <= {c.code for c in match.candidates}
    assert match.best is None


def test_a_village_of_the_best_township_is_preselected_when_sure() -> None:
    assert best("孙口镇高庄村委会") == SUNKOU_GAOZHUANG


def test_traditional_full_width_and_pinyin_annotated_text() -> None:
    assert best("孫口鎮孫口村") == SUNKOU_VILLAGE
    assert best("孙(sūn)口镇(kǒuzhèn)的大街小巷") == SUNKOU
    assert best("孙口 镇") == SUNKOU  # a stray space


def test_the_seed_report_names_sunkou_and_its_road() -> None:
    seed = "台前县孙口镇:暖心守护践初心 当巡逻至铭功路时,一辆货车在行驶过程中"
    match = gazetteer().match(seed)
    assert match.best is not None and match.best.code == SUNKOU
    assert set(match.best.matched) == {"孙口镇", "铭功路"}


def test_surface_forms() -> None:
    village = surface_forms(Division("1", "孙口村委会", 5, "2"))
    assert village["孙口村委会"] is FormKind.FULL
    assert village["孙口村"] is FormKind.SUFFIXED and village["孙口"] is FormKind.STEM
    community = surface_forms(Division("1", "文化路社区居委会", 5, "2"))
    assert community["文化路社区"] is FormKind.SUFFIXED and "文化路村" not in community
    town = surface_forms(Division("1", "孙口镇", 4, "2"))
    assert town == {"孙口镇": FormKind.FULL, "孙口乡": FormKind.SUFFIXED, "孙口": FormKind.STEM}
    street = surface_forms(Division("1", "城南街道", 4, "2"))
    assert street["城南街道办事处"] is FormKind.SUFFIXED
    assert "王" not in surface_forms(Division("1", "王村委会", 5, "2"))  # one character: no stem
    assert surface_forms(Division("1", "", 5, "2")) == {}


def test_empty_and_odd_input() -> None:
    for text in ["", "   ", "\x00\x01", "🚧🚧🚧", "abc 123", "\ud800孙口镇"]:
        match = gazetteer().match(text)
        assert all(c.score > 0 for c in match.candidates)
    assert best("\ud800孙口镇") == SUNKOU
    assert best("🚧孙口镇🚧") == SUNKOU
    with pytest.raises(TypeError):
        gazetteer().match(b"\xe5\xad\x99\xe5\x8f\xa3\xe9\x95\x87")  # type: ignore[arg-type]


def test_a_very_long_text_is_read_up_to_the_scan_limit() -> None:
    text = "孙口镇铭功路" + "路灯不亮。" * 20_000  # 100,006 characters
    assert best(text) == SUNKOU
    assert best("无关的话。" * 20_000 + "孙口镇") is None  # past the limit


def test_an_empty_gazetteer_finds_nothing() -> None:
    empty = Gazetteer([])
    assert empty.match("孙口镇").candidates == () and len(empty) == 0
    # Landmarks pointing at unknown divisions are ignored, not errors.
    assert Gazetteer([], [("铭功路", SUNKOU)]).match("铭功路").candidates == ()


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=300))
def test_any_text_gives_sane_candidates(text: str) -> None:
    match = gazetteer().match(text, limit=10)
    scores = [c.score for c in match.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 for s in scores)
    assert match.best is None or match.best.code in gazetteer().divisions
    assert all(c.level in (4, 5) for c in match.candidates)


@settings(deadline=None, max_examples=100)
@given(
    st.lists(
        st.sampled_from(
            ["孙口镇", "孙口村", "高庄", "铭功路", "东张村", "台前县", "路灯", "。", "😀", "孫"]
        ),
        max_size=12,
    )
)
def test_place_words_in_any_order(parts: list[str]) -> None:
    match = gazetteer().match("".join(parts))
    if match.best is not None:
        assert match.best.score >= PRESELECT_MIN
