"""The incident services: raising (one incident however many raise it), mobilising (each person
told once), acknowledging, the log, broadcasts (paced, idempotent, refused to nobody) and the
after-action summary across midnight — the seed's 夏县 outage as the acceptance case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from minsheng.incidents import selectors, services
from minsheng.incidents.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.incidents.figures import figures, overall_median_hours
from minsheng.incidents.models import (
    Broadcast,
    Event,
    Incident,
    IncidentTicket,
    LogEntry,
    Mobilisation,
    NoticeSubscriber,
)
from minsheng.notify.delivery import deliver_due
from minsheng.notify.models import Message, Outbox
from minsheng.tickets.models import Status, Ticket, TicketEvent
from tests.conftest import People
from tests.incidents.helpers import (
    RESTORED,
    STARTED,
    VILLAGES,
    at,
    make_area,
    raise_water,
    water_tickets,
)

pytestmark = pytest.mark.django_db


def _subscribe(people: People, area, per_village: int) -> None:  # type: ignore[no-untyped-def]
    for v, village in enumerate(area.villages):
        for i in range(per_village):
            services.subscriber_add(
                actor=people.dispatcher, village=village, phone=f"186{v:02d}{i:06d}"
            )


# --- Raising ---------------------------------------------------------------------------------


def test_raising_computes_the_population_from_the_register_and_keeps_an_override(
    people: People,
) -> None:
    area = make_area(people)
    tickets = water_tickets(people, area)
    raised = raise_water(people, area, tickets)
    incident = raised.incident
    assert raised.created
    assert incident.population_computed == 18_000
    assert incident.affected_population == 18_000
    assert sorted(incident.divisions.values_list("code", flat=True)) == VILLAGES
    assert IncidentTicket.objects.filter(incident=incident, is_open=True).count() == 3
    # Linked, not merged: each ticket keeps its own handling.
    assert {t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets])} == {
        Status.DISPATCHED,
        Status.NEW,
    }
    other = raise_water(
        people, area, [services_ticket(people, area)], population_override=17_500
    ).incident
    assert (other.population_computed, other.population_override) == (18_000, 17_500)
    assert other.affected_population == 17_500


def services_ticket(people: People, area) -> Ticket:  # type: ignore[no-untyped-def]
    from tests.factories import new_ticket

    return new_ticket(people, title="另一处停水", division=area.villages[1])


def test_a_township_counts_as_the_sum_of_its_counted_villages(people: People) -> None:
    area = make_area(people)
    incident = raise_water(
        people, area, water_tickets(people, area, 1), villages=[area.township.code]
    ).incident
    assert incident.population_computed == 18_000


def test_raising_the_same_ticket_again_shows_the_open_incident(people: People) -> None:
    area = make_area(people)
    tickets = water_tickets(people, area)
    first = raise_water(people, area, tickets)
    # A second dispatcher, a moment later, with one of the same tickets.
    again = raise_water(people, area, [tickets[1]], title="停水（重复启动）")
    assert not again.created and again.incident.pk == first.incident.pk
    assert Incident.objects.count() == 1


def test_the_partial_unique_index_refuses_a_second_open_link(people: People) -> None:
    from django.db import IntegrityError, transaction

    area = make_area(people)
    tickets = water_tickets(people, area, 1)
    first = raise_water(people, area, tickets).incident
    other = Incident.objects.create(
        kind="water", title="x", severity="4", started_at=STARTED, raised_by=people.dispatcher
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentTicket.objects.create(incident=other, ticket=tickets[0])
    assert IncidentTicket.objects.filter(ticket=tickets[0]).get().incident_id == first.pk


def test_merging_goes_through_the_ticket_merge(people: People) -> None:
    area = make_area(people)
    tickets = water_tickets(people, area)
    incident = raise_water(people, area, tickets, merge=True).incident
    main, *others = tickets
    for t in others:
        t.refresh_from_db()
        assert (t.status, t.master_id) == (Status.MERGED, main.pk)
    assert TicketEvent.objects.filter(ticket=main, action="merge_in").count() == 2
    assert incident.links.filter(merged=True).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "meteor"}, "kind"),
        ({"severity": "9"}, "severity"),
        ({"villages": []}, "villages"),
        ({"villages": ["999999999999"]}, "villages"),
        ({"title": "  "}, "title"),
        ({"started_at": at(2099, 1, 1)}, "started_at"),
        ({"population_override": -1}, "population_override"),
    ],
    ids=["kind", "severity", "no-villages", "unknown-village", "title", "future", "population"],
)
def test_bad_input_is_refused_and_writes_nothing(
    people: People, change: dict[str, object], field: str
) -> None:
    area = make_area(people)
    tickets = water_tickets(people, area, 1)
    with pytest.raises(InvalidInput) as refused:
        raise_water(people, area, tickets, **change)
    assert refused.value.field == field
    assert not Incident.objects.exists() and not IncidentTicket.objects.exists()


def test_a_handler_may_not_raise(people: People) -> None:
    area = make_area(people)
    with pytest.raises(NotAllowed):
        raise_water(people, area, water_tickets(people, area, 1), actor=people.alice)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_raising_at_once_make_one_incident(people: People) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections: PostgreSQL")
    from tests.conftest import make_user, run_together

    area = make_area(people)
    tickets = water_tickets(people, area)
    other = make_user("dave", people.org.hotline, "dispatcher")
    done = run_together(
        lambda: raise_water(people, area, tickets),
        lambda: raise_water(people, area, list(reversed(tickets)), actor=other),
    )
    assert sorted(d.created for d in done) == [False, True]
    assert done[0].incident.pk == done[1].incident.pk
    assert Incident.objects.count() == 1
    assert IncidentTicket.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_raising_at_once_make_one_incident_on_sqlite(people: People) -> None:
    """SQLite's IMMEDIATE transactions serialise the two writers: the second sees the first's."""
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL variant above")
    from tests.conftest import make_user, run_together

    area = make_area(people)
    tickets = water_tickets(people, area)
    other = make_user("dave", people.org.hotline, "dispatcher")
    done = run_together(
        lambda: raise_water(people, area, tickets),
        lambda: raise_water(people, area, tickets[1:], actor=other),
    )
    assert sorted(d.created for d in done) == [False, True]
    assert Incident.objects.count() == 1


# --- Mobilising --------------------------------------------------------------------------------


def test_two_teams_and_a_group_are_each_notified_exactly_once(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area)).incident
    d = people.dispatcher
    # One volunteer is also assigned alone, before the group: still one SMS for them.
    alone = services.incident_mobilise(
        incident=incident, actor=d, kind="volunteer", resource_id=area.volunteers[0].pk
    )
    water = services.incident_mobilise(
        incident=incident, actor=d, kind="team", resource_id=area.team_water.pk, task="抢修阀门"
    )
    town = services.incident_mobilise(
        incident=incident, actor=d, kind="team", resource_id=area.team_town.pk, task="送水"
    )
    group = services.incident_mobilise(
        incident=incident, actor=d, kind="group", resource_id=area.group.pk, task="入户送水"
    )
    again = services.incident_mobilise(
        incident=incident, actor=d, kind="team", resource_id=area.team_water.pk
    )
    again_group = services.incident_mobilise(
        incident=incident, actor=d, kind="group", resource_id=area.group.pk
    )
    assert (again.created, again_group.created) == (False, False)
    assert Mobilisation.objects.filter(incident=incident).count() == 4
    sms = sorted(
        Outbox.objects.filter(template="incident_mobilised_sms").values_list("recipient", flat=True)
    )
    assert sms == sorted(
        ["13900000001", "13900000002", "13700000001", "13700000002", "13700000003"]
    )
    # The water crew's leader is also told in-app, once.
    assert Message.objects.filter(user=area.crew_leader).count() == 1
    assert (alone.mobilisation.notified, water.mobilisation.notified) == (1, 2)
    assert (town.mobilisation.notified, group.mobilisation.notified) == (1, 2)


def test_acknowledgements(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    d = people.dispatcher
    team = services.incident_mobilise(
        incident=incident, actor=d, kind="team", resource_id=area.team_water.pk
    ).mobilisation
    town = services.incident_mobilise(
        incident=incident, actor=d, kind="team", resource_id=area.team_town.pk
    ).mobilisation
    with pytest.raises(NotAllowed):
        services.mobilisation_ack(mobilisation=team, actor=people.alice, by_phone=False)
    done = services.mobilisation_ack(mobilisation=team, actor=area.crew_leader, by_phone=False)
    assert done.acked_at is not None and done.ack_channel == "inapp"
    with pytest.raises(InvalidInput):
        services.mobilisation_ack(mobilisation=town, actor=d, by_phone=True, reply_code="x")
    wrong = "0000" if town.reply_code != "0000" else "1111"
    with pytest.raises(InvalidInput):
        services.mobilisation_ack(mobilisation=town, actor=d, by_phone=True, reply_code=wrong)
    done = services.mobilisation_ack(
        mobilisation=town, actor=d, by_phone=True, reply_code=town.reply_code, note="镇长电话确认"
    )
    assert done.ack_channel == "phone"
    first = done.acked_at
    again = services.mobilisation_ack(mobilisation=town, actor=d, by_phone=True)
    assert again.acked_at == first


# --- The log ---------------------------------------------------------------------------------


def test_log_entries_at_a_chosen_time_and_the_restoration(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    d = people.dispatcher
    services.log_add(incident=incident, actor=d, kind="plan", at=at(2026, 11, 20, 20, 50))
    services.log_add(incident=incident, actor=d, kind="restored", at=RESTORED)
    services.log_add(incident=incident, actor=d, kind="on_site", at=at(2026, 11, 20, 21, 30))
    assert [e.kind for e in LogEntry.objects.filter(incident=incident)] == [
        "plan",
        "on_site",
        "restored",
    ]
    incident.refresh_from_db()
    assert incident.restored_at == RESTORED
    with pytest.raises(InvalidInput):
        services.log_add(incident=incident, actor=d, kind="note", at=RESTORED, text="")
    with pytest.raises(InvalidInput):
        services.log_add(incident=incident, actor=d, kind="plan", at=at(2026, 11, 19))
    with pytest.raises(InvalidInput):
        services.log_add(incident=incident, actor=d, kind="plan", at=at(2099, 1, 1))
    with pytest.raises(NotAllowed):
        services.log_add(incident=incident, actor=people.org.leader, kind="plan", at=RESTORED)


# --- Broadcasts --------------------------------------------------------------------------------


def test_a_broadcast_to_zero_phones_is_refused_clearly(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    with pytest.raises(InvalidInput) as refused:
        services.broadcast_send(
            incident=incident, actor=people.dispatcher, text="停水通知", token="t" * 16
        )
    assert "没有登记接收通知的手机号" in refused.value.message
    assert not Outbox.objects.filter(template="incident_broadcast_sms").exists()
    assert not Broadcast.objects.exists()


def test_a_broadcast_is_paced_counted_and_queued_once(people: People, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_INCIDENT_SMS_PER_MINUTE = 5
    area = make_area(people)
    _subscribe(people, area, 2)
    # The same phone in two villages gets one SMS; an opted-out phone none.
    services.subscriber_add(actor=people.dispatcher, village=area.villages[1], phone="18600000000")
    services.subscriber_opt_out(village=area.villages[5], phone="18605000001")
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    now = at(2026, 11, 20, 21, 0)
    sent = services.broadcast_send(
        incident=incident,
        actor=people.dispatcher,
        text="因阀门抢修停水，预计明早恢复。",
        token="a" * 16,
        now=now,
    )
    assert sent.created and sent.broadcast.recipients == 11
    rows = Outbox.objects.filter(template="incident_broadcast_sms")
    assert rows.count() == 11
    due = sorted(rows.values_list("next_attempt_at", flat=True))
    assert due[0] == now and due[4] == now and due[5] == now + dt.timedelta(minutes=1)
    assert due[-1] == now + dt.timedelta(minutes=2)
    again = services.broadcast_send(
        incident=incident,
        actor=people.dispatcher,
        text="因阀门抢修停水，预计明早恢复。",
        token="a" * 16,
    )
    assert not again.created and rows.count() == 11
    assert selectors.delivery_counts(sent.broadcast) == {"queued": 11, "sent": 0, "failed": 0}
    deliver_due(now=now + dt.timedelta(seconds=30), limit=100)
    assert selectors.delivery_counts(sent.broadcast) == {"queued": 6, "sent": 5, "failed": 0}
    # Subscribers' phones never reach the audit trail.
    assert "186" not in str(list(Event.objects.values_list("data", flat=True)))


def test_the_register_keeps_one_row_per_phone_and_village(people: People) -> None:
    area = make_area(people)
    v = area.villages[0]
    _row, created = services.subscriber_add(
        actor=people.dispatcher, village=v, phone="186 0000 0001"
    )
    assert created
    _row, created = services.subscriber_add(actor=people.dispatcher, village=v, phone="18600000001")
    assert not created
    assert NoticeSubscriber.objects.count() == 1
    with pytest.raises(InvalidInput):
        services.subscriber_add(actor=people.dispatcher, village=v, phone="12345")
    with pytest.raises(InvalidInput):
        services.subscriber_add(actor=people.dispatcher, village=area.township, phone="18600000002")


# --- Closing: the 夏县 case ------------------------------------------------------------------


def test_the_xiaxian_outage_closes_with_its_summary_across_midnight(people: People) -> None:
    """6 villages, 18,000 people, a 10-hour repair starting in the evening; two teams and a
    volunteer group told once each; the broadcast counted; the tickets answered."""
    area = make_area(people)
    _subscribe(people, area, 3)
    tickets = water_tickets(people, area)
    incident = raise_water(people, area, tickets).incident
    d = people.dispatcher
    for kind, pk in [
        ("team", area.team_water.pk),
        ("team", area.team_town.pk),
        ("group", area.group.pk),
    ]:
        services.incident_mobilise(incident=incident, actor=d, kind=kind, resource_id=pk)
    assert Outbox.objects.filter(template="incident_mobilised_sms").count() == 5
    for m in Mobilisation.objects.filter(incident=incident):
        services.mobilisation_ack(mobilisation=m, actor=d, by_phone=True)
    services.log_add(incident=incident, actor=d, kind="plan", at=at(2026, 11, 20, 20, 50))
    services.log_add(incident=incident, actor=d, kind="on_site", at=at(2026, 11, 20, 21, 40))
    services.log_add(incident=incident, actor=d, kind="cut", at=at(2026, 11, 20, 22, 0))
    services.log_add(incident=incident, actor=d, kind="restored", at=RESTORED)
    sent = services.broadcast_send(incident=incident, actor=d, text="停水通知", token="b" * 16)
    assert sent.broadcast.recipients == 18
    closed = services.incident_close(incident=incident, actor=d, note="阀门已更换")
    summary = closed.summary
    assert summary["duration_seconds"] == 10 * 3600 + 15 * 60
    assert summary["duration"] == "10小时15分钟"
    assert summary["population"] == 18_000
    assert summary["resources"] == {"team": 2, "machine": 0, "volunteer": 3}
    assert summary["acknowledged"] == 3 and summary["broadcast_recipients"] == 18
    assert [e["kind"] for e in summary["log"]] == [
        "启动预案",
        "抢修人员到场",
        "停水抢修",
        "恢复供水",
    ]
    assert "历时10小时15分钟" in closed.summary_text and "18000" in closed.summary_text
    # The dispatched ticket: the dispatcher may not reply for the unit, so a 催办 carries the
    # summary; the tickets not yet dispatched are left for the dispatcher's queue.
    outcomes = dict(closed.links.values_list("ticket__number", "outcome"))
    assert outcomes[tickets[0].number] == "noted"
    assert {outcomes[t.number] for t in tickets[1:]} == {"left"}
    remind = TicketEvent.objects.get(ticket=tickets[0], action="remind")
    assert "10小时15分钟" in remind.note
    assert not IncidentTicket.objects.filter(is_open=True).exists()
    with pytest.raises(InvalidTransition):
        services.log_add(incident=closed, actor=d, kind="note", at=RESTORED, text="补记")


def test_the_duration_text_across_days() -> None:
    assert services.duration_text(0) == "0分钟"
    assert services.duration_text(2 * 86400 + 3 * 3600 + 5 * 60) == "2天3小时5分钟"
    assert services.duration_text(86400) == "1天0小时0分钟"


def test_closing_needs_a_restoration_time_after_the_start(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    with pytest.raises(InvalidInput):
        services.incident_close(incident=incident, actor=people.dispatcher)
    with pytest.raises(InvalidInput):
        services.incident_close(
            incident=incident, actor=people.dispatcher, restored_at=at(2026, 11, 20, 8)
        )
    incident.refresh_from_db()
    assert incident.status == "open"


def test_figures_by_kind_with_the_median_time_to_restore(people: People) -> None:
    area = make_area(people)
    hours = [10, 4, 6]
    for i, h in enumerate(hours):
        incident = raise_water(
            people, area, [services_ticket(people, area)], title=f"停水{i}"
        ).incident
        services.incident_close(
            incident=incident, actor=people.dispatcher, restored_at=STARTED + dt.timedelta(hours=h)
        )
    rows = figures()
    assert [(r.label, r.total, r.closed, r.median_hours) for r in rows] == [("停水", 3, 3, 6.0)]
    assert overall_median_hours(rows) == 6.0


def test_more_tickets_are_linked_or_merged_later(people: People) -> None:
    area = make_area(people)
    first, second, third = water_tickets(people, area)
    incident = raise_water(people, area, [first]).incident
    assert (
        services.incident_link_tickets(incident=incident, actor=people.dispatcher, tickets=[second])
        == 1
    )
    services.incident_link_tickets(
        incident=incident, actor=people.dispatcher, tickets=[third], merge=True
    )
    third.refresh_from_db()
    assert (third.status, third.master_id) == (Status.MERGED, first.pk)
    with pytest.raises(InvalidTransition):
        services.incident_link_tickets(incident=incident, actor=people.dispatcher, tickets=[second])
    with pytest.raises(NotAllowed):
        services.incident_link_tickets(incident=incident, actor=people.operator, tickets=[second])
