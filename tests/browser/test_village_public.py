"""村务公开 in a real browser at 375×812: a villager goes from the home page to the township list,
opens a village's board, reads a finance statement, proves the phone and asks a question; the
poster renders with a QR code that decodes to the board's address. No page scrolls sideways."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from minsheng.notify.models import Outbox
from minsheng.tickets.models import Ticket
from minsheng.villages.models import Question
from tests.villages.public_helpers import SUNKOU, VILLAGE, committee, places, published, statement

pytestmark = pytest.mark.browser

PHONE = "13912345678"


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def code_for(phone: str) -> str:
    row = Outbox.objects.filter(recipient=phone, template="portal_code_sms").order_by("-id").first()
    assert row is not None
    return str(row.context["code"])


@pytest.mark.django_db(transaction=True)
def test_a_villager_reads_the_board_and_asks_a_question(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    places()
    unit = committee()
    item = published(
        "2026年11月财务收支明细", section="finance", body="本月村集体收支如下，欢迎监督。"
    )
    statement(
        item,
        "12000.00",
        [
            ("income", "上级转移支付（村级组织运转经费）", "5000.00", "记-001", "王会计"),
            ("expense", "村内主街路灯维修更换灯具", "1280.50", "记-002", "李主任"),
            ("expense", "保洁员十一月工资", "1500.00", "记-003", "王会计"),
        ],
    )
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/")
    page.click("text=村务公开")
    page.wait_for_url(re.compile(r".*/h5/villages/$"))
    assert "孙口镇" in page.inner_text("main") and fits(page)
    page.fill("input[name=q]", "skc")
    page.click("button[type=submit]")
    assert "孙口村" in page.inner_text("main") and fits(page)
    page.click(f"a[href='/h5/villages/t/{SUNKOU}/']")
    page.wait_for_url(re.compile(rf".*/h5/villages/t/{SUNKOU}/$"))
    assert "按时" in page.inner_text("main") and fits(page)
    page.click(f"a[href='/h5/villages/{VILLAGE}/']")
    page.wait_for_url(re.compile(rf".*/h5/villages/{VILLAGE}/$"))
    assert "孙口村村务公开栏" in page.inner_text("main") and fits(page)
    page.click("text=2026年11月财务收支明细")
    page.wait_for_url(re.compile(rf".*/items/{item.pk}/$"))
    main = page.inner_text("main")
    assert "期末余额" in main and "14219.50" in main and "村内主街路灯维修更换灯具" in main
    assert fits(page)  # the statement's table scrolls inside its own box, never the page
    assert page.locator(".table-box").is_visible()

    page.click("text=验证手机号后提出质询")
    page.fill("input[name=phone]", PHONE)
    page.click("button[value=send]")
    assert fits(page)
    page.fill("input[name=code]", code_for(PHONE))
    page.click("button[value=check]")
    page.wait_for_url(re.compile(rf".*/items/{item.pk}/#ask$"))
    assert fits(page)
    page.check("input[name=kind][value=query]")
    page.fill("textarea[name=text]", "路灯维修花了1280.50元，换了几盏灯？请村委会说明。")
    page.click("text=提交质询")
    page.wait_for_url(re.compile(r".*/receipt/.+/$"))
    ticket = Ticket.objects.get()
    assert ticket.lead_unit == unit and Question.objects.get().item_id == item.pk
    assert ticket.number in page.inner_text("main") and fits(page)
    page.click("text=返回公开事项")
    main = page.inner_text("main")
    assert "换了几盏灯" in main and "待答复，答复期限" in main and PHONE not in main
    assert fits(page)
    page.click("text=大字模式")
    assert page.evaluate("document.documentElement.classList.contains('big')") and fits(page)


@pytest.mark.django_db(transaction=True)
def test_the_poster_renders_with_a_qr_code_that_decodes(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    places()
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/h5/villages/{VILLAGE}/")
    page.click("text=打印本村二维码海报")
    page.wait_for_url(re.compile(rf".*/h5/villages/{VILLAGE}/poster/$"))
    assert "扫码查看本村村务公开" in page.inner_text("main") and fits(page)
    qr = page.locator("svg.qr")
    assert qr.is_visible()
    shot = Image.open(io.BytesIO(qr.screenshot()))
    found = [r.text for r in zxingcpp.read_barcodes(shot)]
    assert found == [f"{live_server.url}/h5/villages/{VILLAGE}/"]
    # Printed: the header and footer go, the poster stays.
    page.emulate_media(media="print")
    assert not page.locator("header.bar").is_visible()
    assert page.locator("svg.qr").is_visible()
