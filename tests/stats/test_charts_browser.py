"""The statistics pages in a real browser: ECharts, served locally, draws the charts; the
monthly report prints without the navigation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import People, browser_login
from tests.stats.helpers import Story

pytestmark = pytest.mark.browser

SCREENSHOT = Path(os.environ.get("STATS_SCREENSHOT", "/tmp/stats-units.png"))


@pytest.mark.skipif(
    not (Path(settings.BASE_DIR) / "node_modules" / "echarts" / "dist").is_dir(),
    reason="ECharts not installed: run `make install` (npm ci)",
)
@pytest.mark.django_db(transaction=True)
def test_charts_are_drawn_and_the_report_prints(  # type: ignore[no-untyped-def]
    june: Story, people: People, live_server, browser_page
) -> None:
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    browser_login(page, live_server.url, people.org.leader.username)

    page.goto(f"{live_server.url}/stats/units/?period=month&date=2025-06-01")
    page.wait_for_selector("[data-chart='chart-units'] canvas")
    assert page.evaluate("typeof window.echarts") == "object"
    assert "孙口镇人民政府" in page.inner_text("#table-units")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    # Everything came from this server: no CDN.
    assert all(url.startswith(live_server.url) for url in requests)

    page.goto(f"{live_server.url}/stats/report/?month=2025-06")
    page.emulate_media(media="print")
    assert not page.is_visible("header.topbar")
    assert not page.is_visible("form.stats-filters")
    assert page.is_visible("text=单位综合排名")
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf.startswith(b"%PDF")
