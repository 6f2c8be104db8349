"""Every form the demo's users can reach takes bad input without a server error.

The forms are found as the users find them (the links of their pages, tests/core/test_demo_crawl
.py); each is sent empty, then with every field holding junk: text where a number is wanted,
a negative number, a date that is not one, far too long a text, a NUL-free control character.
A form may refuse (200 with its errors, 400, 403, 404, 409) or redirect, never fail: the test
client re-raises a view's exception, so a 500 fails with its traceback.
"""

from __future__ import annotations

import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from minsheng.org.models import User
from tests.core.test_demo_crawl import crawl

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "admin",
    "dispatcher",
    "h-sunkou",
    "leader-sunkou",
    "clerk-sunkou-201",
    "station-sunkou",
    "bangfu-sunkou",
)
# Each app's home as well as the user's: a walk from "/" alone spends itself on tickets.
STARTS = (
    "/",
    "/facilities/",
    "/incidents/",
    "/assistance/",
    "/governance/",
    "/governance/points/",
    "/governance/villages/",
    "/villages/",
)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)
# Forms that end the session or leave the site are not probed.
SKIP_ACTION = re.compile(r"/logout|/i18n/|/accounts/password")
JUNK = ("abc", "-1", "2026-13-45", "字" * 5000, "\x01")


def forms_of(html: str, url: str) -> list[tuple[str, list[str]]]:
    found = []
    for attrs_raw, body in FORM.findall(html):
        attrs = dict(ATTR.findall(attrs_raw))
        if attrs.get("method", "get").lower() != "post":
            continue
        action = unescape(attrs.get("action") or url)
        if not action.startswith("/") or SKIP_ACTION.search(action):
            continue
        names = []
        for _tag, field_raw in FIELD.findall(body):
            field = dict(ATTR.findall(field_raw))
            if field.get("name") and field.get("type") not in {"submit", "button", "file"}:
                names.append(field["name"])
        found.append((action, names))
    return found


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_every_form_takes_junk_without_a_server_error(demo: None) -> None:
    probed: set[tuple[str, str]] = set()
    for username in ACCOUNTS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages: dict[str, int] = {}
        for start in STARTS:
            pages.update(crawl(client, [start], depth=3, limit=30, within=start))
        for url, status in pages.items():
            if status != 200:
                continue
            html = client.get(url).content.decode()
            for action, names in forms_of(html, url):
                # One form of a kind is enough: the same action on another ticket is the same code.
                kind = (username, re.sub(r"\d+", "N", action))
                if kind in probed:
                    continue
                probed.add(kind)
                response = client.post(action, {})
                assert response.status_code < 500, f"{username} POST {action} (empty)"
                for junk in JUNK:
                    response = client.post(action, dict.fromkeys(names, junk))
                    assert response.status_code < 500, f"{username} POST {action} {junk[:5]!r}"
    assert len({kind for _, kind in probed}) > 40  # the probe found the forms
