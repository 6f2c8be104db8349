"""The lexicon of callers' words (textproc.lexicon): terms, patterns, segmentation, weights."""

from __future__ import annotations

from minsheng.textproc.lexicon import LeafTerms, Lexicon, leaves_from_paths, strength

LAMP = "市政公用/路灯/路灯不亮"
TRAFFIC = "公安/交通管理/交通违法"
WATER = "市政公用/供水/停水"
FRAUD = "公安/诈骗/电信诈骗"
PHONE = "通信/通信服务/通信网络"


def lexicon() -> Lexicon:
    return Lexicon(
        [
            LeafTerms(LAMP, ("路灯不亮", "路灯"), ("灯坏了", "灯+黑")),
            LeafTerms(TRAFFIC, ("交通违法", "交通管理"), ("红绿灯",)),
            LeafTerms(WATER, ("停水", "供水"), ("没+水", "停水通知")),
            LeafTerms(FRAUD, ("电信诈骗", "诈骗"), ("被骗",)),
            LeafTerms(PHONE, ("通信网络",), ("电信", "信号差")),
        ]
    )


def best(text: str) -> str | None:
    found = lexicon().match(text)
    return found[0].label if found else None


def test_a_leafs_words_name_it() -> None:
    assert best("村里的路灯坏了") == LAMP
    assert best("停水三天了") == WATER
    assert best("我被电信诈骗了") == FRAUD


def test_a_pattern_finds_its_parts_in_order_within_the_window() -> None:
    assert best("我们村口的灯晚上都黑着") == LAMP
    assert best("家里从早上到现在一直没有水") == WATER
    assert best("黑着的那盏灯") is None  # out of order
    assert best("没办法，只好去邻居家借了一桶水") is None  # too far apart


def test_the_longest_term_wins_an_overlap() -> None:
    # 电信诈骗 is fraud, not a complaint about the telephone company; 红绿灯坏了 is a traffic
    # light, not a street lamp.
    found = lexicon().match("被电信诈骗")
    assert [m.label for m in found] == [FRAUD]
    assert best("路口的红绿灯坏了") == TRAFFIC


def test_a_term_counts_once_and_longer_terms_weigh_more() -> None:
    once = lexicon().match("停水停水停水")[0].score
    assert once == lexicon().match("停水")[0].score
    assert lexicon().match("停水通知")[0].score > lexicon().match("停水")[0].score


def test_a_term_shared_by_leaves_tells_less() -> None:
    shared = Lexicon([LeafTerms("a", (), ("乱收费",)), LeafTerms("b", (), ("乱收费", "学费"))])
    only = Lexicon([LeafTerms("a", (), ("乱收费",)), LeafTerms("b", (), ("学费",))])
    assert shared.match("乱收费")[0].score < only.match("乱收费")[0].score
    assert shared.match("学校乱收费学费太高")[0].label == "b"


def test_matches_explain_themselves_and_strength_grows_with_evidence() -> None:
    found = lexicon().match("路灯晚上黑着")
    assert found[0].terms[0] == "路灯" and "灯…黑" in found[0].terms
    assert strength(0) == 0
    assert 0 < strength(1) < strength(3) < strength(10) < 1


def test_normalised_text_matches_full_width_and_traditional() -> None:
    assert best("路燈壞了") == LAMP  # traditional characters


def test_leaves_from_paths_take_the_leaf_and_parent_names() -> None:
    [leaf] = leaves_from_paths([(("市政公用", "供水", "停水"), "没水|断水")])
    assert leaf == LeafTerms(WATER, ("停水", "供水"), ("没水", "断水"))


def test_nothing_to_go_on_is_no_match() -> None:
    assert lexicon().match("") == [] and lexicon().match("😀😀") == []
    assert Lexicon([]).match("停水") == []
