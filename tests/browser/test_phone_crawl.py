"""Every page a phone user of the demo reaches by links fits 375 px: no sideways scrolling.

The charter's "phones first": citizens and field staff (a township's handler, its leader, a
village clerk, a station worker) use Minsheng on a phone. Their pages are found the way they
would find them — the links of their pages, two steps from home (tests/core/test_demo_crawl.py) —
and each is opened in headless Chromium at 375×812, where the document may not be wider than
the screen. The failures are listed all at once, so one run names every page to fix.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from minsheng.org.models import User
from tests.browser.test_portal_browser import fits
from tests.core.test_demo_crawl import crawl

pytestmark = pytest.mark.browser

PHONE_ACCOUNTS = ("h-sunkou", "leader-sunkou", "clerk-sunkou-201", "station-sunkou")


def wide_pages(page, base_url: str, urls: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    wide = []
    for url in urls:
        page.goto(f"{base_url}{url}")
        if not fits(page):
            width = page.evaluate("document.documentElement.scrollWidth")
            wide.append(f"{url} ({width} px)")
    return wide


@pytest.mark.django_db(transaction=True)
def test_the_phone_users_pages_fit_375_px(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", stdout=StringIO())
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
    wide: list[str] = []

    citizen_pages = [u for u, status in crawl(Client(), ["/", "/h5/"]).items() if status == 200]
    wide += wide_pages(page, live_server.url, citizen_pages)
    for username in PHONE_ACCOUNTS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages = [u for u, status in crawl(client, ["/"]).items() if status == 200]
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
        wide += [f"{username}: {w}" for w in wide_pages(page, live_server.url, pages)]
    assert not wide, "pages wider than 375 px:\n" + "\n".join(wide)
