"""The ticket search by words and by dates gives the same, exact answers on SQLite and on
PostgreSQL, where words go through the bigram index (tickets migration 0003) and dates
through a range of instants."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from minsheng.tickets import actions, selectors, words
from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import dispatched, new_ticket
from tests.tickets.test_views_ticket import login

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


def _count(ids: list[int], condition: str = "true") -> int:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM tickets_ticketwords WHERE ticket_id = ANY(%s) AND {condition}",  # noqa: S608
            [ids],
        )
        return int(cur.fetchone()[0])


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the word index is PostgreSQL's"
)


@postgres_only
def test_the_worker_indexes_pending_tickets_and_the_search_agrees_before_and_after(
    people: People, texts: dict[str, Ticket]
) -> None:
    ids = [t.pk for t in texts.values()]
    # The intake only marked them pending (tickets migration 0009); the search finds them.
    assert _count(ids, "pending") == len(ids)
    assert words.pending_count() == len(ids)
    before = {
        w: _titles(people, words=w) for w in ("路灯", "三晚不亮", "施工 噪音", "热", "路灯 施工")
    }
    assert words.index_until_done(limit=3) == len(ids)  # two batches
    assert _count(ids, "NOT pending AND cardinality(bigrams) > 0") == len(ids)
    assert words.pending_count() == 0
    assert {w: _titles(people, words=w) for w in before} == before
    assert before["三晚不亮"] == ["铭功路路灯不亮"] and before["路灯 施工"] == []
    assert words.index_pending() == 0  # nothing left: a repeat does nothing


@postgres_only
def test_a_changed_text_is_pending_again(people: People, texts: dict[str, Ticket]) -> None:
    words.index_until_done()
    ticket = texts["暖气"]
    Ticket.objects.filter(pk=ticket.pk).update(description="楼道里的灯坏了。")
    assert _count([ticket.pk], "pending") == 1
    assert _titles(people, words="楼道") == ["供暖不热"]  # old bigrams, but pending
    assert _titles(people, words="室温") == []  # old bigrams match, the text does not
    assert words.index_until_done() == 1
    assert _titles(people, words="楼道") == ["供暖不热"]
    assert _titles(people, words="室温") == []
    # An update that leaves the text alone queues nothing.
    Ticket.objects.filter(pk=ticket.pk).update(urgency="urgent")
    assert _count([ticket.pk], "pending") == 0


@postgres_only
def test_the_word_index_forgets_deleted_tickets(people: People, texts: dict[str, Ticket]) -> None:
    ids = [t.pk for t in texts.values()]
    words.index_until_done()
    assert _count(ids) == len(ids)
    Ticket.objects.filter(pk=texts["路灯"].pk).delete()
    assert _count(ids) == len(ids) - 1
    # A ticket deleted while still pending goes too.
    pending = new_ticket(people, title="新的工单")
    assert _count([pending.pk], "pending") == 1
    Ticket.objects.filter(pk=pending.pk).delete()
    assert _count([pending.pk]) == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_text_change_racing_the_worker_is_never_lost(people: People) -> None:
    """The change's transaction holds the ticket's word row: the worker skips it, and indexes
    the new text once the change is committed."""
    ticket = new_ticket(people, title="供暖不热", description="小区暖气不热。")
    words.index_until_done()
    changed, release = threading.Event(), threading.Event()

    def change() -> None:
        try:
            with transaction.atomic():
                Ticket.objects.filter(pk=ticket.pk).update(description="楼道里的灯坏了。")
                changed.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=change)
    thread.start()
    try:
        assert changed.wait(timeout=30)
        assert words.index_pending() == 0  # held by the uncommitted change: skipped
    finally:
        release.set()
        thread.join(timeout=30)
    assert words.index_pending() == 1
    with connection.cursor() as cur:
        cur.execute(
            "SELECT bigrams @> ARRAY['楼道'] FROM tickets_ticketwords WHERE ticket_id = %s",
            [ticket.pk],
        )
        assert cur.fetchone()[0] is True


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


NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
# Days back from NOW, on and around the edges of the word search's windows (7, 30, 180 days).
AGES = [0, 3, 7, 7.0001, 8, 29.999, 30, 31, 100, 180, 181, 400]


@pytest.fixture
def aged(people: People) -> list[Ticket]:
    """A 路灯 ticket (dispatched to 孙口镇, so that alice sees it) and, a second earlier, an
    unrelated one at each age."""
    made = []
    with time_machine.travel(NOW, tick=False):
        for i, age in enumerate(AGES):
            for title, text, earlier in ((f"路灯{i}", "路灯不亮", 0), (f"暖气{i}", "暖气不热", 1)):
                ticket = dispatched(people, title=title, description=text)
                # created_at is the intake's instant; moved here as a migration of old data
                # would: the word row follows (trigger of tickets migration 0010).
                Ticket.objects.filter(pk=ticket.pk).update(
                    created_at=NOW - dt.timedelta(days=age, seconds=earlier)
                )
                made.append(ticket)
    return made


@pytest.mark.parametrize(
    "query",
    [
        {"words": "路灯"},
        {"words": "路灯 不亮"},
        {"words": "不存在的词语"},
        {"words": "路灯", "created_from": dt.date(2026, 4, 1), "created_to": dt.date(2026, 5, 28)},
        {"words": "路灯", "created_to": dt.date(2025, 12, 1)},
        {"words": "灯"},  # one character: no bigram, the plain search
        {},
        # Without words a unit's search still starts from its own tickets' ids.
        {"status": "dispatched", "created_from": dt.date(2026, 4, 1)},
        {"status": "closed"},
        {"created_to": dt.date(2026, 5, 28)},
    ],
)
@pytest.mark.parametrize("scope_ids_max", [selectors.SCOPE_IDS_MAX, 5])
def test_a_searchs_first_ids_are_its_first_results_whatever_the_windows(
    people: People,
    aged: list[Ticket],
    query: dict[str, object],
    scope_ids_max: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # alice's scope (孙口镇) holds 24 tickets: with a cap of 5 her search takes the plain
    # query, with the real cap the word index is asked about her tickets only.
    monkeypatch.setattr(selectors, "SCOPE_IDS_MAX", scope_ids_max)
    search = selectors.TicketSearch(**query)  # type: ignore[arg-type]
    if connection.vendor == "postgresql":
        # Half of them indexed by the worker, half still pending: both are candidates.
        words.index_pending(limit=len(aged) // 2)
    with time_machine.travel(NOW, tick=False):
        for user in (people.operator, people.alice, people.bob):
            everything = list(selectors.search_tickets(user, search).values_list("pk", flat=True))
            for limit in (None, 1, 2, 3, 4, 7, 12, 100):
                expected = everything if limit is None else everything[:limit]
                assert selectors.search_ticket_ids(user, search, limit) == expected, (user, limit)
    if query == {"words": "路灯"}:
        assert len(everything) == 0  # bob (侯庙镇) sees none of them
        titles = [
            t.title
            for t in selectors.search_tickets(people.operator, search).order_by("-created_at")
        ]
        assert titles == [f"路灯{i}" for i in range(len(AGES))]


def word_row_dated_as_its_ticket(ticket_id: int) -> bool:
    """The ticket's word row carries the ticket's created_at (tickets migration 0010)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT w.created_at = t.created_at FROM tickets_ticketwords w "
            "JOIN tickets_ticket t ON t.id = w.ticket_id WHERE t.id = %s",
            [ticket_id],
        )
        return cur.fetchone()[0] is True


@postgres_only
def test_the_word_row_carries_the_tickets_created_at(people: People) -> None:
    assert word_row_dated_as_its_ticket(new_ticket(people).pk)


# --- Chinese phrases: cut into words, every word required (textproc.similar.search_words) ---

RUBBISH = {
    "apart": ("垃圾没人清理", "小区门口的垃圾堆了一周，没有人来清理，气味很大。"),
    "fee": ("物业收取垃圾清理费", "物业每月收取垃圾清理费二十元，是否合理？"),
    "dumped": ("路边堆放建筑垃圾", "村东头路边有人堆放建筑垃圾，占了半条路。"),
    "bin": ("垃圾桶损坏", "小区垃圾桶坏了，盖子掉了。"),
}


@pytest.fixture
def rubbish(people: People) -> dict[str, Ticket]:
    return {
        key: new_ticket(people, title=title, description=description)
        for key, (title, description) in RUBBISH.items()
    }


def test_a_phrase_is_cut_into_the_words_of_the_index() -> None:
    assert selectors.search_words("垃圾清理") == ["垃圾", "清理"]
    assert selectors.search_words("堆放垃圾") == ["堆放", "垃圾"]
    assert selectors.search_words("路灯不亮") == ["路灯", "不亮"]  # not jieba's 路 + 灯不亮
    assert selectors.search_words(" 施工  噪音扰民 ") == ["施工", "噪音", "扰民"]
    # Two characters, or anything else than Chinese characters: as typed.
    assert selectors.search_words("垃圾 wifi 灯不亮，") == ["垃圾", "wifi", "灯不亮，"]
    assert selectors.search_words("垃圾 垃圾清理") == ["垃圾", "清理"]
    assert selectors.search_words("") == [] and selectors.search_words(" \t") == []


PHRASES = [
    ("垃圾", ["apart", "bin", "dumped", "fee"]),
    ("清理", ["apart", "fee"]),
    ("垃圾清理", ["apart", "fee"]),  # the words apart, and the phrase itself
    ("堆放垃圾", ["dumped"]),  # the text says 堆放建筑垃圾
    ("垃圾清理 物业", ["fee"]),
    ("垃圾清理费", ["fee"]),
    ("清理垃圾桶", []),  # 垃圾桶 is in one text, 清理 in others
    ("建筑垃圾清理", []),
]


@pytest.mark.parametrize(("phrase", "expected"), PHRASES)
def test_a_phrase_finds_the_tickets_with_all_its_words(
    people: People, rubbish: dict[str, Ticket], phrase: str, expected: list[str]
) -> None:
    want = sorted(RUBBISH[key][0] for key in expected)
    assert _titles(people, words=phrase) == want
    # The page's fast path (windows of time on PostgreSQL) gives the same tickets, in order.
    query = selectors.TicketSearch(words=phrase)
    found = list(selectors.search_tickets(people.operator, query).values_list("pk", flat=True))
    assert selectors.search_ticket_ids(people.operator, query, 50) == found
    # And so does the word index once the worker has written it (PostgreSQL; no-op on SQLite).
    words.index_until_done()
    assert _titles(people, words=phrase) == want


def test_a_units_phrase_search_reads_its_own_tickets(
    people: People, rubbish: dict[str, Ticket]
) -> None:
    for key in ("apart", "bin"):
        actions.ticket_dispatch(
            ticket=rubbish[key], actor=people.dispatcher, lead_unit=people.org.sunkou
        )
    words.index_until_done()
    query = selectors.TicketSearch(words="垃圾清理")
    assert selectors.search_ticket_ids(people.alice, query, 50) == [rubbish["apart"].pk]
    assert selectors.search_ticket_ids(people.bob, query, 50) == []


def test_the_search_page_finds_a_phrase(
    people: People, rubbish: dict[str, Ticket], client: Client
) -> None:
    login(client, people.operator)
    html = client.get("/tickets/", {"words": "垃圾清理"}).content.decode()
    assert rubbish["apart"].number in html and rubbish["fee"].number in html
    assert rubbish["bin"].number not in html and rubbish["dumped"].number not in html
