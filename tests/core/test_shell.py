"""The back-office shell: login, logout, a home page per role, the admin for administrators."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.org.models import Role
from tests.conftest import PASSWORD, Org, make_user


def test_the_login_page_answers_in_chinese(db: None, client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" in page and "用户名" in page
    assert "http://" not in page.replace("http://testserver", "")  # no CDN, no external fonts


def test_anonymous_visitors_get_the_citizens_home_with_the_login_a_link_away(
    db: None, client: Client
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "我要反映" in page and 'href="/accounts/login/"' in page
    assert client.get("/inbox/")["Location"].startswith("/accounts/login/")


def test_a_wrong_password_gets_a_clear_message(org: Org, client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "olga", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_an_operator_logs_in_and_sees_the_operator_home(org: Org, client: Client) -> None:
    response = client.post(
        "/accounts/login/", {"username": "olga", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "话务员工作台" in page
    assert "系统管理" not in page  # the admin link is for administrators only


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (Role.DISPATCHER, "派单员工作台"),
        (Role.HANDLER, "承办人工作台"),
        (Role.UNIT_LEADER, "单位负责人工作台"),
        (Role.SUPERVISOR, "督办工作台"),
        (Role.LEADER, "领导首页"),
        (Role.ADMINISTRATOR, "系统管理"),
    ],
)
def test_each_role_has_its_home(org: Org, client: Client, role: str, heading: str) -> None:
    make_user(f"u-{role}", org.sunkou, role)
    client.login(username=f"u-{role}", password=PASSWORD)
    assert heading in client.get("/").content.decode()


def test_a_user_without_a_role_is_told_to_ask_for_one(org: Org, client: Client) -> None:
    make_user("norole", org.sunkou)
    client.login(username="norole", password=PASSWORD)
    assert "尚未分配角色" in client.get("/").content.decode()


def test_logout_is_a_post_and_ends_the_session(org: Org, client: Client) -> None:
    client.login(username="olga", password=PASSWORD)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "我要反映" in client.get("/").content.decode()  # the visitor's home again
    assert client.get("/inbox/").status_code == 302


def test_the_admin_is_for_administrators(org: Org, client: Client) -> None:
    client.login(username="olga", password=PASSWORD)
    assert client.get("/admin/").status_code == 302  # redirected to the admin login
    admin = make_user("root", None, Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.login(username="root", password=PASSWORD)
    assert client.get("/admin/org/unit/").status_code == 200


def test_static_assets_are_served_locally(db: None, client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "/static/css/minsheng.css" in page


def test_healthz_answers(db: None, client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_home_page_counts_the_work_waiting(org: Org, client: Client) -> None:
    from minsheng.tickets import actions

    dispatcher = make_user("dora", org.hotline, Role.DISPATCHER)
    for _ in range(2):
        actions.ticket_intake(
            actor=org.olga, channel="hotline", kind="help", title="路灯不亮", description="铭功路"
        )
    client.login(username="dora", password=PASSWORD)
    page = client.get("/").content.decode()
    assert '<strong class="num">2</strong> 待派单' in page
    ticket = actions.ticket_intake(
        actor=org.olga, channel="hotline", kind="help", title="t", description="d"
    )
    actions.ticket_dispatch(ticket=ticket, actor=dispatcher, lead_unit=org.sunkou)
    client.login(username="alice", password=PASSWORD)
    assert '<strong class="num">1</strong> 待签收' in client.get("/").content.decode()
