"""Logins (issue 18 finding 2): throttling per account and per address with a Chinese message
and an audit row, password rules, changing one's own password, an administrator's reset that
forces a change, and the idle timeout."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from minsheng.org.forms import AdminSetPasswordForm, ChangePasswordForm
from minsheng.org.models import LoginFailure, Role
from tests.conftest import PASSWORD, Org, make_user

LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str) -> int:
    return client.post(LOGIN, {"username": username, "password": password}).status_code


def test_an_account_is_locked_after_repeated_failures(org: Org) -> None:
    client = Client()
    for _ in range(5):
        assert attempt(client, "alice", "wrong-password") == 200  # the form again
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200  # refused although the password is right
    assert "登录失败次数过多" in response.content.decode()
    assert LoginFailure.objects.filter(username="alice").count() == 5
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert attempt(Client(), "alice", PASSWORD) == 302  # the lock has passed
        assert not LoginFailure.objects.filter(username="alice").exists()


def test_an_address_is_locked_after_failures_on_many_accounts(org: Org, settings: object) -> None:
    settings.MINSHENG_LOGIN_MAX_PER_ADDRESS = 3  # type: ignore[attr-defined]
    client = Client()
    for name in ("a1", "a2", "a3"):
        attempt(client, name, "wrong")
    response = client.post(LOGIN, {"username": "bob", "password": PASSWORD})
    assert "本机登录失败次数过多" in response.content.decode()


@pytest.mark.parametrize("weak", ["minsheng", "84736251", "abcdefghij", "Short1!"])
def test_weak_passwords_are_refused(org: Org, weak: str) -> None:
    form = ChangePasswordForm(
        org.alice, {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
    )
    assert not form.is_valid()


def test_a_user_changes_their_own_password(org: Org) -> None:
    client = Client()
    client.force_login(org.alice)
    strong = "Sunkou-2026-handler"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    assert Client().login(username="alice", password=strong)


def test_an_administrators_reset_forces_a_change_at_the_next_login(org: Org) -> None:
    temporary = "Temp-Pass-2026"
    form = AdminSetPasswordForm(org.bob, {"password1": temporary, "password2": temporary})
    assert form.is_valid(), form.errors
    form.save()
    client = Client()
    assert attempt(client, "bob", temporary) == 302
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert "请先设置自己的新密码" in client.get("/accounts/password/").content.decode()
    mine = "Houmiao-own-2026"
    client.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": mine, "new_password2": mine},
    )
    assert client.get("/inbox/").status_code == 200


def test_an_account_an_administrator_creates_must_change_its_password(org: Org) -> None:
    admin = make_user("root", org.hotline, Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    password = "First-Pass-2026"
    response = client.post(
        "/admin/org/user/add/",
        {
            "username": "newhandler",
            "password1": password,
            "password2": password,
            "usable_password": "true",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    errors = response.context and [str(e) for e in response.context["errors"]]
    assert response.status_code == 302, errors
    from minsheng.org.models import User

    assert User.objects.get(username="newhandler").must_change_password


def test_a_page_session_ends_after_the_idle_time(org: Org, settings: object) -> None:
    settings.MINSHENG_SESSION_IDLE_MINUTES = 30  # type: ignore[attr-defined]
    client = Client()
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert attempt(client, "alice", PASSWORD) == 302
        assert client.get("/inbox/").status_code == 200
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/inbox/").status_code == 200  # active: the clock restarts
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/inbox/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/inbox/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_session_api_call_is_refused_as_json_until_the_password_is_changed(org: Org) -> None:
    org.alice.must_change_password = True
    org.alice.save(update_fields=["must_change_password"])
    client = Client()
    client.force_login(org.alice)
    assert client.get("/inbox/")["Location"].endswith("/accounts/password/")
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "初始密码" in response.json()["error"]["message"]


def test_an_idle_session_api_call_is_refused_as_json(org: Org, settings: object) -> None:
    settings.MINSHENG_SESSION_IDLE_MINUTES = 30  # type: ignore[attr-defined]
    client = Client()
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert attempt(client, "alice", PASSWORD) == 302
        assert client.get("/api/v1/tickets/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/api/v1/tickets/")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
