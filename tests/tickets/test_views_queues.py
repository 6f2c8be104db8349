"""派单, 本单位工单 and 回访 queues: who may open them, what they list, and pinned query counts."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.tickets import actions
from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket, replied
from tests.tickets.test_views_ticket import login


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def pinned(client: Client, url: str, make: Callable[[], object], n: int = 2) -> int:
    """Query count with n rows and with 3n rows: it must not grow with the rows. The first
    request warms the per-process caches (the search form's options)."""
    for _ in range(n):
        make()
    queries(client, url)
    few = queries(client, url)
    for _ in range(2 * n):
        make()
    assert queries(client, url) == few
    return few


def test_queues_refuse_the_wrong_roles(people: People, client: Client) -> None:
    login(client, people.alice)
    assert client.get("/dispatch/").status_code == 403
    assert client.get("/callbacks/").status_code == 403
    assert client.get("/inbox/").status_code == 200
    client.logout()
    login(client, people.operator)
    assert client.get("/dispatch/").status_code == 403
    assert client.get("/inbox/").status_code == 403
    assert client.get("/callbacks/").status_code == 200


def test_the_dispatch_queue_lists_new_returned_and_extensions(
    people: People, client: Client
) -> None:
    fresh = new_ticket(people, title="新来的")
    returned = dispatched(people, title="退回来的")
    actions.ticket_return(ticket=returned, actor=people.alice, reason="不属本镇")
    extended = in_progress(people, title="要延期的")
    actions.ticket_extension_request(ticket=extended, actor=people.alice, days=3, reason="等材料")
    login(client, people.dispatcher)
    html = client.get("/dispatch/").content.decode()
    new_part, rest = html.split('id="queue-returned"')
    returned_part, extensions_part = rest.split('id="queue-extensions"')
    assert fresh.number in new_part and "待派单" in new_part
    assert returned.number in returned_part and "退单待审" in returned_part
    assert extended.number in extensions_part and "延期申请" in extensions_part


def test_the_inbox_is_scoped_to_the_unit(people: People, client: Client) -> None:
    ours = dispatched(people, title="孙口的事")
    signed = in_progress(people, title="正在办")
    theirs = actions.ticket_dispatch(
        ticket=new_ticket(people, title="侯庙的事"), actor=people.dispatcher, lead_unit="houmiao"
    )
    actions.ticket_decompose(
        ticket=signed, actor=people.alice, units=["sunkou-nc1"], instructions="现场查看"
    )
    login(client, people.alice)
    html = client.get("/inbox/").content.decode()
    assert ours.number in html.split('id="inbox-in_progress"')[0]
    assert signed.number in html.split('id="inbox-in_progress"')[1]
    assert "孙口镇执法大队农村一中队" in html.split('id="inbox-subtasks"')[1]
    assert theirs.number not in html
    client.logout()
    login(client, people.bob)
    html = client.get("/inbox/").content.decode()
    assert theirs.number in html and ours.number not in html


def test_inbox_sections_show_their_oldest_rows_and_open_in_full(
    people: People, client: Client, monkeypatch: object
) -> None:
    from minsheng.office import queues as queues_view

    monkeypatch.setattr(queues_view, "INBOX_ROWS", 2)  # type: ignore[attr-defined]
    monkeypatch.setattr(queues_view, "QUEUE_LIMIT", 3)  # type: ignore[attr-defined]
    oldest_first = [in_progress(people, title=f"第{i}件") for i in range(4)]
    waiting = dispatched(people, title="待签的")
    login(client, people.alice)

    def section(html: str, key: str) -> str:
        return html.split(f'id="inbox-{key}"')[1].split("</section>")[0]

    html = client.get("/inbox/").content.decode()
    part = section(html, "in_progress")
    assert '<span class="count">4</span>' in part
    assert [t.number in part for t in oldest_first] == [True, True, False, False]
    assert "显示全部 4 件" in part and "?show=in_progress" in part
    assert waiting.number in section(html, "to_sign") and "显示全部" not in section(html, "to_sign")
    part = section(client.get("/inbox/?show=in_progress").content.decode(), "in_progress")
    assert [t.number in part for t in oldest_first] == [True, True, True, False]
    assert "只显示最早的 3 件。" in part and "显示全部" not in part


def test_the_callback_queue_lists_replied_tickets_with_the_phone(
    people: People, client: Client
) -> None:
    ticket = replied(people)
    dispatched(people, title="还没答复")
    login(client, people.operator)
    html = client.get("/callbacks/").content.decode()
    assert ticket.number in html and "13800138000" in html and "还没答复" not in html


# The pinned counts include the layout's own queries: session, user, roles, the user's unit in
# the header, and the unread-messages badge (minsheng.notify). A change there moves every pin.


def test_dispatch_queue_query_count_is_pinned(people: People, client: Client) -> None:
    login(client, people.dispatcher)
    # 13: 智能派单 reads the place from the text of tickets without one (the gazetteer's two
    # freshness checks), once for the whole queue.
    assert pinned(client, "/dispatch/", lambda: new_ticket(people)) == 13


def test_inbox_query_count_is_pinned(people: People, client: Client) -> None:
    login(client, people.alice)
    # 7: the layout's 5, one query for every section's count, and the rows of the one section
    # that has any (empty sections are not queried).
    assert pinned(client, "/inbox/", lambda: in_progress(people)) == 7


def test_callback_queue_query_count_is_pinned(people: People, client: Client) -> None:
    login(client, people.operator)
    assert pinned(client, "/callbacks/", lambda: replied(people)) == 7


def test_search_query_count_is_pinned(people: People, client: Client) -> None:
    login(client, people.alice)
    # 7 (was 9): the count comes with the page's ids, capped (minsheng.lib.pagination), and
    # the form's category and unit options are cached per process (tickets.forms.OptionsCache).
    # On PostgreSQL one more: a unit's search first reads its tickets' ids
    # (selectors._scope_ticket_ids). And one for a unit: which of the page's tickets it still
    # holds (selectors.held_ids: a ticket taken from it shows no citizen).
    extra = 1 if connection.vendor == "postgresql" else 0
    assert pinned(client, "/tickets/", lambda: dispatched(people, confidential=True)) == 8 + extra


def test_ticket_page_query_count_does_not_grow_with_the_timeline(
    people: People, client: Client
) -> None:
    ticket: Ticket = in_progress(people)
    login(client, people.alice)
    url = f"/tickets/{ticket.number}/"
    before = queries(client, url)
    for i in range(6):
        ticket = actions.ticket_progress(ticket=ticket, actor=people.alice, note=f"进展 {i}")
    assert queries(client, url) == before


def test_word_search_query_count_is_pinned(people: People, client: Client) -> None:
    """A word search's count does not grow with its results. On PostgreSQL the hotline's is
    read in at most four windows of time (selectors.search_ticket_ids) and a unit's asks the
    word index about its own tickets first (its units, their tickets, the candidates)."""
    extra = 3 if connection.vendor == "postgresql" else 0
    login(client, people.operator)
    # 7 as for any search (the layout's 5, the ids, the rows); on PostgreSQL the ids take up to
    # four window queries (here all four: none is full).
    assert pinned(client, "/tickets/?words=路灯", lambda: dispatched(people)) == 7 + extra
    login(client, people.alice)
    # On PostgreSQL: the scope's tickets (its units as a sub-select) and the word index's
    # candidates, then one query for the ids.
    # candidates, then one query for the ids. One more for a unit: selectors.held_ids.
    unit_extra = 2 if connection.vendor == "postgresql" else 0
    assert pinned(client, "/tickets/?words=路灯", lambda: dispatched(people)) == 8 + unit_extra
