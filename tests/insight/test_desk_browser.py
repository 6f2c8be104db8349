"""The desk's text helpers in a real browser: the place is pre-selected from the description,
and an open ticket about the same problem shows up as a merge candidate."""

from __future__ import annotations

import pytest

from minsheng.org.demo import DIVISIONS_DIR
from minsheng.org.divisions_import import import_divisions
from tests.conftest import People, browser_login
from tests.insight.conftest import SUNKOU, SUNKOU_VILLAGE, indexed_ticket

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_desk_reads_the_place_and_finds_the_same_problem(
    people: People, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    import_divisions([DIVISIONS_DIR])
    earlier = indexed_ticket(
        people, title="路灯不亮", description="孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。"
    )
    page = browser_page
    browser_login(page, live_server.url, people.operator.username)
    page.goto(f"{live_server.url}/desk/new")
    page.keyboard.type("路灯坏了")
    page.keyboard.press("Tab")
    page.keyboard.type("孙口村委会旁边铭功路的路灯坏了好几天了，晚上走路不方便")
    page.wait_for_selector(f"#place-guess button[data-best][data-code='{SUNKOU_VILLAGE}']")
    page.wait_for_function(
        f"document.querySelector('select[name=village]').value === '{SUNKOU_VILLAGE}'"
    )
    assert page.input_value("select[name=township]") == SUNKOU
    page.wait_for_selector(f"#similar-slot .text-similar a:has-text('{earlier.number}')")
