"""The ticket search by words and by dates gives the same, exact answers on SQLite and on
PostgreSQL, where words go through the bigram index (tickets migration 0003) and dates
through a range of instants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from minsheng.tickets import selectors
from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import new_ticket

TEXTS = {
    "路灯": ("铭功路路灯不亮", "孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。"),
    "噪音": ("夜间施工噪音扰民", "工地每晚十一点后仍在施工，噪音很大。"),
    "wifi": ("社区WiFi信号差", "社区服务中心的 wifi 经常断线。"),
    "暖气": ("供暖不热", "小区暖气不热，室温只有十五度。"),
}


def _titles(people: People, **query: object) -> list[str]:
    found = selectors.search_tickets(people.operator, selectors.TicketSearch(**query))  # type: ignore[arg-type]
    return sorted(t.title for t in found)


@pytest.fixture
def texts(people: People) -> dict[str, Ticket]:
    return {
        key: new_ticket(people, title=title, description=description)
        for key, (title, description) in TEXTS.items()
    }


def test_word_bigrams_are_every_two_character_substring() -> None:
    assert selectors.word_bigrams("噪音扰民") == sorted(["噪音", "音扰", "扰民"])
    assert selectors.word_bigrams("路灯路灯") == sorted(["路灯", "灯路"])
    assert selectors.word_bigrams("水") == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("路灯", ["铭功路路灯不亮"]),  # two characters, in the title and the description
        ("三晚不亮", ["铭功路路灯不亮"]),  # only in the description
        ("扰民", ["夜间施工噪音扰民"]),  # only in the title
        ("热", ["供暖不热"]),  # one character: no bigram, still found
        ("wifi", ["社区WiFi信号差"]),  # ASCII, in the description as written
        ("施工 噪音", ["夜间施工噪音扰民"]),  # every word must occur
        ("施工 路灯", []),  # each occurs, but not in the same ticket
        ("灯不亮，", []),  # the punctuation is part of the word, and that text is not there
        ("路灯不亮 ", ["铭功路路灯不亮"]),
        ("不存在的词语", []),
    ],
)
def test_words_find_exactly_the_tickets_containing_every_word(
    people: People, texts: dict[str, Ticket], words: str, expected: list[str]
) -> None:
    assert _titles(people, words=words) == expected


def test_the_word_index_follows_a_changed_text(people: People, texts: dict[str, Ticket]) -> None:
    ticket = texts["暖气"]
    # The text changes outside the services only in this test: what matters here is that the
    # PostgreSQL index (a trigger) follows any change of title or description.
    Ticket.objects.filter(pk=ticket.pk).update(description="楼道里的灯坏了。")
    assert _titles(people, words="楼道") == ["供暖不热"]
    assert _titles(people, words="室温") == []
    Ticket.objects.filter(pk=ticket.pk).update(title="楼道灯坏")
    assert _titles(people, words="灯坏") == ["楼道灯坏"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the word index is PostgreSQL's")
def test_the_word_index_forgets_deleted_tickets(people: People, texts: dict[str, Ticket]) -> None:
    ids = [t.pk for t in texts.values()]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM tickets_ticketwords WHERE ticket_id = ANY(%s)", [ids])
        assert cur.fetchone()[0] == len(ids)
        Ticket.objects.filter(pk=texts["路灯"].pk).delete()
        cur.execute("SELECT count(*) FROM tickets_ticketwords WHERE ticket_id = ANY(%s)", [ids])
        assert cur.fetchone()[0] == len(ids) - 1


def test_dates_are_whole_local_days(people: People) -> None:
    tz = timezone.get_current_timezone()
    moments = {
        "before": dt.datetime(2026, 3, 9, 23, 59, 59, tzinfo=tz),
        "first": dt.datetime(2026, 3, 10, 0, 0, 0, tzinfo=tz),
        "last": dt.datetime(2026, 3, 12, 23, 59, 59, 999999, tzinfo=tz),
        "after": dt.datetime(2026, 3, 13, 0, 0, 0, tzinfo=tz),
    }
    for title, moment in moments.items():
        ticket = new_ticket(people, title=title)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
    days = {"created_from": dt.date(2026, 3, 10), "created_to": dt.date(2026, 3, 12)}
    assert _titles(people, **days) == ["first", "last"]
    assert _titles(people, created_from=dt.date(2026, 3, 13)) == ["after"]
    assert _titles(people, created_to=dt.date(2026, 3, 9)) == ["before"]
    assert _titles(people, created_from=dt.date(2026, 3, 12), created_to=dt.date(2026, 3, 12)) == [
        "last"
    ]
