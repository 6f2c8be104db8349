"""Who sees which tickets, and the confidential reporter hidden from units."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.tickets import actions, selectors
from minsheng.tickets.models import Status
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket


def test_units_see_only_tickets_given_to_their_subtree(people: People) -> None:
    ours = dispatched(people)
    theirs = actions.ticket_dispatch(
        ticket=new_ticket(people), actor=people.dispatcher, lead_unit="houmiao"
    )
    assert list(selectors.tickets_visible_to(people.alice)) == [ours]
    assert list(selectors.tickets_visible_to(people.bob)) == [theirs]
    assert selectors.tickets_visible_to(people.operator).count() == 2


def test_a_unit_still_sees_a_ticket_it_returned_and_lost(people: People) -> None:
    ticket = dispatched(people)
    actions.ticket_return(ticket=ticket, actor=people.alice, reason="不属本镇")
    actions.ticket_return_accept(ticket=ticket, actor=people.dispatcher, lead_unit="houmiao")
    assert ticket in selectors.tickets_visible_to(people.alice)  # history stays readable


def test_the_confidential_reporter_is_hidden_from_the_unit(people: People) -> None:
    ticket = in_progress(people, confidential=True, citizen_name="赵六", citizen_id_number="")
    unit_view = selectors.citizen_for(people.alice, ticket)
    assert unit_view.hidden and unit_view.phone == "" and "赵六" not in unit_view.name
    hotline_view = selectors.citizen_for(people.operator, ticket)
    assert hotline_view.name == "赵六" and hotline_view.phone == "13800138000"
    found = selectors.search_tickets(people.alice, selectors.TicketSearch(phone="13800138000"))
    assert not found.exists()  # units cannot find a confidential citizen by phone


def test_the_unit_inbox_lists_parts_by_state(people: People) -> None:
    dispatched(people)
    in_progress(people)
    inbox = selectors.unit_inbox(people.alice)
    assert inbox["to_sign"].count() == 1 and inbox["in_progress"].count() == 1
    assert selectors.unit_inbox(people.bob)["to_sign"].count() == 0


def test_queues_for_dispatchers_and_callbacks(people: People) -> None:
    new_ticket(people)
    ticket = in_progress(people)
    actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=3, reason="等材料")
    queue = selectors.dispatch_queue(people.dispatcher)
    assert queue["new"].count() == 1 and queue["extensions"].count() == 1
    assert selectors.callback_queue(people.operator).count() == 0


def test_search_by_words_and_status(people: People) -> None:
    new_ticket(people, title="供暖不热", description="小区暖气不热")
    dispatched(people)
    query = selectors.TicketSearch(words="暖气", status=Status.NEW)
    assert [t.title for t in selectors.search_tickets(people.operator, query)] == ["供暖不热"]


def test_listing_tickets_costs_one_query_whatever_their_number(people: People) -> None:
    for _ in range(3):
        dispatched(people)
    assert people.alice.role_set  # roles are read once per request, not per row
    with CaptureQueriesContext(connection) as few:
        [(t.category, t.division, t.lead_unit) for t in selectors.tickets_visible_to(people.alice)]
    for _ in range(6):
        dispatched(people)
    with CaptureQueriesContext(connection) as many:
        [(t.category, t.division, t.lead_unit) for t in selectors.tickets_visible_to(people.alice)]
    assert len(few) == len(many) <= 2


def test_a_ticket_with_several_parts_in_the_subtree_is_listed_once(people: People) -> None:
    ticket = in_progress(people)
    actions.ticket_decompose(
        ticket=ticket, actor=people.alice, units=["sunkou-nc1"], instructions="现场查看"
    )
    assert list(selectors.tickets_visible_to(people.alice)) == [ticket]
    assert selectors.tickets_visible_to(people.alice).count() == 1


def test_a_sub_unit_sees_only_what_was_given_to_it(people: People) -> None:
    from minsheng.org.models import Role
    from tests.conftest import make_user

    given = in_progress(people, title="下派的")
    actions.ticket_decompose(
        ticket=given, actor=people.alice, units=["sunkou-nc1"], instructions="现场查看"
    )
    in_progress(people, title="镇里自己办的")
    team_handler = make_user("carol", people.org.sunkou_team, Role.HANDLER)
    assert [t.title for t in selectors.tickets_visible_to(team_handler)] == ["下派的"]
    assert selectors.tickets_visible_to(people.bob).count() == 0


def test_every_search_filter_stays_inside_the_scope(people: People) -> None:
    ours = dispatched(people, title="路灯不亮", citizen_phone="13700137000")
    theirs = actions.ticket_dispatch(
        ticket=new_ticket(people, title="路灯不亮", citizen_phone="13700137000"),
        actor=people.dispatcher,
        lead_unit="houmiao",
    )
    queries = [
        selectors.TicketSearch(),
        selectors.TicketSearch(words="路灯"),
        selectors.TicketSearch(phone="13700137000"),
        selectors.TicketSearch(number=theirs.number[:6]),
        selectors.TicketSearch(status=Status.DISPATCHED),
        selectors.TicketSearch(unit_id=people.org.houmiao.pk),
        selectors.TicketSearch(category_id=theirs.category_id),
    ]
    for query in queries:
        assert theirs not in selectors.search_tickets(people.alice, query), query
        assert ours not in selectors.search_tickets(people.bob, query), query
    assert list(selectors.search_tickets(people.bob, selectors.TicketSearch(words="路灯"))) == [
        theirs
    ]


def test_the_inbox_counts_are_the_lengths_of_its_lists(people: People) -> None:
    dispatched(people)
    signed = in_progress(people)
    in_progress(people)
    returned = dispatched(people)
    actions.ticket_return(ticket=returned, actor=people.alice, reason="不属本镇")
    actions.ticket_decompose(
        ticket=signed, actor=people.alice, units=["sunkou-nc1"], instructions="现场查看"
    )
    actions.ticket_dispatch(ticket=new_ticket(people), actor=people.dispatcher, lead_unit="houmiao")
    counts = selectors.unit_inbox_counts(people.alice)
    lists = selectors.unit_inbox(people.alice)
    assert counts == {key: qs.count() for key, qs in lists.items()}
    assert counts == {"to_sign": 2, "in_progress": 2, "returned": 1, "subtasks": 1}
    assert selectors.unit_inbox_counts(people.bob) == {
        "to_sign": 1,
        "in_progress": 0,
        "returned": 0,
        "subtasks": 0,
    }


def test_a_number_prefix_finds_exactly_the_numbers_starting_with_it(people: People) -> None:
    from minsheng.tickets.models import Ticket

    numbers = ["2605279998", "2605279999", "2605280000", "2605281234", "2606010001", "9999000001"]
    for number in numbers:
        Ticket.objects.filter(pk=new_ticket(people).pk).update(number=number)
    for prefix in ["26052799", "2605279", "260528", "26052", "2606", "9", "99990", "7", "26a"]:
        found = {
            t.number
            for t in selectors.search_tickets(
                people.operator, selectors.TicketSearch(number=prefix)
            )
        }
        assert found == {n for n in numbers if n.startswith(prefix)}, prefix


def test_the_successor_of_a_digit_prefix() -> None:
    assert selectors.digits_successor("260527") == "260528"
    assert selectors.digits_successor("2605279") == "260528"
    assert selectors.digits_successor("2609") == "261"
    assert selectors.digits_successor("999") is None
