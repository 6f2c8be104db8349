"""包村 and 走访's services: who may assign and record, a need made a ticket (channel 走访, then
dispatched like any other) or a suggestion on the council's next agenda, a refusal writes
nothing, a resent form records nothing twice; and the figures, computed by hand."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from minsheng.governance import visits as selectors
from minsheng.governance.models import (
    AgendaItem,
    Suggestion,
    VillageAssignment,
    Visit,
    VisitEvent,
    VisitNeed,
)
from minsheng.governance.services.councils import council_meeting_open
from minsheng.governance.services.suggestions import suggestion_decline
from minsheng.governance.services.visits import (
    Need,
    Recorded,
    assignment_add,
    assignment_end,
    visit_record,
)
from minsheng.org.models import Division
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.tickets.models import Category, Channel, Status, Ticket
from tests.conftest import People
from tests.governance.council_helpers import HOUMIAO_VILLAGE, at, finish
from tests.governance.visit_helpers import Field, make_field

pytestmark = pytest.mark.django_db

D = dt.date
TICKET, SUGGEST = VisitNeed.Outcome.TICKET, VisitNeed.Outcome.SUGGESTION
DAY = D(2026, 11, 10)


@pytest.fixture
def field(people: People) -> Field:
    return make_field(people)


def _visit(f: Field, day: dt.date = DAY, **kw: object) -> Recorded:
    fields: dict[str, object] = {
        "actor": f.cadre,
        "village": f.village,
        "date": day,
        "households": 12,
        "note": "入户走访，了解春耕和饮水情况",
        "needs": [
            Need(
                "村东头机井坏了，浇地困难", TICKET, citizen_name="李四", citizen_phone="13900001111"
            ),
            Need("建议在村小学门口设置减速带", SUGGEST),
        ],
    }
    fields.update(kw)
    with time_machine.travel(at(day.year, day.month, day.day, 16), tick=False):
        return visit_record(**fields)  # type: ignore[arg-type]


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Visit.objects.count(),
        VisitNeed.objects.count(),
        Ticket.objects.count(),
        Suggestion.objects.count(),
        VisitEvent.objects.filter(subject="visit").count(),
    )


# --- Assignments --------------------------------------------------------------------------------


def test_the_townships_staff_and_administrators_assign_others_are_refused(field: Field) -> None:
    f = field
    before = VisitEvent.objects.count()
    assert before == 3  # each assignment of the helper wrote its event
    for outsider in (f.town.stranger, f.town.h_nyfw, f.cadre, f.county):
        with pytest.raises(NotAllowed):
            assignment_add(
                actor=outsider,
                person=f.cadre,
                village=f.wharf,
                duty=VillageAssignment.Duty.TEAM,
                starts_on=D(2027, 1, 1),
            )
    # Not a village; overlapping the same person's period there; an end before the start.
    township = Division.objects.get(code=f.town.council.division_id)
    with pytest.raises(InvalidInput):
        assignment_add(
            actor=f.town.secretary,
            person=f.cadre,
            village=township,
            duty="cadre",
            starts_on=D(2026, 1, 1),
        )
    with pytest.raises(InvalidTransition):
        assignment_add(
            actor=f.town.secretary,
            person=f.cadre,
            village=f.wharf,
            duty="team",
            starts_on=D(2026, 6, 1),
            ends_on=D(2026, 7, 1),
        )
    with pytest.raises(InvalidInput):
        assignment_add(
            actor=f.town.secretary,
            person=f.county,
            village=f.wharf,
            duty="leader",
            starts_on=D(2026, 6, 1),
            ends_on=D(2026, 5, 1),
        )
    # The township's secretary may not assign in another township's village.
    with pytest.raises(NotAllowed):
        assignment_add(
            actor=f.town.secretary,
            person=f.cadre,
            village=Division.objects.get(code=HOUMIAO_VILLAGE),
            duty="cadre",
            starts_on=D(2026, 1, 1),
        )
    assert VisitEvent.objects.count() == before
    assert VillageAssignment.objects.count() == 3


def test_one_person_several_villages_one_village_several_people(field: Field) -> None:
    f = field
    mine = selectors.my_assignments(f.cadre, today=D(2026, 11, 1))
    assert [a.village_id for a in mine] == [f.village.code, f.wharf.code]
    who = selectors.responsible_for(f.village, D(2026, 11, 1))
    assert {a.person_id for a in who} == {f.cadre.pk, f.county.pk}
    # Ended on 2026-11-15: responsible until that day, not after.
    with time_machine.travel(at(2026, 11, 10), tick=False):
        assignment_end(actor=f.town.secretary, assignment=f.a_county, ends_on=D(2026, 11, 15))
    assert f.county.pk in {
        a.person_id for a in selectors.responsible_for(f.village, D(2026, 11, 15))
    }
    assert {a.person_id for a in selectors.responsible_for(f.village, D(2026, 11, 16))} == {
        f.cadre.pk
    }
    event = VisitEvent.objects.filter(subject="assignment", verb="ended").get()
    assert (event.subject_id, event.actor_id) == (f.a_county.pk, f.town.secretary.pk)
    with time_machine.travel(at(2026, 11, 20), tick=False), pytest.raises(InvalidTransition):
        assignment_end(actor=f.town.secretary, assignment=f.a_county, ends_on=D(2026, 11, 30))
    with pytest.raises(NotAllowed):
        assignment_end(actor=f.town.stranger, assignment=f.a_wharf, ends_on=D(2026, 11, 30))


# --- Visits -------------------------------------------------------------------------------------


def test_only_a_cadre_assigned_on_that_day_or_an_administrator_records_a_visit(
    field: Field, people: People
) -> None:
    f = field
    houmiao_village = Division.objects.get(code=HOUMIAO_VILLAGE)
    for actor, village, day in (
        (f.cadre, houmiao_village, D(2026, 11, 10)),  # not assigned there
        (f.cadre, f.village, D(2025, 12, 31)),  # before the assignment
        (f.town.secretary, f.village, D(2026, 11, 10)),  # the township's staff: not assigned
        (people.operator, f.village, D(2026, 11, 10)),
    ):
        with pytest.raises(NotAllowed):
            _visit(f, day, actor=actor, village=village)
    assert _counts() == (0, 0, 0, 0, 0)
    done = _visit(f, actor=f.town.admin, needs=[])
    assert not done.repeated and done.visit.visitor_id == f.town.admin.pk
    # An ended assignment no longer covers later days.
    with time_machine.travel(at(2026, 11, 10), tick=False):
        assignment_end(actor=f.town.secretary, assignment=f.a_county, ends_on=D(2026, 11, 10))
    _visit(f, D(2026, 11, 10), actor=f.county, needs=[])
    with pytest.raises(NotAllowed):
        _visit(f, D(2026, 11, 11), actor=f.county, needs=[])


def test_a_need_made_a_ticket_waits_for_the_dispatcher_like_any_other(
    field: Field, people: People
) -> None:
    f = field
    done = _visit(f)
    need = done.visit.needs.get(position=1)
    ticket = need.ticket
    assert ticket is not None and need.suggestion is None
    assert (ticket.channel, ticket.status, ticket.division_id) == (
        Channel.VISIT,
        Status.NEW,
        f.village.code,
    )
    assert ticket.created_by.username == "visit-desk"
    assert "走访人：王干部" in ticket.description and "机井" in ticket.description
    assert (ticket.citizen_name, ticket.citizen_phone) == ("李四", "13900001111")
    with time_machine.travel(at(2026, 11, 11), tick=False):
        dispatched = actions.ticket_dispatch(
            ticket=ticket, actor=people.dispatcher, lead_unit=f.town.nyfw
        )
    assert (dispatched.status, dispatched.lead_unit_id) == (Status.DISPATCHED, f.town.nyfw.pk)
    event = VisitEvent.objects.get(subject="visit")
    assert event.actor_id == f.cadre.pk and event.subject_id == done.visit.pk
    assert event.data["needs"][0] == {"n": 1, "outcome": "ticket", "ticket": ticket.number}


def test_a_need_put_before_the_council_is_on_its_next_agenda(field: Field) -> None:
    f = field
    done = _visit(f)
    need = done.visit.needs.get(position=2)
    suggestion = need.suggestion
    assert suggestion is not None and need.ticket is None
    assert (suggestion.source, suggestion.village_id, suggestion.reference) == (
        Suggestion.Source.VISIT,
        f.village.code,
        f"visit:{done.visit.pk}:2",
    )
    with time_machine.travel(at(2026, 11, 16), tick=False):
        meeting = council_meeting_open(
            actor=f.town.secretary, council=f.town.council, date=D(2026, 11, 16)
        )
    items = meeting.agenda_items.filter(kind=AgendaItem.Kind.SUGGESTION)
    assert [i.data["suggestion"] for i in items] == [suggestion.pk]
    assert "减速带" in items[0].label


def test_a_refused_visit_writes_nothing(field: Field, monkeypatch: pytest.MonkeyPatch) -> None:
    f = field
    bad_phone = [
        Need("村东头机井坏了", TICKET),
        Need("路灯不亮", TICKET, citizen_phone="12345"),
    ]
    with pytest.raises(InvalidInput) as refused:
        _visit(f, needs=bad_phone)
    assert "第 2 条诉求" in refused.value.message
    for needs in (
        [Need("", TICKET)],
        [Need("路灯不亮", "maybe")],
        [Need("x", TICKET)] * 11,
    ):
        with pytest.raises(InvalidInput):
            _visit(f, needs=needs)
    with pytest.raises(InvalidInput):
        _visit(f, households=-1)
    with pytest.raises(InvalidInput):
        _visit(f, date=D(2026, 11, 30))  # later than today (the 10th)
    # A parent category is not a leaf.
    root = Category.objects.create(name="城乡建设", level=1, full_name="城乡建设")
    Category.objects.create(name="路灯", level=2, full_name="城乡建设/路灯", parent=root)
    with pytest.raises(InvalidInput):
        _visit(f, needs=[Need("路灯不亮", TICKET, category=root)])
    # A failure while writing (the second need's ticket) rolls the whole visit back.
    real = actions.ticket_intake
    calls = {"n": 0}

    def failing(**kw: object) -> Ticket:
        calls["n"] += 1
        if calls["n"] == 2:
            raise InvalidInput("模拟失败")
        return real(**kw)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "ticket_intake", failing)
    with pytest.raises(InvalidInput):
        _visit(f, needs=[Need("一", TICKET), Need("二", SUGGEST), Need("三", TICKET)])
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_township_without_a_council_takes_needs_as_tickets_only(field: Field) -> None:
    f = field
    f.town.council.delete()
    with pytest.raises(InvalidInput) as refused:
        _visit(f)
    assert "尚未设立民生议事会" in refused.value.message
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_resent_form_records_nothing_twice(field: Field, people: People) -> None:
    f = field
    token = uuid.uuid4()
    first = _visit(f, token=token)
    again = _visit(f, token=token)
    assert not first.repeated and again.repeated and again.visit.pk == first.visit.pk
    assert _counts() == (1, 2, 1, 1, 1)
    with pytest.raises(InvalidInput):
        _visit(f, token=token, actor=f.county)
    assert _counts() == (1, 2, 1, 1, 1)


# --- Figures ------------------------------------------------------------------------------------


def test_the_townships_figures_computed_by_hand(field: Field, people: People) -> None:
    f = field
    # October: 孙口村 once (8 households). November: 孙口村 twice (12 + 5), 孙码头村 never.
    october = _visit(f, D(2026, 10, 20), households=8, needs=[Need("修路", TICKET)])
    first = _visit(f, D(2026, 11, 3))  # a ticket and a suggestion
    second = _visit(
        f,
        D(2026, 11, 9),
        actor=f.county,
        households=5,
        needs=[Need("河道垃圾", TICKET), Need("文化广场", SUGGEST), Need("健身器材", SUGGEST)],
    )
    # Resolved: the October ticket (replied), one November suggestion (declined); the
    # November tickets are open and the other suggestions wait.
    with time_machine.travel(at(2026, 11, 10), tick=False):
        t = october.visit.needs.get().ticket
        t = actions.ticket_dispatch(ticket=t, actor=people.dispatcher, lead_unit=f.town.nyfw)
        finish(t, f.town.h_nyfw)
        declined = second.visit.needs.get(position=3).suggestion
        suggestion_decline(actor=f.town.secretary, suggestion=declined, note="已有规划")
    township = Division.objects.get(code=f.town.council.division_id)
    with time_machine.travel(at(2026, 11, 20), tick=False):
        o = selectors.overview(township, D(2026, 11, 1))
    assert o.months == [D(2026, m, 1) for m in (6, 7, 8, 9, 10, 11)]
    rows = {r.village.code: r for r in o.rows}
    assert rows[f.village.code].months == [0, 0, 0, 0, 1, 2]
    assert (rows[f.village.code].visits, rows[f.village.code].households) == (2, 17)
    assert rows[f.village.code].last == D(2026, 11, 9)
    assert rows[f.wharf.code].months == [0, 0, 0, 0, 0, 0] and rows[f.wharf.code].last is None
    assert [r.village.code for r in o.not_visited] == [f.wharf.code]
    assert (o.visits, o.households, o.visited) == (2, 17, 1)
    assert o.needs == selectors.NeedFigures(collected=5, as_tickets=2, as_suggestions=3, resolved=1)
    assert o.needs_window == selectors.NeedFigures(
        collected=6, as_tickets=3, as_suggestions=3, resolved=2
    )
    assert {a.person_id for a in rows[f.village.code].responsible} == {f.cadre.pk, f.county.pk}
    [line] = selectors.township_lines([township], D(2026, 11, 1))
    assert (line.villages, line.visited, line.not_visited, line.visits) == (2, 1, 1, 2)
    assert (line.needs, line.resolved) == (5, 1)
    assert first.visit.pk and second.visit.pk


def test_the_demo_assigns_sunkous_villages_and_records_visits() -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    township = Division.objects.get(code="410927102000")
    assert VillageAssignment.objects.filter(township=township).count() == 8
    two = VillageAssignment.objects.filter(person__username="h-sunkou").count()
    assert two == 2
    assert Visit.objects.filter(township=township).count() == 3
    needs = VisitNeed.objects.filter(visit__township=township)
    assert sorted(n.outcome for n in needs) == [SUGGEST, TICKET]
    ticket = needs.get(outcome=TICKET).ticket
    assert ticket is not None and (ticket.channel, ticket.status) == (Channel.VISIT, Status.NEW)
    assert needs.get(outcome=SUGGEST).suggestion.status == Suggestion.Status.OPEN  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_form_sent_at_once_record_one_visit(people: People) -> None:
    from tests.conftest import run_together

    f = make_field(people)
    token = uuid.uuid4()
    with time_machine.travel(at(2026, 11, 10, 16), tick=False):
        done = run_together(
            *[
                lambda: visit_record(
                    actor=f.cadre,
                    village=f.village,
                    date=DAY,
                    households=12,
                    needs=[Need("村东头机井坏了", TICKET), Need("建议设置减速带", SUGGEST)],
                    token=token,
                )
            ]
            * 2
        )
    assert sorted(d.repeated for d in done) == [False, True]
    assert done[0].visit.pk == done[1].visit.pk
    assert _counts() == (1, 2, 1, 1, 1)
