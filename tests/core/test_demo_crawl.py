"""Every page a demo user can reach by links answers without a server error.

A probe of the whole product as its users meet it: the demo county is seeded, each role's
account signs in and follows the links of its pages two steps deep (GET only, no exports, no
logout); the citizen does the same without signing in. A page may refuse (403/404) or redirect,
never fail: the test client re-raises a view's exception, so a 500 fails with its traceback.
"""

from __future__ import annotations

import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from minsheng.org.models import User

pytestmark = pytest.mark.django_db

# One account per kind of user of the demo (minsheng/core/management/commands/seed_demo.py).
ACCOUNTS = (
    "admin",
    "operator",
    "dispatcher",
    "supervisor",
    "leader",
    "leader-sunkou",
    "h-sunkou",
    "h-tq-slj",
    "clerk-sunkou-201",
    "sunkou-cunwu",
    "station-sunkou",
    "bangfu-sunkou",
)
HREF = re.compile(r'href="([^"]+)"')
# Links that are not pages to read: downloads, printing variants, signing out, the admin site.
SKIP = re.compile(
    r"^/(static|media|admin|logout|api/v1/schema|api/v1/docs)"
    r"|format=|/export|\.xlsx|/template/|/photo|/thumb|/file"
)
PAGES_PER_ACCOUNT = 70


def crawl(
    client: Client,
    start: list[str],
    *,
    depth: int = 2,
    limit: int = PAGES_PER_ACCOUNT,
    within: str = "/",
) -> dict[str, int]:
    """Breadth-first over same-site links from `start` (only those under `within`); returns
    each page's status."""
    seen: dict[str, int] = {}
    queue = deque((url, 0) for url in start)
    while queue and len(seen) < limit:
        url, level = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow=True)  # a home that sends a worker to their ledger
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.redirect_chain:
            url = response.request["PATH_INFO"]
            if response.request.get("QUERY_STRING"):
                url += "?" + response.request["QUERY_STRING"]
        seen[url] = response.status_code
        if level >= depth or response.status_code != 200:
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for raw in HREF.findall(response.content.decode()):
            link = urldefrag(raw.replace("&amp;", "&"))[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith(within) or SKIP.search(link):
                continue
            queue.append((link, level + 1))
    return seen


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_every_account_walks_its_pages_without_a_server_error(demo: None) -> None:
    walked = 0
    for username in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        assert user is not None, f"the demo has no account {username}"
        client = Client()
        client.force_login(user)
        seen = crawl(client, ["/"])
        assert seen["/"] == 200
        walked += len(seen)
    assert walked > len(ACCOUNTS) * 10  # the walk really went somewhere


def test_a_citizen_walks_the_public_pages_without_a_server_error(demo: None) -> None:
    seen = crawl(Client(), ["/", "/h5/"])
    assert seen["/"] == 200
    assert sum(1 for status in seen.values() if status == 200) > 5


def test_the_home_pages_link_nothing_that_answers_not_found(demo: None) -> None:
    """The links of each account's home page lead somewhere it may go (no dead 404 links)."""
    for username in ACCOUNTS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        home = client.get("/").content.decode()
        for raw in HREF.findall(home):
            link = urldefrag(raw.replace("&amp;", "&"))[0]
            if not link.startswith("/") or link.startswith("//") or SKIP.search(link):
                continue
            status = client.get(link).status_code
            assert status != 404, f"{username}'s home links {link}, which answers 404"
