"""村务公开 on the phone: county → township → village, the search by pinyin initials, the
township's supervision overview, a board with its sections, corrections and older years, an
item with its finance statement; nothing personal on any of them; fixed query counts."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minsheng.textproc.pii import id_check_character
from minsheng.villages import selectors
from minsheng.villages.models import Board, Item, ItemFile
from minsheng.villages.services import items
from tests.villages.public_helpers import (
    HOUMIAO,
    SUNKOU,
    VILLAGE,
    WHARF,
    correction,
    places,
    published,
    statement,
)

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_county_lists_its_townships_and_finds_villages_by_name_or_initials(
    client: Client,
) -> None:
    places()
    html = page(client, "/h5/villages/")
    assert "孙口镇" in html and "侯庙镇" in html
    assert "城关镇" not in html  # another county's
    assert f"/h5/villages/t/{SUNKOU}/" in html
    found = page(client, "/h5/villages/?q=skc")
    assert f'href="/h5/villages/{VILLAGE}/"' in found and "孙口村" in found
    assert f'href="/h5/villages/{WHARF}/"' not in found  # 孙码头村 is smtc
    assert f'href="/h5/villages/{WHARF}/"' in page(client, "/h5/villages/?q=SMT")
    assert f'href="/h5/villages/{WHARF}/"' in page(client, "/h5/villages/?q=孙码头")
    assert "没有找到这个村" in page(client, "/h5/villages/?q=zzzz")
    # The home page leads here.
    assert 'href="/h5/villages/"' in page(client, "/")


def test_the_township_shows_each_villages_last_publication_and_what_is_late(
    client: Client,
) -> None:
    places()
    published("2026年11月村务公开", at=timezone.make_aware(dt.datetime(2026, 11, 30, 10)))
    Board.objects.filter(pk=WHARF).update(
        late_sections="affairs,finance", late_since=dt.date(2026, 10, 16)
    )
    html = page(client, f"/h5/villages/t/{SUNKOU}/")
    text = text_of(html)
    assert "孙口村" in text and "孙码头村" in text and "代庄村" in text
    assert "侯庙村" not in text
    assert "逾期：村务公开、财务公开 自 2026-10-16" in text
    assert "按时" in text
    assert "最近公开 2026-11-30" in text
    assert "尚未公开" in text  # 代庄村
    assert "1 个村有栏目逾期未公开" in text
    # The county page counts the late villages per township.
    assert "1 个村逾期未公开" in text_of(page(client, "/h5/villages/"))
    # Not a township of this county, or not a township: 404.
    page(client, "/h5/villages/t/410928100000/", 404)
    page(client, f"/h5/villages/t/{VILLAGE}/", 404)
    page(client, "/h5/villages/t/abc/", 404)
    assert "侯庙村" in text_of(page(client, f"/h5/villages/t/{HOUMIAO}/"))


def test_a_board_shows_published_items_newest_first_by_section(client: Client) -> None:
    places()
    now = timezone.now()
    older = published("十月党员活动", section="party", at=now - dt.timedelta(days=40))
    newer = published("十一月党员活动", section="party", at=now - dt.timedelta(days=5))
    published("低保评议结果", section="affairs", period_kind="immediate")
    items.create_draft(
        village_code=VILLAGE,
        section="finance",
        title="还没审核的草稿",
        period_kind="month",
        period_day=now.date(),
        body="",
        actor=None,
    )
    published("别村的公开", village=WHARF)
    html = page(client, f"/h5/villages/{VILLAGE}/")
    text = text_of(html)
    assert "孙口村村务公开栏" in text and "孙口镇" in text
    assert "还没审核的草稿" not in text and "别村的公开" not in text
    for label in ("党务公开", "村务公开", "财务公开", "其他"):
        assert f"<h2>{label}</h2>" in html
    assert html.index("十一月党员活动") < html.index("十月党员活动")
    assert f"/h5/villages/{VILLAGE}/items/{newer.pk}/" in html
    assert f"/h5/villages/{VILLAGE}/items/{older.pk}/" in html
    # The period label and the display window.
    assert f"{newer.period_start.year}年{newer.period_start.month}月" in text
    assert "公示" in text
    # Unknown or foreign villages: 404.
    page(client, "/h5/villages/410928100201/", 404)
    page(client, "/h5/villages/410927102999/", 404)
    page(client, f"/h5/villages/{SUNKOU}/", 404)  # a township is not a board


def test_corrections_are_marked_on_both_versions(client: Client) -> None:
    places()
    when = timezone.make_aware(dt.datetime(2026, 11, 5, 9))
    original = published("2026年10月财务公开", section="finance", at=when - dt.timedelta(days=20))
    fixed = correction(original, "2026年10月财务公开（更正）", "修路支出金额录入有误", at=when)
    html = page(client, f"/h5/villages/{VILLAGE}/?year=2026")
    assert "已更正 于 2026-11-05" in html
    assert f'href="/h5/villages/{VILLAGE}/items/{fixed.pk}/">已更正' in html
    assert "修路支出金额录入有误" in html
    original_page = text_of(page(client, f"/h5/villages/{VILLAGE}/items/{original.pk}/"))
    assert "本项已更正 于 2026-11-05" in original_page
    fixed_html = page(client, f"/h5/villages/{VILLAGE}/items/{fixed.pk}/")
    assert "更正说明" in fixed_html and "修路支出金额录入有误" in fixed_html
    assert f'href="/h5/villages/{VILLAGE}/items/{original.pk}/"' in fixed_html
    # A correction still in draft marks nothing.
    draft = Item.objects.create(
        board_id=VILLAGE,
        section="finance",
        title="草稿更正",
        period_kind="month",
        period_start=fixed.period_start,
        period_end=fixed.period_end,
        supersedes=fixed,
        version=3,
    )
    assert "本项已更正" not in text_of(page(client, f"/h5/villages/{VILLAGE}/items/{fixed.pk}/"))
    page(client, f"/h5/villages/{VILLAGE}/items/{draft.pk}/", 404)


def test_older_items_are_read_by_year(client: Client) -> None:
    places()
    now = timezone.now()
    published("最近的公开", at=now - dt.timedelta(days=3))
    old = published("三年前的公开", at=now - dt.timedelta(days=3 * 365 + 30))
    html = page(client, f"/h5/villages/{VILLAGE}/")
    assert "最近的公开" in html and "三年前的公开" not in html
    year = timezone.localtime(old.published_at).year  # type: ignore[arg-type]
    assert f'href="?year={year}"' in html
    by_year = page(client, f"/h5/villages/{VILLAGE}/?year={year}")
    assert "三年前的公开" in by_year and "最近的公开" not in by_year
    # A bad year is the recent view, not an error.
    assert "最近的公开" in page(client, f"/h5/villages/{VILLAGE}/?year=abcd")


def test_an_item_shows_its_finance_statement_files_and_the_wall_photo(client: Client) -> None:
    places()
    item = published("2026年11月财务收支", section="finance", body="本月收支如下。")
    statement(
        item,
        "12000.00",
        [
            ("income", "上级转移支付", "5000.00", "记-001", "王会计"),
            ("expense", "村道路灯维修", "1280.50", "记-002", "李主任"),
            ("expense", "保洁员工资", "1500.00", "记-003", "王会计"),
        ],
    )
    photo = ItemFile.objects.create(
        board_id=VILLAGE,
        item=item,
        kind=ItemFile.Kind.PHOTO,
        file="villages/x.jpg",
        content_type="image/jpeg",
        size=10,
        original_name="发票.jpg",
    )
    wall = ItemFile.objects.create(
        board_id=VILLAGE,
        kind=ItemFile.Kind.WALL,
        file="villages/wall.jpg",
        content_type="image/jpeg",
        size=10,
        original_name="公开栏.jpg",
    )
    html = page(client, f"/h5/villages/{VILLAGE}/items/{item.pk}/")
    text = text_of(html)
    for shown in (
        "期初余额",
        "12000.00",
        "5000.00",
        "2780.50",
        "14219.50",
        "村道路灯维修",
        "记-002",
    ):
        assert shown in text, shown
    assert 'class="table-box"' in html  # the table scrolls inside its own box
    assert f'src="/villages/files/{photo.pk}/"' in html
    assert f'href="/villages/files/{wall.pk}/"' in html
    assert "公开栏实景照片" in html
    assert f'href="/villages/files/{wall.pk}/"' in page(client, f"/h5/villages/{VILLAGE}/")
    # Another village's address for the same item: 404.
    page(client, f"/h5/villages/{WHARF}/items/{item.pk}/", 404)


def _phones(rng: random.Random) -> list[str]:
    out = []
    for _ in range(4):
        digits = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
        out += [
            digits,
            f"{digits[:3]} {digits[3:7]} {digits[7:]}",
            f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
        ]
    return out


def _id_number(rng: random.Random) -> str:
    first17 = (
        "410927"
        + f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        + f"{rng.randint(0, 999):03d}"
    )
    return first17 + id_check_character(first17)


def test_no_phone_or_id_number_on_any_public_page(client: Client) -> None:
    places()
    rng = random.Random(21)
    phones = _phones(rng)
    ids = [_id_number(rng) for _ in range(3)]
    body = "低保评议：" + "；".join(
        f"户主联系电话{p}，身份证{i}" for p, i in zip(phones, ids * 4, strict=False)
    )
    item = published(f"低保评议 {phones[0]}", section="affairs", body=body)
    statement(item, "0.00", [("income", f"收到{phones[1]}转账", "10.00", "记1", ids[0])])
    correction(item, "低保评议（更正）", f"更正电话{phones[2]}")
    urls = [
        "/h5/villages/",
        f"/h5/villages/t/{SUNKOU}/",
        f"/h5/villages/{VILLAGE}/",
        f"/h5/villages/{VILLAGE}/items/{item.pk}/",
        f"/h5/villages/{VILLAGE}/poster/",
    ]
    for url in urls:
        html = page(client, url)
        squeezed = re.sub(r"[\s\-]", "", html)
        for secret in [*phones, *ids]:
            assert secret not in html, (url, secret)
            assert re.sub(r"[\s\-]", "", secret) not in squeezed, (url, secret)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page(client, url)
    return len(ctx.captured_queries)


def test_pages_cost_a_fixed_number_of_queries(client: Client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    """Ten years of monthly items in four sections (480) cost what one costs."""
    places()
    first = published("一项", section="finance")
    statement(first, "0.00", [("income", "拨款", "1.00", "", "")])
    published("2020年的一项", at=timezone.make_aware(dt.datetime(2020, 6, 1, 10)))
    urls = [
        "/h5/villages/",
        f"/h5/villages/t/{SUNKOU}/",
        f"/h5/villages/{VILLAGE}/",
        f"/h5/villages/{VILLAGE}/?year=2020",
        f"/h5/villages/{VILLAGE}/items/{first.pk}/",
        f"/h5/villages/{VILLAGE}/poster/",
    ]
    page(client, urls[0])  # the county's names are read once per process
    small = {url: _queries(client, url) for url in urls}
    now = timezone.now()
    board = Board.objects.get(pk=VILLAGE)
    rows = []
    for month in range(120):
        at = now - dt.timedelta(days=30 * month + 1)
        for section in ("party", "affairs", "finance", "other"):
            rows.append(
                Item(
                    board=board,
                    section=section,
                    title=f"{section} {month}",
                    period_kind="month",
                    period_start=at.date().replace(day=1),
                    period_end=at.date(),
                    status="published",
                    published_at=at,
                )
            )
    Item.objects.bulk_create(rows)
    big = {url: _queries(client, url) for url in urls}
    assert big == small
    # Pinned: the board page is the board (with its village and township), its items, their
    # corrections, the earliest item and the wall photo; the item page is the board, the wall
    # photo, the item, its corrections, files, statement, lines and questions.
    expected = {
        f"/h5/villages/{VILLAGE}/": 5,
        f"/h5/villages/{VILLAGE}/items/{first.pk}/": 8,
        f"/h5/villages/t/{SUNKOU}/": 2,
        "/h5/villages/": 2,
    }
    for url, n in expected.items():
        with django_assert_num_queries(n):
            page(client, url)
    html = page(client, f"/h5/villages/{VILLAGE}/")
    assert html.count('class="title"') <= selectors.BOARD_LIMIT
    # Every 30 days for 365 days: 13 items a section, and the first one.
    assert html.count('class="title"') == 4 * 13 + 1


@pytest.mark.postgres
def test_the_board_reads_its_index(client: Client) -> None:
    """The board's query is the shape of villages_item_board_pub (board, -published_at, where
    published): PostgreSQL answers it from that index."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    places()
    published("一项")
    since = timezone.now() - dt.timedelta(days=365)
    query = (
        Item.objects.filter(board_id=VILLAGE, status="published", published_at__gte=since)
        .defer("body")
        .order_by("-published_at", "-pk")[:201]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = query.explain()
    assert "villages_item_board_pub" in plan
