"""民生议事会: the agenda drafted for a meeting, decisions whose work is tickets dispatched to the
township's stations, the next agenda showing that work on time, late or open; who may do it; a
refusal writes nothing; the agenda's query count does not grow with the tickets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.governance import councils
from minsheng.governance.models import AgendaItem, CouncilEvent, Decision, DecisionWork, Meeting
from minsheng.governance.services.councils import (
    council_decide,
    council_meeting_open,
    council_meeting_record,
)
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import Channel, Status, Ticket
from tests.conftest import People
from tests.governance.council_helpers import (
    HOUMIAO_VILLAGE,
    WHARF,
    Town,
    at,
    demand,
    finish,
    make_town,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def town(people: People) -> Town:
    return make_town(people)


def test_a_decision_for_two_stations_one_on_time_one_late_shows_on_the_next_agenda(
    town: Town,
) -> None:
    with time_machine.travel(at(2026, 10, 30), tick=False):
        asked = demand(town.people, title="孙口村村口路灯不亮")
    with time_machine.travel(at(2026, 11, 2), tick=False):
        meeting = council_meeting_open(
            actor=town.secretary, council=town.council, date=D(2026, 11, 2)
        )
        meeting = council_meeting_record(
            actor=town.secretary,
            meeting=meeting,
            chair="王书记",
            attendees="王书记、李镇长、各站所负责人",
            minutes="研究路灯和灌溉问题。",
            held=True,
        )
        decision = council_decide(
            actor=town.secretary,
            meeting=meeting,
            text="修复孙口村路灯，疏通灌渠",
            demands=[asked.pk],
            works=[
                (town.nyfw, D(2026, 11, 6), "疏通孙口村灌渠", "农业服务站负责"),
                (town.shsw.pk, D(2026, 11, 6), "修复孙口村路灯", ""),
            ],
        )
    works = list(decision.works.select_related("ticket", "unit").order_by("id"))
    assert [w.unit for w in works] == [town.nyfw, town.shsw]
    for work in works:
        assert work.ticket.channel == Channel.COUNCIL
        assert work.ticket.status == Status.DISPATCHED
        assert work.ticket.lead_unit_id == work.unit.pk
        assert "2026-11-06" in work.ticket.description
    assert list(decision.demands.all()) == [asked]
    # 农业服务站 replies on the 4th (on time), 社会事务服务站 on the 10th (late).
    with time_machine.travel(at(2026, 11, 4), tick=False):
        finish(works[0].ticket, town.h_nyfw)
    with time_machine.travel(at(2026, 11, 10), tick=False):
        finish(works[1].ticket, town.h_shsw)
    with time_machine.travel(at(2026, 11, 16), tick=False):
        nxt = council_meeting_open(actor=town.secretary, council=town.council, date=D(2026, 11, 16))
    assert nxt.since == D(2026, 11, 2)
    carry = {i.ticket_id: i.data["state"] for i in nxt.agenda_items.filter(kind="carry")}
    assert carry == {works[0].ticket_id: councils.ON_TIME, works[1].ticket_id: councils.LATE}
    with time_machine.travel(at(2026, 11, 16), tick=False):
        figures = councils.figures(town.council)
    assert (figures.decisions, figures.works, figures.on_time, figures.late, figures.open) == (
        1,
        2,
        1,
        1,
        0,
    )
    assert figures.demands_answered == 0  # the citizen's ticket is not closed yet
    verbs = list(
        CouncilEvent.objects.filter(council=town.council)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "opened", "held", "decided", "opened"]


def test_open_and_overdue_work_is_carried_over(town: Town) -> None:
    with time_machine.travel(at(2026, 11, 2), tick=False):
        meeting = council_meeting_open(actor=town.admin, council=town.council, date=D(2026, 11, 2))
        decision = council_decide(
            actor=town.admin,
            meeting=meeting,
            text="排查孙码头村积水",
            works=[(town.nyfw, D(2026, 11, 20), "排查积水", "")],
        )
    with time_machine.travel(at(2026, 11, 9), tick=False):
        agenda = councils.draft_agenda(town.council, since=D(2026, 11, 2), until=D(2026, 11, 9))
        assert [c.state for c in agenda.carry] == [councils.OPEN]
    with time_machine.travel(at(2026, 11, 23), tick=False):
        agenda = councils.draft_agenda(town.council, since=D(2026, 11, 16), until=D(2026, 11, 23))
        assert [(c.work.decision, c.state) for c in agenda.carry] == [
            (decision, councils.OPEN_LATE)
        ]


def test_the_agenda_groups_new_demands_and_lists_overdue_unsatisfied_and_repeat_callers(
    town: Town,
) -> None:
    people = town.people
    with time_machine.travel(at(2026, 10, 1), tick=False):
        # Old and overdue: dispatched long ago, never answered.
        late = actions.ticket_dispatch(
            ticket=demand(people, phone="13900000001", title="垃圾堆放"),
            actor=people.dispatcher,
            lead_unit=town.nyfw,
        )
    with time_machine.travel(at(2026, 10, 25), tick=False):
        demand(people, division=WHARF, phone="13600000003")  # before the period: not counted
    with time_machine.travel(at(2026, 11, 3), tick=False):
        for _ in range(3):
            demand(people, phone="13700000002")  # a repeat caller, 孙口村, uncategorised
        demand(people, division=WHARF, phone="13600000003", title="码头积水")
        demand(people, division=HOUMIAO_VILLAGE, phone="13700000002")  # 侯庙镇: not ours
        unhappy = actions.ticket_dispatch(
            ticket=demand(people, phone="13500000004", title="噪音扰民"),
            actor=people.dispatcher,
            lead_unit=town.shsw,
        )
        unhappy = finish(unhappy, town.h_shsw)
    with time_machine.travel(at(2026, 11, 4), tick=False):
        actions.ticket_callback(
            ticket=unhappy,
            actor=people.operator,
            reached=True,
            resolved=False,
            satisfaction="unsatisfied",
            comment="没有解决",
        )
    with time_machine.travel(at(2026, 11, 9), tick=False):
        agenda = councils.draft_agenda(town.council, since=D(2026, 11, 2), until=D(2026, 11, 9))
    assert agenda.new_total == 5
    groups = {(g.village, g.count) for g in agenda.groups}
    assert groups == {("孙口村委会", 4), ("孙码头村委会", 1)}
    assert [t.pk for t in agenda.overdue] == [late.pk]
    assert [t.pk for t in agenda.unsatisfied] == [unhappy.pk]
    assert [(r.phone, r.count) for r in agenda.repeat] == [("137****0002", 3)]
    assert all("13700000002" not in r.phone for r in agenda.repeat)


def test_another_townships_staff_and_station_handlers_may_not_run_the_council(town: Town) -> None:
    for user in (town.stranger, town.h_nyfw, town.people.org.leader):
        with pytest.raises(NotAllowed):
            council_meeting_open(actor=user, council=town.council, date=D(2026, 11, 2))
    assert not Meeting.objects.exists()
    assert councils.council_for(town.stranger, town.council.division_id) is None
    assert councils.council_for(town.h_nyfw, town.council.division_id) is None
    assert councils.council_for(town.people.org.leader, town.council.division_id) == town.council
    assert councils.council_for(town.people.alice, town.council.division_id) == town.council


def test_a_refused_decision_writes_nothing(town: Town, people: People) -> None:
    with time_machine.travel(at(2026, 11, 2), tick=False):
        meeting = council_meeting_open(
            actor=town.secretary, council=town.council, date=D(2026, 11, 2)
        )
        foreign = demand(people, division=HOUMIAO_VILLAGE)
    tickets = Ticket.objects.count()
    events = CouncilEvent.objects.count()
    bad_calls = [
        {"text": "", "works": []},
        {"text": "修路", "demands": [foreign.pk]},
        {"text": "修路", "works": [(people.org.houmiao, D(2026, 11, 6), "修路", "")]},
        {"text": "修路", "works": [(town.nyfw, D(2026, 10, 1), "修路", "")]},
        {"text": "修路", "works": [(town.nyfw, D(2026, 11, 6), "", "")]},
        {
            "text": "修路",
            "works": [(town.nyfw, D(2026, 11, 6), "修路", ""), ("nope", D(2026, 11, 6), "x", "")],
        },
    ]
    for kwargs in bad_calls:
        with time_machine.travel(at(2026, 11, 2), tick=False), pytest.raises(InvalidInput):
            council_decide(actor=town.secretary, meeting=meeting, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        council_decide(
            actor=town.stranger,
            meeting=meeting,
            text="修路",
            works=[(town.nyfw, D(2026, 11, 6), "修路", "")],
        )
    assert Ticket.objects.count() == tickets
    assert CouncilEvent.objects.count() == events
    assert not Decision.objects.exists() and not DecisionWork.objects.exists()


def test_a_held_meetings_agenda_is_frozen(town: Town) -> None:
    with time_machine.travel(at(2026, 11, 2), tick=False):
        meeting = council_meeting_open(
            actor=town.secretary, council=town.council, date=D(2026, 11, 2)
        )
        demand(town.people)
        meeting = council_meeting_record(
            actor=town.secretary,
            meeting=meeting,
            chair="王书记",
            attendees="全体",
            minutes="",
            held=True,
        )
        frozen = list(meeting.agenda_items.values_list("label", "count"))
        assert frozen  # the demand taken in before it was held
        demand(town.people, division=WHARF)
        council_meeting_record(
            actor=town.secretary,
            meeting=meeting,
            chair="王书记",
            attendees="全体",
            minutes="补充纪要",
            held=True,
        )
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("label", "count")) == frozen


def test_the_agenda_costs_the_same_queries_for_few_and_many_tickets(town: Town) -> None:
    def count() -> int:
        with (
            time_machine.travel(at(2026, 11, 9), tick=False),
            CaptureQueriesContext(connection) as ctx,
        ):
            councils.draft_agenda(town.council, since=D(2026, 11, 2), until=D(2026, 11, 9))
        return len(ctx.captured_queries)

    with time_machine.travel(at(2026, 11, 3), tick=False):
        demand(town.people)
    few = count()
    with time_machine.travel(at(2026, 11, 4), tick=False):
        for n in range(8):
            demand(town.people, division=WHARF if n % 2 else "410927102201", phone=f"1390000000{n}")
    assert count() == few
    assert few == AGENDA_QUERIES


# The new demands' groups (their sum is the total), their ids; the hot spots' state, their tickets and the
# texts of those not yet in the similar-case index; overdue; 不满意; repeat callers and their
# latest tickets; the carried-over works; the villagers' questions; the open suggestions (count, list).
AGENDA_QUERIES = 12


def test_the_demo_has_sunkous_council_with_three_meetings_and_work_on_time_late_and_open(
    db: None,
) -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    meetings = list(Meeting.objects.filter(council__division_id="410927102000").order_by("date"))
    assert len(meetings) == 3
    assert {m.status for m in meetings} == {Meeting.Status.HELD}
    works = list(
        DecisionWork.objects.filter(decision__meeting__in=meetings)
        .select_related("ticket", "unit", "decision__meeting")
        .order_by("decision__meeting__date", "id")
    )
    assert [w.unit.code for w in works] == [
        "sunkou-zfdd",
        "sunkou-zfdd",
        "sunkou-nyfw",
        "sunkou-shsw",
    ]
    assert [councils.work_state(w) for w in works] == [
        councils.ON_TIME,
        councils.LATE,
        councils.ON_TIME,
        councils.OPEN,
    ]
    # The last meeting's agenda carried the first two meetings' work over.
    carried = meetings[-1].agenda_items.filter(kind="carry").count()
    assert carried == 2


def test_a_stale_record_form_is_refused(town: Town) -> None:
    from minsheng.tickets.errors import StaleTicket

    with time_machine.travel(at(2026, 11, 2), tick=False):
        meeting = council_meeting_open(
            actor=town.secretary, council=town.council, date=D(2026, 11, 2)
        )
        shown = meeting.revision
        council_meeting_record(
            actor=town.people.alice, meeting=meeting, chair="王书记", attendees="", minutes="甲"
        )
        with pytest.raises(StaleTicket):
            council_meeting_record(
                actor=town.secretary,
                meeting=meeting,
                chair="李镇长",
                attendees="",
                minutes="乙",
                expected_revision=shown,
            )
    meeting.refresh_from_db()
    assert (meeting.chair, meeting.minutes) == ("王书记", "甲")


def test_the_council_shows_each_units_share_of_the_resolved_demands(town: Town) -> None:
    """The seed's participation figure: 孙口镇 resolved 182 demands in the half-year, 67 of them
    with the 执法大队 taking part (36.8 %), read from the statistics by the council's home."""
    from tests.stats.helpers import Story, refresh_all
    from tests.stats.helpers import at as stats_at

    people = town.people
    story = Story(people)
    team = people.org.sunkou_team
    start = stats_at(2026, 7, 6, 9)
    for i in range(182):
        moment = start + dt.timedelta(hours=20 * i)
        t = story.intake(moment)
        story.dispatch(t, moment + dt.timedelta(minutes=10), "sunkou", [team] if i < 67 else [])
        story.sign(t, moment + dt.timedelta(minutes=20))
        story.contact(t, moment + dt.timedelta(hours=1))
        story.reply(t, moment + dt.timedelta(days=1))
        story.callback(t, moment + dt.timedelta(days=2))
    refresh_all()
    shares = councils.participation(town.council, dt.date(2026, 12, 15))
    assert shares.resolved == 182
    assert [(n, share) for _name, n, share in shares.rows] == [(67, Decimal("36.8"))]
    # Another half-year: nothing resolved.
    assert councils.participation(town.council, dt.date(2026, 3, 15)).resolved == 0
