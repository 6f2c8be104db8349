"""The inbox page, opening and marking messages read, and the unread badge in the header.

Alice and Bob each have messages; "Bob should have no access to Alice's stuff"."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minsheng.notify import services
from minsheng.notify.models import Message
from minsheng.org.models import User
from tests.conftest import PASSWORD, Org

INBOX = "/notify/"


def message_for(user: User, n: int, **fields: object) -> Message:
    defaults: dict[str, object] = {
        "title": f"新工单 26112300{n:02d}",
        "body": "请于明天前签收",
        "key": f"m:{user.pk}:{n}",
    }
    defaults.update(fields)
    return Message.objects.create(user=user, **defaults)


def login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def badge(html: str) -> str | None:
    found = re.search(r'<span class="badge"[^>]*>([^<]*)</span>', html)
    return found.group(1) if found else None


def test_it_is_at_notify_slash() -> None:
    assert reverse("notify:inbox") == INBOX


def test_anonymous_visitors_are_sent_to_login(client: Client, db: None) -> None:
    response = client.get(INBOX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_only_my_messages_newest_first(client: Client, org: Org) -> None:
    for n in range(3):
        message_for(org.alice, n)
    message_for(org.bob, 9, title="侯庙镇的工单")
    html = login(client, org.alice).get(INBOX).content.decode()
    titles = re.findall(r"新工单 26112300\d\d", html)
    assert titles == ["新工单 2611230002", "新工单 2611230001", "新工单 2611230000"]
    assert "侯庙镇的工单" not in html
    assert "全部标为已读" in html


def test_it_paginates(client: Client, org: Org) -> None:
    for n in range(25):
        message_for(org.alice, n)
    login(client, org.alice)
    first = client.get(INBOX).content.decode()
    second = client.get(INBOX + "?page=2").content.decode()
    assert "新工单 2611230024" in first and "新工单 2611230004" not in first
    assert "新工单 2611230004" in second and "第 2 / 2 页" in second


def test_the_header_badge_counts_my_unread_messages(client: Client, org: Org) -> None:
    login(client, org.alice)
    assert badge(client.get("/").content.decode()) is None
    for n in range(3):
        message_for(org.alice, n)
    message_for(org.alice, 7).__class__.objects.filter(key=f"m:{org.alice.pk}:7").update(
        read_at="2026-01-01T00:00:00Z"
    )
    message_for(org.bob, 9)
    html = client.get("/").content.decode()
    assert badge(html) == "3"
    assert 'href="/notify/"' in html


def test_the_badge_shows_99_plus_beyond_99(client: Client, org: Org) -> None:
    Message.objects.bulk_create([Message(user=org.alice, title=f"m{n}") for n in range(120)])
    assert badge(login(client, org.alice).get(INBOX).content.decode()) == "99+"


def test_opening_a_message_marks_it_read_and_follows_its_link(client: Client, org: Org) -> None:
    message = message_for(org.alice, 1, url="/tickets/2611230001/")
    login(client, org.alice)
    response = client.post(reverse("notify:open", args=[message.pk]))
    assert response.status_code == 302 and response["Location"] == "/tickets/2611230001/"
    message.refresh_from_db()
    assert message.read_at is not None
    assert badge(client.get(INBOX).content.decode()) is None


def test_opening_needs_a_post(client: Client, org: Org) -> None:
    message = message_for(org.alice, 1)
    response = login(client, org.alice).get(reverse("notify:open", args=[message.pk]))
    assert response.status_code == 405
    message.refresh_from_db()
    assert message.read_at is None


def test_opening_is_csrf_protected(org: Org) -> None:
    message = message_for(org.alice, 1)
    client = login(Client(enforce_csrf_checks=True), org.alice)
    assert client.post(reverse("notify:open", args=[message.pk])).status_code == 403
    assert client.post(reverse("notify:mark_all_read")).status_code == 403
    message.refresh_from_db()
    assert message.read_at is None


def test_an_offsite_link_is_not_followed(client: Client, org: Org) -> None:
    message = message_for(org.alice, 1, url="https://evil.example/phish")
    response = login(client, org.alice).post(
        reverse("notify:open", args=[message.pk]), {"page": "2"}
    )
    assert response["Location"] == INBOX + "?page=2"


def test_bob_cannot_open_alices_message(client: Client, org: Org) -> None:
    message = message_for(org.alice, 1)
    response = login(client, org.bob).post(reverse("notify:open", args=[message.pk]))
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_read_marks_only_mine(client: Client, org: Org) -> None:
    for n in range(3):
        message_for(org.alice, n)
    bobs = message_for(org.bob, 9)
    login(client, org.alice)
    response = client.post(reverse("notify:mark_all_read"), follow=True)
    html = response.content.decode()
    assert "已将 3 条消息标为已读" in html
    assert badge(html) is None
    assert not Message.objects.filter(user=org.alice, read_at__isnull=True).exists()
    bobs.refresh_from_db()
    assert bobs.read_at is None


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", [INBOX, "/"])
def test_the_query_count_does_not_grow_with_the_messages(
    client: Client, org: Org, path: str
) -> None:
    login(client, org.alice)
    message_for(org.alice, 0)
    few = queries_for(client, path)
    Message.objects.bulk_create([Message(user=org.alice, title=f"m{n}") for n in range(60)])
    assert queries_for(client, path) == few


def test_the_inbox_page_runs_a_pinned_number_of_queries(
    client: Client, org: Org, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    login(client, org.alice)
    Message.objects.bulk_create([Message(user=org.alice, title=f"m{n}") for n in range(30)])
    # Session, user, page count, roles (navigation), the user's unit (header), unread badge,
    # the page's rows.
    with django_assert_num_queries(7):
        client.get(INBOX)


def test_the_badge_costs_one_count_query(client: Client, org: Org) -> None:
    login(client, org.alice)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    counts = [q["sql"] for q in queries.captured_queries if "notify_message" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()


def test_notify_users_fans_out_once_per_user(org: Org) -> None:
    org.bob.is_active = False
    org.bob.save()
    for _ in range(2):  # the same event replayed
        count = services.notify_users(
            key_prefix="ticket:2611230001:overdue",
            users=[org.alice, org.olga, org.bob],
            template="deadline_overdue",
            context={
                "number": "2611230001",
                "title": "铭功路路灯不亮",
                "stage": "答复",
                "due": "11月23日 17:30",
            },
            url="/tickets/2611230001/",
        )
        assert count == 2
    assert sorted(Message.objects.values_list("user__username", flat=True)) == ["alice", "olga"]
    message = Message.objects.get(user=org.alice)
    assert message.title == "超期提醒：工单 2611230001"
    assert message.key == f"ticket:2611230001:overdue:user:{org.alice.pk}"
    assert services.notify_users(key_prefix="x", users=[], template="reminder", context={}) == 0
