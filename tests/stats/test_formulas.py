"""Every formula of docs/metrics.md on hand-computed fixtures: tickets made through the real
services at chosen moments, rollups refreshed by the worker's code, figures read as the pages
read them, and the tickets behind each count listed as the drill-down lists them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minsheng.org.models import Unit, User
from minsheng.stats import drill, query
from minsheng.stats.figures import Figures, ratio
from minsheng.stats.periods import Period, period_of
from minsheng.tickets import actions
from minsheng.tickets.models import Assignment, Ticket
from tests.conftest import People
from tests.stats.helpers import Story, at, refresh_all, when

D = Decimal
JUNE = Period("month", dt.date(2025, 6, 1), dt.date(2025, 6, 30))
JULY = Period("month", dt.date(2025, 7, 1), dt.date(2025, 7, 31))
# Counts where each ticket counts at most once, so the drill-down lists exactly that many.
PER_TICKET = (
    "received",
    "merged",
    "transferred",
    "consult",
    "direct",
    "resp_due",
    "resp_ok",
    "resp_late",
    "reply_due",
    "reply_ok",
    "reply_late",
    "closed",
    "resolved",
    "handle_n",
    "part",
)


def figures(period: Period = JUNE, unit: Unit | None = None) -> Figures:
    refresh_all()
    return query.totals(query.Filters(period, unit=unit))


def assert_drills_match(user: User, period: Period = JUNE, unit: Unit | None = None) -> None:
    """The list behind each per-ticket count has exactly that many tickets."""
    f = query.Filters(period, unit=unit)
    totals = query.totals(f)
    for measure in PER_TICKET:
        expected = (
            totals.resp_late
            if measure == "resp_late"
            else totals.reply_late
            if measure == "reply_late"
            else totals[measure]
        )
        listed = drill.tickets_behind(user, measure, f).count()
        assert listed == expected, (measure, listed, expected)
        # A small figure is listed unit-first (PostgreSQL): the same tickets in the same order.
        by_date = list(drill.tickets_behind(user, measure, f).values_list("number", flat=True))
        unit_first = drill.tickets_behind(user, measure, f, expected=expected)
        assert list(unit_first.values_list("number", flat=True)) == by_date, measure


# --- the arithmetic ----------------------------------------------------------------------------


def test_a_rate_is_rounded_half_up_to_one_decimal_and_undefined_without_a_denominator() -> None:
    assert ratio(67, 182) == D("36.8")
    assert ratio(2, 3) == D("66.7")
    assert ratio(1, 8) == D("12.5")
    assert ratio(1333, 2000) == D("66.7")  # 66.65 rounds up, not to even
    assert ratio(0, 5) == D("0.0")
    assert ratio(0, 0) is None


def test_the_composite_weighs_the_three_rates_30_35_35() -> None:
    f = Figures.of(
        {"resp_due": 10, "resp_ok": 9, "cb_reached": 10, "cb_resolved": 8, "cb_satisfied": 10}
    )
    assert (f.response_rate, f.resolution_rate, f.satisfaction_rate) == (90, 80, 100)
    assert f.composite == D("90.0")  # (30×90 + 35×80 + 35×100) ÷ 100


def test_the_composite_uses_the_rates_as_displayed() -> None:
    # 响应率 2/3 → 66.7, 解决率 1/3 → 33.3, 满意率 3/3 → 100.0:
    # (30×66.7 + 35×33.3 + 35×100) ÷ 100 = 66.665 → 66.7
    f = Figures.of({"resp_due": 3, "resp_ok": 2, "cb_reached": 3, "cb_resolved": 1, "cb_basic": 3})
    assert f.composite == D("66.7")


def test_an_undefined_rate_leaves_the_composite_and_the_others_weigh_more() -> None:
    only_response = Figures.of({"resp_due": 10, "resp_ok": 9})
    assert only_response.resolution_rate is None
    assert only_response.composite == D("90.0")
    # 解决率 and 满意率 only: (35×50 + 35×100) ÷ 70 = 75.0
    no_response = Figures.of({"cb_reached": 2, "cb_resolved": 1, "cb_satisfied": 2})
    assert no_response.composite == D("75.0")
    assert Figures.of({"received": 4}).composite is None


def test_the_weights_come_from_the_settings(settings: pytest.FixtureRequest) -> None:
    settings.MINSHENG_STATS_WEIGHTS = (50, 25, 25)  # type: ignore[attr-defined]
    f = Figures.of(
        {"resp_due": 10, "resp_ok": 9, "cb_reached": 10, "cb_resolved": 8, "cb_satisfied": 10}
    )
    assert f.composite == D("90.0")  # (50×90 + 25×80 + 25×100) ÷ 100
    settings.MINSHENG_STATS_WEIGHTS = (100, 0, 0)  # type: ignore[attr-defined]
    assert f.composite == D("90.0")
    settings.MINSHENG_STATS_WEIGHTS = (0, 100, 0)  # type: ignore[attr-defined]
    assert f.composite == D("80.0")


def test_average_handling_time_share_and_direct_rate_formulas() -> None:
    f = Figures(
        {"handle_n": 3, "handle_secs": 3 * 3600 + 4 * 3600 + 5 * 3600 + 360, "part": 67},
        part_base=182,
    )
    assert f.avg_handling_hours == D("4.0")  # 12.1 h ÷ 3 = 4.03…
    assert f.share == D("36.8")
    assert Figures.of({"consult": 3, "direct": 2}).direct_rate == D("66.7")
    assert Figures.of({}).avg_handling_hours is None


# --- which period a ticket counts in -------------------------------------------------------------


def test_each_count_is_dated_by_its_own_local_day(people: People) -> None:
    s = Story(people)
    # 23:30 in Beijing on 30 June is 15:30 UTC: still June locally.
    t = s.intake(at(2025, 6, 30, 23, 30))
    s.dispatch(t, at(2025, 7, 1, 8, 40))
    s.sign(t, at(2025, 7, 1, 8, 50))
    s.contact(t, at(2025, 7, 1, 9))
    s.reply(t, at(2025, 7, 2, 9))
    s.callback(t, at(2025, 7, 3, 9))
    june, july = figures(JUNE), figures(JULY)
    assert (june["received"], june["closed"], june["cb_reached"], june["resp_due"]) == (1, 0, 0, 0)
    assert (july["received"], july["closed"], july["resolved"], july["cb_reached"]) == (0, 1, 1, 1)
    assert (july["resp_due"], july["resp_ok"], july["reply_due"], july["reply_ok"]) == (1, 1, 1, 1)
    # A half-year and a custom range are sums of their days.
    h2 = figures(period_of("half", dt.date(2025, 9, 1)))
    assert h2["closed"] == 1 and h2["received"] == 0
    both = figures(Period("custom", dt.date(2025, 6, 30), dt.date(2025, 7, 1)))
    assert both["received"] == 1
    assert_drills_match(people.org.leader, JUNE)
    assert_drills_match(people.org.leader, JULY)


# --- the three rates on tickets ------------------------------------------------------------------


def test_response_rate_counts_contact_by_the_deadline_and_skips_tickets_without_a_phone(
    people: People,
) -> None:
    s = Story(people)
    on_time = s.intake(at(2025, 6, 2, 9))
    s.dispatch(on_time, at(2025, 6, 2, 9, 10))
    s.sign(on_time, at(2025, 6, 2, 9, 20))
    s.contact(on_time, at(2025, 6, 2, 10))
    late = s.intake(at(2025, 6, 3, 9))
    s.dispatch(late, at(2025, 6, 3, 9, 10))
    s.sign(late, at(2025, 6, 3, 9, 20))
    late.refresh_from_db()
    assert late.contact_due is not None
    s.contact(late, late.contact_due + dt.timedelta(minutes=1))
    never = s.intake(at(2025, 6, 4, 9))  # signed, never contacted: late when the deadline passes
    s.dispatch(never, at(2025, 6, 4, 9, 10))
    s.sign(never, at(2025, 6, 4, 9, 20))
    no_phone = s.intake(at(2025, 6, 5, 9), citizen_phone="")
    s.dispatch(no_phone, at(2025, 6, 5, 9, 10))
    f = figures()
    assert (f["resp_due"], f["resp_ok"]) == (3, 1)
    assert f.response_rate == D("33.3")
    assert f.resp_late == 2
    sunkou = figures(unit=people.org.sunkou)
    assert (sunkou["resp_due"], sunkou["resp_ok"]) == (3, 1)
    assert figures(unit=people.org.houmiao)["resp_due"] == 0
    assert_drills_match(people.org.leader)
    assert_drills_match(people.org.leader, unit=people.org.sunkou)


def test_resolution_satisfaction_and_composite_from_callbacks(people: People) -> None:
    s = Story(people)
    s.handled(at(2025, 6, 2, 9), satisfaction="satisfied", resolved=True)
    s.handled(at(2025, 6, 3, 9), satisfaction="basically_satisfied", resolved=True)
    s.handled(at(2025, 6, 4, 9), satisfaction="unsatisfied", resolved=False)
    # An unreached callback counts nowhere; then a reached one is the round's verdict.
    t = s.intake(at(2025, 6, 9, 9))
    s.dispatch(t, at(2025, 6, 9, 9, 10))
    s.sign(t, at(2025, 6, 9, 9, 20))
    s.contact(t, at(2025, 6, 9, 10))
    s.reply(t, at(2025, 6, 10, 9))
    s.callback(t, at(2025, 6, 11, 9), reached=False)
    s.callback(t, at(2025, 6, 12, 9), satisfaction="basically_satisfied", resolved=False)
    f = figures()
    assert (f["cb_reached"], f["cb_resolved"], f["cb_satisfied"], f["cb_basic"]) == (4, 2, 1, 2)
    assert f.resolution_rate == D("50.0")  # 2 ÷ 4
    assert f.satisfaction_rate == D("75.0")  # (1 + 2) ÷ 4
    assert f.cb_unsatisfied == 1
    assert f.response_rate == D("100.0")
    assert f.composite == D("73.8")  # (30×100 + 35×50 + 35×75) ÷ 100 = 73.75
    # Closed: the satisfied and basically satisfied ones; resolved: the verdict says so.
    assert (f["closed"], f["resolved"]) == (3, 2)
    assert_drills_match(people.org.leader)


def test_the_last_reached_callback_of_a_round_is_its_verdict(people: People) -> None:
    s = Story(people)
    t = s.intake(at(2025, 6, 2, 9))
    s.dispatch(t, at(2025, 6, 2, 9, 10))
    s.sign(t, at(2025, 6, 2, 9, 20))
    s.contact(t, at(2025, 6, 2, 10))
    s.reply(t, at(2025, 6, 3, 9))
    s.callback(t, at(2025, 6, 4, 9), satisfaction="unsatisfied", resolved=False)
    s.callback(t, at(2025, 6, 5, 9), satisfaction="satisfied", resolved=True)  # called again
    f = figures()
    assert (f["cb_reached"], f["cb_resolved"], f["cb_satisfied"]) == (1, 1, 1)
    assert f.satisfaction_rate == D("100.0")


# --- reopened, merged, transferred, returned, assisting --------------------------------------------


def test_a_reopened_ticket_has_a_verdict_per_round_for_that_rounds_lead(people: People) -> None:
    s = Story(people)
    t = s.handled(at(2025, 6, 2, 9), satisfaction="unsatisfied", resolved=False)
    with when(at(2025, 6, 5, 9)):
        actions.ticket_reopen(ticket=t, actor=people.operator, note="路灯仍不亮。")
    s.sign(t, at(2025, 6, 5, 10))
    s.contact(t, at(2025, 6, 5, 11))
    s.reply(t, at(2025, 6, 6, 9))
    s.callback(t, at(2025, 6, 7, 9), satisfaction="satisfied", resolved=True)
    f = figures()
    assert (f["received"], f["cb_reached"], f["cb_resolved"], f["reopens"]) == (1, 2, 1, 1)
    assert (f["closed"], f["resolved"]) == (1, 1)
    assert f.resolution_rate == D("50.0")
    # Only the last round's contact and reply deadlines count.
    assert (f["resp_due"], f["reply_due"], f["handle_n"]) == (1, 1, 1)
    sunkou = figures(unit=people.org.sunkou)
    assert (sunkou["reopens"], sunkou["cb_reached"]) == (1, 2)
    assert_drills_match(people.org.leader)


def test_a_merged_ticket_counts_once_in_volume_and_never_for_a_unit(people: People) -> None:
    s = Story(people)
    master = s.intake(at(2025, 6, 2, 9))
    duplicate = s.intake(at(2025, 6, 2, 10), citizen_phone="13900139000")
    s.dispatch(duplicate, at(2025, 6, 2, 10, 5), "houmiao")  # dispatched before anyone noticed
    with when(at(2025, 6, 2, 10, 30)):
        actions.ticket_merge(ticket=duplicate, actor=people.dispatcher, master=master)
    s.dispatch(master, at(2025, 6, 2, 11))
    s.sign(master, at(2025, 6, 2, 11, 10))
    s.contact(master, at(2025, 6, 2, 11, 30))
    s.reply(master, at(2025, 6, 3, 9))
    s.callback(master, at(2025, 6, 4, 9))
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.close_reason) == ("closed", "master")  # follows master
    f = figures()
    assert (f["received"], f["merged"], f["closed"], f["resolved"], f["resp_due"]) == (
        2,
        1,
        1,
        1,
        1,
    )
    houmiao = figures(unit=people.org.houmiao)
    assert houmiao.empty
    sunkou = figures(unit=people.org.sunkou)
    assert (sunkou["received"], sunkou["merged"], sunkou["closed"]) == (1, 0, 1)
    assert_drills_match(people.org.leader)
    assert_drills_match(people.org.leader, unit=people.org.houmiao)


def test_a_ticket_transferred_to_110_counts_for_no_unit(people: People) -> None:
    s = Story(people)
    t = s.intake(at(2025, 6, 2, 9), title="有人打架")
    s.dispatch(t, at(2025, 6, 2, 9, 5))
    with when(at(2025, 6, 2, 9, 10)):
        actions.ticket_emergency_transfer(ticket=t, actor=people.operator, to="110")
    f = figures()
    assert (f["received"], f["transferred"], f["resp_due"], f["reply_due"], f["closed"]) == (
        1,
        1,
        0,
        0,
        0,
    )
    assert figures(unit=people.org.sunkou).empty
    assert_drills_match(people.org.leader)


def test_returns_count_for_the_unit_that_returned(people: People) -> None:
    s = Story(people)
    t = s.intake(at(2025, 6, 2, 9))
    s.dispatch(t, at(2025, 6, 2, 9, 10), "houmiao")
    with when(at(2025, 6, 2, 10)):
        actions.ticket_return(ticket=t, actor=people.bob, reason="不属于本镇辖区。")
    with when(at(2025, 6, 2, 11)):
        actions.ticket_return_accept(ticket=t, actor=people.dispatcher, lead_unit="sunkou")
    s.sign(t, at(2025, 6, 2, 12))
    s.contact(t, at(2025, 6, 2, 14, 40))
    s.reply(t, at(2025, 6, 3, 9))
    s.callback(t, at(2025, 6, 4, 9))
    houmiao, sunkou = figures(unit=people.org.houmiao), figures(unit=people.org.sunkou)
    assert (houmiao["returns"], houmiao["received"], houmiao["part"]) == (1, 0, 0)
    assert (sunkou["returns"], sunkou["received"], sunkou["resolved"], sunkou["part"]) == (
        0,
        1,
        1,
        1,
    )
    assert figures()["returns"] == 1
    f = query.Filters(JUNE, unit=people.org.houmiao)
    assert [x.number for x in drill.tickets_behind(people.org.leader, "returns", f)] == [t.number]


def test_an_assisting_only_unit_has_participation_but_no_rates(people: People) -> None:
    s = Story(people)
    t = s.intake(at(2025, 6, 2, 9))
    s.dispatch(t, at(2025, 6, 2, 9, 10), "sunkou", assisting=["houmiao"])
    s.sign(t, at(2025, 6, 2, 9, 20))
    s.contact(t, at(2025, 6, 2, 10))
    s.reply(t, at(2025, 6, 3, 9))
    s.callback(t, at(2025, 6, 4, 9))
    s.handled(at(2025, 6, 9, 9))  # sunkou alone
    refresh_all()
    rows, _own = query.by_unit(query.Filters(JUNE))
    by_code = {r.key: r.figures for r in rows}
    houmiao = by_code["houmiao"]
    assert (houmiao["received"], houmiao["part"], houmiao.composite) == (0, 1, None)
    assert houmiao.share == D("50.0")  # 1 of the 2 resolved tickets
    assert by_code["sunkou"].share == D("100.0")
    assert_drills_match(people.org.leader, unit=people.org.houmiao)


def test_participation_counts_a_ticket_once_for_a_unit_and_its_ancestors(people: People) -> None:
    """孙口镇 gives its part to its team (下派): both took part, 孙口镇 once."""
    s = Story(people)
    team = people.org.sunkou_team
    t = s.intake(at(2025, 6, 2, 9))
    s.dispatch(t, at(2025, 6, 2, 9, 10), "sunkou")
    s.sign(t, at(2025, 6, 2, 9, 20))
    with when(at(2025, 6, 2, 9, 30)):
        actions.ticket_decompose(
            ticket=t, actor=people.alice, units=[team], instructions="请中队现场处置。"
        )
    subtask = s.part_of(t, team, Assignment.Role.SUBTASK)
    s.sign(t, at(2025, 6, 2, 9, 40), part=subtask)
    s.reply(t, at(2025, 6, 2, 15), part=subtask)
    s.contact(t, at(2025, 6, 2, 16))
    s.reply(t, at(2025, 6, 3, 9))
    s.callback(t, at(2025, 6, 4, 9))
    assert figures(unit=people.org.sunkou)["part"] == 1
    assert figures(unit=team)["part"] == 1
    rows, _own = query.by_unit(query.Filters(JUNE, unit=people.org.sunkou))
    assert [(r.key, r.figures["part"], r.figures.share) for r in rows] == [
        ("sunkou-nc1", 1, D("100.0"))
    ]


def test_handling_time_is_counted_in_working_hours(people: People) -> None:
    """Monday 9 June 2025 09:00 → Tuesday 09:00: 3 h + 3 h on Monday (08:30–12:00, 14:30–17:30
    from 09:00), 0.5 h on Tuesday = 6.5 working hours."""
    Story(people).handled(at(2025, 6, 9, 9))
    f = figures()
    assert f["handle_n"] == 1
    assert f["handle_secs"] == int(6.5 * 3600)
    assert f.avg_handling_hours == D("6.5")


def test_direct_answer_rate_of_consultations(people: People) -> None:
    s = Story(people)
    answered = s.intake(at(2025, 6, 2, 9), kind="consultation")
    with when(at(2025, 6, 2, 9, 5)):
        actions.ticket_direct_answer(ticket=answered, actor=people.operator, answer="可在线办理。")
    s.intake(at(2025, 6, 2, 10), kind="consultation")  # left for a unit
    s.handled(at(2025, 6, 3, 9))  # a complaint: not a consultation
    f = figures()
    assert (f["consult"], f["direct"], f["received"]) == (2, 1, 3)
    assert f.direct_rate == D("50.0")
    assert f["closed"] == 1  # the direct answer is not a unit's 办结
    assert_drills_match(people.org.leader)


# --- the seed's figure ---------------------------------------------------------------------------


def test_the_seeds_participation_share(people: People) -> None:
    """2025年上半年全镇各部门累计解决群众诉求182件，其中执法队参与处置民生事件67件，占比达36.8%."""
    s = Story(people)
    team = people.org.sunkou_team
    start = at(2025, 1, 6, 9)
    for i in range(182):
        moment = start + dt.timedelta(hours=22 * i)
        t = s.intake(moment)
        s.dispatch(t, moment + dt.timedelta(minutes=10), "sunkou", [team] if i < 67 else [])
        s.sign(t, moment + dt.timedelta(minutes=20))
        s.contact(t, moment + dt.timedelta(hours=1))
        s.reply(t, moment + dt.timedelta(days=1))
        s.callback(t, moment + dt.timedelta(days=2))
    # Not part of the figure: unresolved, another township's, and resolved after June.
    s.handled(at(2025, 3, 3, 9), satisfaction="basically_satisfied", resolved=False)
    s.handled(at(2025, 3, 4, 9), lead="houmiao", actor=people.bob)
    late = s.intake(at(2025, 6, 29, 9))
    s.dispatch(late, at(2025, 6, 29, 9, 10), "sunkou", [team])
    s.sign(late, at(2025, 6, 29, 9, 20))
    s.contact(late, at(2025, 6, 29, 10))
    s.reply(late, at(2025, 7, 1, 9))
    s.callback(late, at(2025, 7, 2, 9))
    refresh_all()
    h1 = query.Filters(period_of("half", dt.date(2025, 3, 1)), unit=people.org.sunkou)
    township = query.totals(h1)
    assert township["part"] == 182
    rows, _own = query.by_unit(h1, township)
    assert [(r.key, r.figures["part"], r.figures.share) for r in rows] == [
        ("sunkou-nc1", 67, D("36.8"))
    ]
    assert Ticket.objects.filter(assignments__unit=team).count() == 68
    assert drill.tickets_behind(people.org.leader, "part", h1).count() == 182
    team_f = query.Filters(h1.period, unit=team)
    assert drill.tickets_behind(people.org.leader, "part", team_f).count() == 67
