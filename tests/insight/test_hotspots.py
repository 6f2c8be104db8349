"""热点: the command, the page for leaders, and the 每月一题 action."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from minsheng.insight import services
from minsheng.insight.models import InsightAudit, MonthlyTheme
from minsheng.insight.selectors import hot_issues
from minsheng.org.models import Division, Role
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import Ticket
from tests.conftest import People, make_user
from tests.factories import new_ticket
from tests.insight.conftest import HOUMIAO, SUNKOU_VILLAGE, indexed_ticket
from tests.tickets.test_views_ticket import login

LIGHTS = [
    "铭功路路灯坏了，晚上一片漆黑",
    "铭功路东段路灯连续三晚不亮",
    "反映铭功路的路灯不亮，夜里出行不便",
    "铭功路路灯好几天没亮了",
]
STRAW = ["村里有人焚烧秸秆，烟很大", "附近有人烧秸秆，浓烟呛人", "有人在地里烧秸秆，浓烟很大"]
OTHERS = ["社保卡丢了怎么补办", "孩子上学的学区怎么划分"]


@pytest.fixture
def tickets(people: People, county: dict[str, Division]) -> dict[str, list[Ticket]]:
    made: dict[str, list[Ticket]] = {"lights": [], "straw": [], "others": []}
    for n, text in enumerate(LIGHTS):
        make = indexed_ticket if n % 2 else new_ticket  # half not indexed yet: still grouped
        made["lights"].append(
            make(people, title="路灯不亮", description=text, division=county[SUNKOU_VILLAGE])
        )
    for text in STRAW:
        made["straw"].append(
            indexed_ticket(people, title="焚烧秸秆", description=text, division=county[HOUMIAO])
        )
    for text in OTHERS:
        made["others"].append(indexed_ticket(people, title=text[:6], description=text))
    return made


def today() -> dt.date:
    return timezone.localdate()


def test_hot_issues_group_the_period(tickets: dict[str, list[Ticket]]) -> None:
    found = hot_issues(since=today(), until=today())
    assert found.considered == 9 and not found.truncated
    lights, straw = found.issues
    assert set(lights.ticket_ids) == {t.pk for t in tickets["lights"]} and lights.count == 4
    assert lights.place is not None and lights.place.name == "孙口镇" and lights.place_count == 4
    assert "铭功路" in lights.top_words and lights.label == "路灯不亮"
    assert {t.pk for t in lights.examples} <= set(lights.ticket_ids) and len(lights.examples) == 3
    assert straw.place.name == "侯庙镇" and straw.rank == 2  # type: ignore[union-attr]
    yesterday = today() - dt.timedelta(days=1)
    assert hot_issues(since=yesterday, until=yesterday).issues == []


def test_the_command_prints_the_hot_issues(tickets: dict[str, list[Ticket]]) -> None:
    out = StringIO()
    call_command("hotspots", "--since", today().isoformat(), stdout=out)
    text = out.getvalue()
    assert "分析工单 9 件，热点 2 个" in text
    assert "1. 路灯不亮｜4 件｜孙口镇(4)" in text and "铭功路" in text
    assert tickets["lights"][0].number in text or tickets["lights"][1].number in text
    out = StringIO()
    call_command("hotspots", "--since", today().isoformat(), "--min-size", "4", stdout=out)
    assert "热点 1 个" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("hotspots", "--since", "2026-13-01")
    with pytest.raises(CommandError):
        call_command("hotspots", "--since", "2026-11-02", "--until", "2026-11-01")


def test_leaders_see_the_page_handlers_do_not(
    people: People, tickets: dict[str, list[Ticket]], client: Client
) -> None:
    login(client, people.org.leader)
    html = client.get("/insight/hotspots/").content.decode()
    assert "热点诉求" in html and "路灯不亮" in html and "铭功路" in html and "设为每月一题" in html
    assert tickets["lights"][0].number in html or tickets["lights"][1].number in html
    for user in (people.alice, people.operator, people.dispatcher):
        client.logout()
        login(client, user)
        assert client.get("/insight/hotspots/").status_code == 403
        assert client.get("/insight/themes/").status_code == 403
    client.logout()
    login(client, people.supervisor)
    assert client.get("/insight/hotspots/").status_code == 200
    client.logout()
    assert client.get("/insight/hotspots/").status_code == 302


def test_the_nav_shows_hotspots_to_leaders_only(people: People, client: Client) -> None:
    login(client, people.org.leader)
    assert "/insight/hotspots/" in client.get("/").content.decode()
    client.logout()
    login(client, people.operator)
    assert "/insight/hotspots/" not in client.get("/").content.decode()


def test_bad_periods_get_a_message(
    people: People, tickets: dict[str, list[Ticket]], client: Client
) -> None:
    login(client, people.org.leader)
    html = client.get("/insight/hotspots/", {"since": "昨天", "until": "x"}).content.decode()
    assert "日期格式应为" in html and "路灯不亮" in html
    html = client.get(
        "/insight/hotspots/", {"since": today().isoformat(), "until": "2020-01-01"}
    ).content.decode()
    assert "已对调" in html
    html = client.get("/insight/hotspots/", {"since": "2000-01-01"}).content.decode()
    assert "最长一年" in html


def test_the_page_query_count_is_pinned(
    people: People,
    tickets: dict[str, list[Ticket]],
    client: Client,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    login(client, people.org.leader)
    client.get("/insight/hotspots/")  # warms the cache of the grouping
    for text in LIGHTS:
        indexed_ticket(people, title="路灯不亮", description=text)
    client.get("/insight/hotspots/")
    # session, user, roles, the user's unit and unread count (base page), the period's state,
    # the examples, the places, the board's likes (public support): the same with 2 groups or 20.
    with django_assert_num_queries(9):
        assert client.get("/insight/hotspots/").status_code == 200


def test_the_monthly_theme_service(people: People, tickets: dict[str, list[Ticket]]) -> None:
    ids = [t.pk for t in tickets["lights"]]
    theme = services.monthly_theme_create(
        actor=people.org.leader,
        month=dt.date(2026, 11, 17),
        title="铭功路路灯",
        ticket_ids=ids,
        top_words="铭功路 路灯",
    )
    assert theme.month == dt.date(2026, 11, 1) and theme.created_by == people.org.leader
    assert set(theme.tickets.values_list("pk", flat=True)) == set(ids)
    audit = InsightAudit.objects.get()
    assert (
        audit.theme == theme
        and audit.actor == people.org.leader
        and audit.action == "monthly_theme_create"
    )
    assert "2026-11" in audit.note and audit.data["tickets"] == 4
    assert set(audit.data["numbers"]) == {t.number for t in tickets["lights"]}
    with pytest.raises(InvalidInput, match="已设定每月一题"):
        services.monthly_theme_create(
            actor=people.supervisor, month=dt.date(2026, 11, 1), title="另一个", ticket_ids=ids
        )
    with pytest.raises(NotAllowed):
        services.monthly_theme_create(
            actor=people.alice, month=dt.date(2026, 12, 1), title="x", ticket_ids=ids
        )
    with pytest.raises(NotAllowed):
        services.monthly_theme_create(
            actor=people.operator, month=dt.date(2026, 12, 1), title="x", ticket_ids=ids
        )
    with pytest.raises(InvalidInput, match="题目"):
        services.monthly_theme_create(
            actor=people.supervisor, month=dt.date(2026, 12, 1), title=" ", ticket_ids=ids
        )
    with pytest.raises(InvalidInput, match="至少关联"):
        services.monthly_theme_create(
            actor=people.supervisor, month=dt.date(2026, 12, 1), title="x", ticket_ids=[999999]
        )
    assert MonthlyTheme.objects.count() == 1 and InsightAudit.objects.count() == 1


def test_make_a_hot_issue_the_monthly_theme(
    people: People,
    tickets: dict[str, list[Ticket]],
    client: Client,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    login(client, people.org.leader)
    ids = ",".join(str(t.pk) for t in tickets["straw"])
    data = {
        "tickets": ids,
        "month": "2026-11",
        "title": "焚烧秸秆",
        "top_words": "秸秆 焚烧",
        "since": "2026-11-01",
    }
    response = client.post("/insight/themes/new", data)
    theme = MonthlyTheme.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/insight/themes/{theme.pk}/"
    assert theme.tickets.count() == 3 and theme.title == "焚烧秸秆"
    html = client.get(response["Location"]).content.decode()
    assert "焚烧秸秆" in html and tickets["straw"][0].number in html
    again = client.post("/insight/themes/new", data, follow=True)
    assert "已设定每月一题" in again.content.decode() and MonthlyTheme.objects.count() == 1
    assert again.redirect_chain[0][0] == "/insight/hotspots/?since=2026-11-01"
    bad = client.post("/insight/themes/new", {**data, "month": "soon"}, follow=True)
    assert "请选择月份" in bad.content.decode()
    for month in ("2026-09", "2026-10"):
        client.post("/insight/themes/new", {**data, "month": month})
    # session, user, roles, the user's unit and unread count (base page), themes with counts
    with django_assert_num_queries(6):
        html = client.get("/insight/themes/").content.decode()
    assert html.count("焚烧秸秆") == 3 and "2026-09" in html
    assert client.get("/insight/themes/999999/").status_code == 404


def test_handlers_cannot_set_the_theme(
    people: People, tickets: dict[str, list[Ticket]], client: Client
) -> None:
    login(client, people.alice)
    response = client.post(
        "/insight/themes/new",
        {"tickets": str(tickets["straw"][0].pk), "month": "2026-11", "title": "x"},
    )
    assert response.status_code == 403 and not MonthlyTheme.objects.exists()
    assert client.get("/insight/themes/new").status_code in (403, 405)


def test_an_administrator_may_set_the_theme(
    people: People, tickets: dict[str, list[Ticket]]
) -> None:
    admin = make_user("root", None, Role.ADMINISTRATOR)
    theme = services.monthly_theme_create(
        actor=admin,
        month=dt.date(2026, 10, 5),
        title="秸秆",
        ticket_ids=[t.pk for t in tickets["straw"]],
    )
    assert theme.month == dt.date(2026, 10, 1)


def test_likes_on_the_board_are_the_hot_issues_public_support(
    tickets: dict[str, list[Ticket]],
) -> None:
    from minsheng.portal.models import PublicMessage

    for n, ticket in enumerate(tickets["straw"]):
        PublicMessage.objects.create(
            ticket=ticket,
            title=ticket.title,
            text=ticket.description,
            posted_at=timezone.now(),
            state=PublicMessage.State.APPROVED,
            like_count=10 + n,
        )
    PublicMessage.objects.create(  # not approved: no support counted
        ticket=tickets["lights"][0], title="x", text="x", posted_at=timezone.now(), like_count=99
    )
    found = hot_issues(since=today(), until=today())
    lights, straw = found.issues
    assert straw.support == 10 + 11 + 12 and lights.support == 0
    # Size still comes first (4 lamps over 3 straw fires); support breaks ties.
    assert lights.rank == 1 and straw.rank == 2
