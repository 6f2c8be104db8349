"""知识库: the bigram index, the write services and their permissions, search, the demo seed."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.utils import timezone

from minsheng.org.models import Role
from minsheng.tickets.catalogue import MESSAGE_BOARD_CSV, load_categories
from minsheng.tickets.errors import InvalidInput, NotAllowed, StaleTicket
from minsheng.tickets.knowledge import (
    DEMO_ARTICLES,
    DEMO_REPLIES_CSV,
    article_create,
    article_status,
    article_update,
    bigrams,
    search_articles,
    search_text_for,
    seed_demo_knowledge,
)
from minsheng.tickets.models import Category, KnowledgeArticle
from tests.conftest import Org, make_user

TODAY = dt.date(2026, 6, 1)


def _titles(articles: list[KnowledgeArticle]) -> list[str]:
    return [a.title for a in articles]


# ---------------------------------------------------------------------------------------------
# The index


def test_chinese_runs_become_overlapping_bigrams() -> None:
    assert bigrams("社保卡补办") == "社保 保卡 卡补 补办"


def test_latin_and_digit_runs_stay_words_in_lower_case() -> None:
    assert bigrams("拨打12345或SMS通知") == "拨打 12345 或 sms 通知"


def test_a_one_character_run_is_kept_and_repeats_are_dropped() -> None:
    assert bigrams("水，水费；水费") == "水 水费"


def test_text_is_normalised_first() -> None:
    # Full-width letters and digits fold to ASCII; traditional characters become simplified.
    assert bigrams("ＡＢＣ１２３") == "abc123"
    assert bigrams("社會保險") == bigrams("社会保险") == "社会 会保 保险"


def test_punctuation_and_empty_text_give_nothing() -> None:
    assert bigrams("") == ""
    assert bigrams("，。！？ —— …") == ""


def test_search_text_is_space_bounded_with_aliases_and_no_bigram_across_title_and_body() -> None:
    text = search_text_for(title="社会保障卡", body="补办")
    assert text.startswith(" ") and text.endswith(" ")
    tokens = text.split()
    assert {"社保", "保卡"} <= set(tokens)  # from the alias 社保卡
    assert "卡补" not in tokens  # title and body are separate lines


# ---------------------------------------------------------------------------------------------
# Writes and permissions


@pytest.fixture
def editors(org: Org) -> dict[str, object]:
    return {
        "operator": org.olga,
        "dispatcher": make_user("dina", org.hotline, Role.DISPATCHER),
        "supervisor": make_user("sam", org.hotline, Role.SUPERVISOR),
        "admin": make_user("ada", org.hotline, Role.ADMINISTRATOR),
    }


def test_hotline_staff_may_write_articles(editors: dict[str, object]) -> None:
    for name, user in editors.items():
        article = article_create(actor=user, title=f"{name} 的条目", body="正文")  # type: ignore[arg-type]
        assert article.updated_by == user


def test_leaders_handlers_and_people_without_roles_may_not(org: Org) -> None:
    nobody = make_user("nobody", org.sunkou)
    unit_leader = make_user("ulee", org.sunkou, Role.UNIT_LEADER)
    for user in (org.leader, org.alice, unit_leader, nobody):
        with pytest.raises(NotAllowed, match="没有权限编辑知识库"):
            article_create(actor=user, title="标题", body="正文")
    assert not KnowledgeArticle.objects.exists()


def test_an_inactive_operator_may_not_write(org: Org) -> None:
    org.olga.is_active = False
    org.olga.save()
    with pytest.raises(NotAllowed):
        article_create(actor=org.olga, title="标题", body="正文")


def test_create_fills_the_index_and_strips_the_text(org: Org) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    category = Category.objects.get(full_name="劳动和社会保障/其他/其他")
    article = article_create(
        actor=org.olga,
        title="  社会保障卡补办流程 ",
        body="携带身份证到窗口办理。",
        category=category,
        source="县人社局",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    article.refresh_from_db()
    assert article.title == "社会保障卡补办流程"
    assert article.category == category
    assert " 补办 " in article.search_text and " 窗口 " in article.search_text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "请填写标题"),
        ({"title": "长" * 201}, "title", "标题不能超过 200 个字"),
        ({"body": "   "}, "body", "请填写正文"),
        ({"source": "源" * 201}, "source", "来源不能超过 200 个字"),
        (
            {"valid_from": dt.date(2026, 2, 1), "valid_to": dt.date(2026, 1, 31)},
            "valid_to",
            "失效日期不能早于生效日期",
        ),
        ({"valid_from": "2026-01-01"}, "valid_from", "生效日期不是有效的日期"),
        ({"category": "城乡建设"}, "category", "请选择有效的分类"),
    ],
)
def test_create_refuses_bad_input_in_chinese(org: Org, fields, field, message) -> None:
    values = {"title": "标题", "body": "正文", **fields}
    with pytest.raises(InvalidInput, match=message) as caught:
        article_create(actor=org.olga, **values)
    assert caught.value.field == field
    assert not KnowledgeArticle.objects.exists()


def test_a_title_of_exactly_200_characters_is_fine(org: Org) -> None:
    assert len(article_create(actor=org.olga, title="长" * 200, body="正文").title) == 200


def test_update_changes_the_fields_the_index_and_the_editor(org: Org) -> None:
    article = article_create(actor=org.olga, title="停水报修", body="拨打电话")
    dina = make_user("dina", org.hotline, Role.DISPATCHER)
    updated = article_update(article=article, actor=dina, body="派单至自来水公司")
    assert updated.updated_by == dina
    assert updated.title == "停水报修"
    assert " 派单 " in updated.search_text and " 电话 " not in updated.search_text
    assert KnowledgeArticle.objects.get().body == "派单至自来水公司"


def test_update_validates_like_create(org: Org) -> None:
    article = article_create(
        actor=org.olga, title="标题", body="正文", valid_from=dt.date(2026, 3, 1)
    )
    with pytest.raises(InvalidInput, match="失效日期不能早于生效日期"):
        article_update(article=article, actor=org.olga, valid_to=dt.date(2026, 2, 1))
    with pytest.raises(TypeError):
        article_update(article=article, actor=org.olga, search_text="x")
    assert KnowledgeArticle.objects.get().valid_to is None


def test_update_is_refused_to_readers(org: Org) -> None:
    article = article_create(actor=org.olga, title="标题", body="正文")
    with pytest.raises(NotAllowed):
        article_update(article=article, actor=org.alice, title="改了")
    assert KnowledgeArticle.objects.get().title == "标题"


def test_update_refuses_a_stale_page(org: Org) -> None:
    article = article_create(actor=org.olga, title="标题", body="正文")
    shown = article.updated_at
    article_update(article=article, actor=org.olga, body="别人先改了")
    with pytest.raises(StaleTicket, match="已被他人修改"):
        article_update(article=article, actor=org.olga, body="我的修改", expected_updated_at=shown)
    assert KnowledgeArticle.objects.get().body == "别人先改了"


# ---------------------------------------------------------------------------------------------
# Search


@pytest.fixture
def kb(org: Org) -> dict[str, KnowledgeArticle]:
    load_categories(MESSAGE_BOARD_CSV)

    def add(title: str, body: str, **extra: object) -> KnowledgeArticle:
        return article_create(actor=org.olga, title=title, body=body, **extra)  # type: ignore[arg-type]

    return {
        "card": add(
            "社会保障卡补办流程",
            "本人携带居民身份证到县人社局窗口或合作银行网点办理挂失和补办。",
            category=Category.objects.get(full_name="劳动和社会保障/其他/其他"),
        ),
        "insurance": add(
            "居民医保缴费标准",
            "个人缴费标准以年度征缴公告为准，可通过手机税务 App 缴费。",
            category=Category.objects.get(
                full_name="劳动和社会保障/城镇居民社会保险/城镇居民医疗保险"
            ),
            valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2026, 12, 31),
        ),
        "old_insurance": add(
            "居民医保缴费标准（上一年度）",
            "上一年度的个人缴费标准。",
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2025, 12, 31),
        ),
        "water": add("停水报修", "停水、水压不足：派单至县自来水公司，2 小时内联系群众。"),
        "power": add(
            "停电报修", "拨打供电服务热线 95598，或派单至供电公司。如遇停水，见停水报修。"
        ),
        "hotline": add("12345 热线受理范围", "受理咨询、求助、投诉、举报、建议和表扬。"),
    }


def test_an_abbreviation_finds_the_full_name(kb) -> None:
    assert _titles(search_articles("社保卡", on=TODAY)) == ["社会保障卡补办流程"]


def test_question_words_are_ignored(kb) -> None:
    found = search_articles("请问社保卡怎么补办？", on=TODAY)
    assert _titles(found)[0] == "社会保障卡补办流程"


def test_traditional_and_full_width_queries_match(kb) -> None:
    assert _titles(search_articles("社會保障卡", on=TODAY)) == ["社会保障卡补办流程"]
    assert _titles(search_articles("９５５９８", on=TODAY)) == ["停电报修"]


def test_every_bigram_must_match_when_something_does(kb) -> None:
    # 水压 occurs only in the water article; 停水 occurs in both.
    assert _titles(search_articles("停水 水压", on=TODAY)) == ["停水报修"]


def test_half_the_bigrams_suffice_when_nothing_matches_them_all(kb) -> None:
    # 医保 保缴 缴费 match; 费截 截止 do not: 3 of 5.
    found = search_articles("医保缴费截止", on=TODAY)
    assert _titles(found) == ["居民医保缴费标准"]
    # 医保 保报 报销 销比 比例: 1 of 5 is not enough.
    assert search_articles("医保报销比例", on=TODAY) == []


def test_title_hits_rank_above_body_hits(kb) -> None:
    assert _titles(search_articles("停水", on=TODAY)) == ["停水报修", "停电报修"]


def test_one_character_and_numbers(kb) -> None:
    assert set(_titles(search_articles("水", on=TODAY))) == {"停水报修", "停电报修"}
    assert _titles(search_articles("12345", on=TODAY)) == ["12345 热线受理范围"]


def test_only_articles_valid_on_the_day_are_found(kb) -> None:
    assert _titles(search_articles("医保缴费", on=TODAY)) == ["居民医保缴费标准"]
    assert _titles(search_articles("医保缴费", on=dt.date(2025, 6, 1))) == [
        "居民医保缴费标准（上一年度）"
    ]
    # valid_to is inclusive, valid_from too.
    assert len(search_articles("医保缴费", on=dt.date(2025, 12, 31))) == 1
    assert len(search_articles("医保缴费", on=dt.date(2026, 1, 1))) == 1
    found = search_articles("医保缴费", on=TODAY, include_expired=True)
    assert set(_titles(found)) == {"居民医保缴费标准", "居民医保缴费标准（上一年度）"}


def test_the_default_day_is_today(kb) -> None:
    kb["water"].valid_to = timezone.localdate() - dt.timedelta(days=1)
    kb["water"].save()
    assert "停水报修" not in _titles(search_articles("停水"))
    assert "停水报修" in _titles(search_articles("停水", include_expired=True))


def test_a_category_filter_includes_its_subtree(kb) -> None:
    root = Category.objects.get(full_name="劳动和社会保障")
    found = search_articles("", on=TODAY, category=root)
    assert set(_titles(found)) == {"社会保障卡补办流程", "居民医保缴费标准"}
    assert search_articles("停水", on=TODAY, category=root) == []


def test_an_empty_query_lists_the_most_recently_updated(kb, org: Org) -> None:
    article_update(article=kb["card"], actor=org.olga, source="县人社局")
    found = search_articles("  ", on=TODAY, limit=2)
    assert _titles(found) == ["社会保障卡补办流程", "12345 热线受理范围"]


def test_a_query_of_only_stop_words_lists_recent_articles(kb) -> None:
    assert len(search_articles("怎么办？", on=TODAY, limit=3)) == 3


def test_search_uses_a_fixed_number_of_queries(kb, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(2):  # all-bigram filter, then the half-bigram fallback
        found = search_articles("医保缴费截止", on=TODAY)
    with django_assert_max_num_queries(0):
        [(a.category, a.updated_by) for a in found]


def test_article_status_on_a_day(kb) -> None:
    insurance = kb["insurance"]
    assert article_status(insurance, on=TODAY) == "valid"
    assert article_status(insurance, on=dt.date(2025, 12, 31)) == "pending"
    assert article_status(insurance, on=dt.date(2027, 1, 1)) == "expired"


# ---------------------------------------------------------------------------------------------
# The demo knowledge base


def test_the_demo_replies_ship_with_the_project() -> None:
    with DEMO_REPLIES_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["id", "user", "title", "time", "text", "reply", "reply_time"]
    assert len(rows) == 300
    assert all(row["title"] and row["reply"] for row in rows)


@pytest.mark.django_db
def test_the_demo_seed_is_idempotent_and_searchable() -> None:
    created = seed_demo_knowledge(limit=20)
    assert created == len(DEMO_ARTICLES) + 20
    assert seed_demo_knowledge(limit=20) == 0
    assert seed_demo_knowledge(limit=25) == 5
    assert KnowledgeArticle.objects.count() == len(DEMO_ARTICLES) + 25
    assert all(a.search_text.startswith(" ") for a in KnowledgeArticle.objects.all())

    assert "法定途径" in _titles(search_articles("法定途径 行政复议", on=TODAY))[0]
    # The curated article comes before a board reply that mentions 社保卡 as often.
    assert _titles(search_articles("社保卡", on=TODAY))[0] == "社会保障卡（社保卡）挂失与补办流程"
    assert "停水" in _titles(search_articles("停电", on=TODAY))[0]
    # The 2025 contribution article has expired by 2026; the 2026 one is in force.
    found = _titles(search_articles("居民医保缴费", on=TODAY))
    assert any("2026" in t for t in found) and not any("2025" in t for t in found)
    # A reference answer from the message board.
    assert search_articles("物业管理", on=TODAY)
