"""集中导入 in headless Chromium at 375×812: an operator uploads a file of collected suggestions,
reads the preview as cards (nothing scrolls sideways), corrects a row's destination and
confirms; the tickets are made once."""

from __future__ import annotations

import pytest

from minsheng.governance.models import IntakeBatch
from minsheng.tickets.models import Channel, Ticket
from tests.conftest import People, browser_login
from tests.governance.intake_helpers import make_setup, sheet

pytestmark = pytest.mark.browser


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= 375"))


@pytest.mark.django_db(transaction=True)
def test_an_operator_previews_and_confirms_on_a_phone(
    people: People, live_server, browser_page, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    make_setup(people)
    path = tmp_path / "收集的意见建议.xlsx"
    path.write_bytes(
        sheet(
            [
                1,
                "孙口镇孙口村",
                "村口路灯已坏了三盏，晚上出行不便，建议维修并增设路灯。",
                "张某某",
                "13800138000",
                "",
                "",
            ],
            [
                2,
                "孙码头村",
                "建议在村委会旁边的文化广场增设健身器材，方便老人锻炼。",
                "李某某",
                "",
                "",
                "",
            ],
            [3, "孙口村", "", "王某某", "", "", ""],
        )
    )
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/governance/intake/")
    assert fits(page)
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    batch = IntakeBatch.objects.get()
    page.wait_for_url(f"{live_server.url}/governance/intake/{batch.pk}/")
    assert "意见建议内容为空" in page.content()
    assert page.input_value("input[name^=place-]") == "孙口镇 · 孙口村委会"
    assert fits(page)
    second = batch.rows.get(number=3)
    page.select_option(f"select[name=destination-{second.pk}]", "skip")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{live_server.url}/governance/intake/{batch.pk}/")
    assert "已转工单" in page.content()
    assert fits(page)
    assert Ticket.objects.filter(channel=Channel.IMPORT).count() == 1
