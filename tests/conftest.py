"""Shared fixtures: a tiny organisation with people who must and must not see things.

Alice handles for 孙口镇 (and so sees its 执法中队); Bob handles for 侯庙镇; Olga is a hotline
operator who sees everything. "Bob should have no access to Alice's stuff."
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from minsheng.lib.snapshot import forget_all
from minsheng.org.models import Role, RoleGrant, Unit, User

PASSWORD = "correct-horse-battery"


@dataclass
class Org:
    hotline: Unit
    sunkou: Unit
    sunkou_team: Unit
    houmiao: Unit
    alice: User  # handler, 孙口镇
    bob: User  # handler, 侯庙镇
    olga: User  # operator, hotline
    leader: User  # leader, hotline


def make_user(username: str, unit: Unit | None, *roles: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, unit=unit)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


@pytest.fixture
def org(db: None) -> Org:
    hotline = Unit.objects.create(code="hotline", name="12345热线中心", kind=Unit.Kind.HOTLINE)
    sunkou = Unit.objects.create(code="sunkou", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP)
    team = Unit.objects.create(
        code="sunkou-nc1", name="孙口镇执法大队农村一中队", kind=Unit.Kind.TEAM, parent=sunkou
    )
    houmiao = Unit.objects.create(code="houmiao", name="侯庙镇人民政府", kind=Unit.Kind.TOWNSHIP)
    return Org(
        hotline=hotline,
        sunkou=sunkou,
        sunkou_team=team,
        houmiao=houmiao,
        alice=make_user("alice", sunkou, Role.HANDLER),
        bob=make_user("bob", houmiao, Role.HANDLER),
        olga=make_user("olga", hotline, Role.OPERATOR),
        leader=make_user("lee", hotline, Role.LEADER),
    )


@pytest.fixture(autouse=True)
def no_triage_model(
    settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No category classifier unless a test trains one: a model someone trained into var/
    must not change what pages show (or how many queries they make) in other tests."""
    path = tmp_path_factory.getbasetemp() / "no-triage-model.joblib"
    settings.MINSHENG_TRIAGE_MODEL = path  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def no_cached_options() -> None:
    """The search form caches its options per process (tickets.forms.OptionsCache); a test's
    categories and units are rolled back without a signal, so start every test afresh."""
    from minsheng.tickets.forms import clear_options_caches

    clear_options_caches()


@pytest.fixture(autouse=True)
def fresh_snapshots() -> None:
    """Per-process snapshots (deadline policies, categories, the Open311 catalogue) start empty:
    a previous test's rolled-back rows must not answer for this one."""
    forget_all()


@pytest.fixture(autouse=True)
def no_idle_timeout(settings: pytest.FixtureRequest) -> None:
    """Tests move the clock by hours between requests; the idle timeout has its own tests
    (tests/org/test_logins.py), which switch it on."""
    settings.MINSHENG_SESSION_IDLE_MINUTES = 0  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: pytest.FixtureRequest) -> None:
    """PBKDF2 is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@dataclass
class People:
    org: Org
    dispatcher: User
    supervisor: User

    @property
    def operator(self) -> User:
        return self.org.olga

    @property
    def alice(self) -> User:  # handler of 孙口镇
        return self.org.alice

    @property
    def bob(self) -> User:  # handler of 侯庙镇
        return self.org.bob


@pytest.fixture
def people(org: Org) -> People:
    return People(
        org=org,
        dispatcher=make_user("dora", org.hotline, Role.DISPATCHER),
        supervisor=make_user("sam", org.hotline, Role.SUPERVISOR),
    )


# --- Browser tests -----------------------------------------------------------------------
# Debian's Chromium, headless, driven by Playwright's Python API; the tests skip with a clear
# message where it is absent (.ci/run installs it).
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium: apt-get install -y chromium")
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
    # such a thread unless told the test knows what it is doing.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()
    # ORM calls made while Playwright's loop ran opened a connection of their own; close it,
    # or PostgreSQL refuses to drop the test database at the end of the session.
    connections.close_all()


def browser_login(page, base_url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real login form, with the keyboard, and land on the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


def run_together(
    *calls: Callable[[], Any], expected: tuple[type[BaseException], ...] = ()
) -> list[Any]:
    """Run each call in a thread of its own, all released at once, each with its own database
    connection (closed at the end, or PostgreSQL refuses to drop the test database). Returns
    each call's result in order; an exception of an `expected` type is returned in its place,
    any other is raised here once every thread has finished."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except expected as exc:
            results[i] = exc
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if failures:
        raise failures[0]
    return results
