"""服务点 and 服务矩阵: the matrix's covered population computed by hand (a village served twice
counts once; the uncovered village listed), the county's lines, temporary points outside their
period, bad input refused with nothing written, entries recorded once for a resent form, who may
do what, and the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from minsheng.governance import servicepoints as selectors
from minsheng.governance.models import (
    ServiceEntry,
    ServicePoint,
    ServicePointEvent,
    ServicePointVillage,
)
from minsheng.governance.services.servicepoints import (
    PointInput,
    entry_record,
    point_create,
    point_update,
)
from minsheng.org.models import Division
from minsheng.tickets.errors import InvalidInput, NotAllowed
from tests.conftest import People
from tests.governance.council_helpers import HOUMIAO_VILLAGE, VILLAGE, WHARF, at
from tests.governance.servicepoint_helpers import (
    DAIZHUANG,
    LIUQIAO,
    POPULATION,
    Points,
    make_points,
    point,
)

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 10)


@pytest.fixture
def p(people: People) -> Points:
    return make_points(people)


def test_the_matrix_counts_each_covered_village_once_and_lists_the_uncovered(p: Points) -> None:
    # Two points covering three of the four villages, 孙码头村 served by both.
    point(p, "孙口村综合服务站", [VILLAGE, WHARF])
    point(p, "代庄护学岗", [WHARF, DAIZHUANG], unit=p.town.shsw, services=("护学",))
    m = selectors.matrix(p.sunkou, TODAY)
    # By hand: 孙口村 1,200 + 孙码头村 800 + 代庄村 500 = 2,500 (孙码头村 once); 刘桥村 left out.
    assert m.covered_population == 1200 + 800 + 500 == 2500
    assert [r.village.code for r in m.uncovered] == [LIUQIAO]
    assert m.total_population == sum(POPULATION.values()) == 2800
    assert m.points == 2 and len(m.covered_rows) == 3
    assert [name for _pk, name in m.units] == ["孙口镇农业服务站", "孙口镇社会事务服务站"]
    cells = {r.village.code: r.cells for r in m.rows}
    assert cells[WHARF] == [["政策咨询", "代办"], ["护学"]]
    assert cells[VILLAGE] == [["政策咨询", "代办"], []]
    assert cells[LIUQIAO] == [[], []]
    assert {r.village.code: r.points for r in m.rows}[WHARF] == 2


def test_a_township_hall_window_serves_every_village_and_the_figure_is_the_township(
    p: Points,
) -> None:
    window = point(
        p, "孙口镇便民服务窗口", [], whole=True, unit=p.town.people.org.sunkou, kind="window"
    )
    assert not ServicePointVillage.objects.filter(point=window).exists()
    m = selectors.matrix(p.sunkou, TODAY)
    assert m.covered_population == 2800 and not m.uncovered
    assert selectors.served(window, TODAY).population == 2800
    # A village added later is served too, and a village without a count adds nothing.
    Division.objects.create(
        code="410927102205", name="王黑村委会", level=Division.Level.VILLAGE, parent=p.sunkou
    )
    m = selectors.matrix(p.sunkou, TODAY)
    assert m.covered_population == 2800 and [r.village.name for r in m.uncounted] == ["王黑村委会"]


def test_the_seed_figure_reads_in_wan() -> None:
    assert selectors.wan(71_000) == "7.1 万"
    assert selectors.wan(70_000) == "7 万"
    assert selectors.wan(9_999) == "9999"


def test_a_temporary_point_counts_only_in_its_period(p: Points) -> None:
    point(
        p,
        "高考服务点",
        [LIUQIAO],
        kind="temporary",
        starts_on=D(2026, 6, 6),
        ends_on=D(2026, 6, 9),
    )
    assert selectors.matrix(p.sunkou, D(2026, 6, 7)).covered_population == 300
    assert selectors.matrix(p.sunkou, TODAY).covered_population == 0
    with pytest.raises(InvalidInput, match="临时服务点请填写开始和结束日期"):
        point(p, "无期限临时点", [LIUQIAO], kind="temporary")


def test_the_county_lines_match_the_matrix(p: Points) -> None:
    point(p, "孙口村综合服务站", [VILLAGE, WHARF])
    point(p, "代庄护学岗", [WHARF, DAIZHUANG], unit=p.town.shsw)
    townships = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code"))
    lines = {line.township.name: line for line in selectors.county_lines(townships, TODAY)}
    sunkou = lines["孙口镇"]
    assert (sunkou.covered_population, sunkou.total_population) == (2500, 2800)
    assert (sunkou.villages, sunkou.covered_villages, sunkou.uncovered_villages) == (4, 3, 1)
    assert sunkou.points == 2
    houmiao = lines["侯庙镇"]
    assert (houmiao.points, houmiao.covered_population, houmiao.uncovered_villages) == (0, 0, 1)


def test_a_point_without_a_place_is_refused_and_nothing_is_written(p: Points) -> None:
    with pytest.raises(InvalidInput, match="请选择服务点所在的乡镇或村（社区）") as refused:
        point_create(
            actor=p.town.secretary,
            data=PointInput(
                unit=p.town.nyfw,
                kind="station",
                name="无地点服务站",
                place=None,
                services=("代办",),
                villages=(p.villages[VILLAGE],),
            ),
        )
    assert refused.value.field == "place"
    # A county is not a place for a point either.
    county = Division.objects.get(level=Division.Level.COUNTY)
    with pytest.raises(InvalidInput, match="请选择服务点所在的乡镇或村"):
        point(p, "县里的点", [VILLAGE], place=county)
    assert not ServicePoint.objects.exists() and not ServicePointEvent.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, "请填写服务点名称"),
        ({"kind": "bogus"}, "请选择服务点类型"),
        ({"kind": "other"}, "类型为“其他”时请填写自定义类型"),
        ({"services": (" ", "")}, "请至少填写一项服务内容"),
        ({"villages": ()}, "请选择服务的村（社区），或勾选服务全乡镇"),
        ({"starts_on": D(2026, 6, 9), "ends_on": D(2026, 6, 6)}, "结束日期不能早于开始日期"),
    ],
    ids=["blank-name", "bad-kind", "other-without-label", "no-service", "no-village", "period"],
)
def test_bad_points_are_refused(p: Points, change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "unit": p.town.nyfw,
        "kind": "station",
        "name": "服务站",
        "place": p.villages[VILLAGE],
        "services": ("代办",),
        "villages": (p.villages[VILLAGE],),
    }
    fields.update(change)
    with pytest.raises(InvalidInput, match=message):
        point_create(actor=p.town.secretary, data=PointInput(**fields))  # type: ignore[arg-type]
    assert not ServicePoint.objects.exists()


def test_a_village_of_another_township_and_a_foreign_unit_are_refused(p: Points) -> None:
    other = Division.objects.get(code=HOUMIAO_VILLAGE)
    with pytest.raises(InvalidInput, match="不是孙口镇的村"):
        point(p, "越界服务站", [VILLAGE], villages=(p.villages[VILLAGE], other))
    with pytest.raises(InvalidInput, match="服务单位应为本乡镇政府或其下属单位"):
        point(p, "别镇单位", [VILLAGE], unit=p.town.people.org.houmiao)
    assert not ServicePoint.objects.exists()


def test_only_the_township_staff_and_administrators_manage_its_points(p: Points) -> None:
    people = p.town.people
    for outsider in (people.bob, p.town.stranger, people.operator, p.guard):
        with pytest.raises(NotAllowed):
            point(p, "别人的服务站", [VILLAGE], actor=outsider)
    made = point(p, "孙口村服务站", [VILLAGE], actor=people.alice)
    by_admin = point(p, "管理员建的", [WHARF], actor=p.town.admin)
    assert made.township_id == by_admin.township_id == p.sunkou.code
    with pytest.raises(NotAllowed):
        point_update(
            actor=people.bob,
            point=made,
            data=PointInput(
                unit=p.town.nyfw,
                kind="station",
                name="改名",
                place=p.villages[VILLAGE],
                services=("代办",),
                villages=(p.villages[VILLAGE],),
            ),
        )
    assert ServicePoint.objects.get(pk=made.pk).name == "孙口村服务站"


def test_an_update_changes_the_villages_and_is_audited(p: Points) -> None:
    made = point(p, "孙口村服务站", [VILLAGE])
    point_update(
        actor=p.town.secretary,
        point=made,
        data=PointInput(
            unit=p.town.nyfw,
            kind="station",
            name="孙口村综合服务站",
            place=p.villages[VILLAGE],
            services=("代办", "政策咨询", "代办"),
            villages=(p.villages[VILLAGE], p.villages[LIUQIAO]),
        ),
    )
    made.refresh_from_db()
    assert made.services == ["代办", "政策咨询"]
    assert [v.code for v in selectors.served_villages(made)] == [VILLAGE, LIUQIAO]
    events = list(ServicePointEvent.objects.filter(point=made).order_by("id"))
    assert [e.verb for e in events] == ["created", "updated"]
    changed = events[1].data["changed"]
    assert changed["villages"] == [[VILLAGE], [VILLAGE, LIUQIAO]]
    assert changed["name"] == ["孙口村服务站", "孙口村综合服务站"]
    # A point cannot move to another township.
    with pytest.raises(InvalidInput, match="不能移到其他乡镇"):
        point_update(
            actor=p.town.admin,
            point=made,
            data=PointInput(
                unit=p.town.people.org.houmiao,
                kind="station",
                name="搬走",
                place=Division.objects.get(code=HOUMIAO_VILLAGE),
                services=("代办",),
                villages=(Division.objects.get(code=HOUMIAO_VILLAGE),),
            ),
        )


def test_a_resent_entry_records_once(p: Points) -> None:
    made = point(p, "孙口村服务站", [VILLAGE])
    token = uuid.uuid4()
    with time_machine.travel(at(2026, 11, 10), tick=False):
        first = entry_record(
            actor=p.guard, point=made, date=TODAY, service="代办", count=12, token=token
        )
        again = entry_record(
            actor=p.guard, point=made, date=TODAY, service="代办", count=12, token=token
        )
        assert not first.repeated and again.repeated and again.entry.pk == first.entry.pk
        assert ServiceEntry.objects.count() == 1
        assert ServicePointEvent.objects.filter(verb="entry").count() == 1
        # The same token from someone else is refused.
        with pytest.raises(InvalidInput, match="已由他人提交过"):
            entry_record(
                actor=p.town.secretary,
                point=made,
                date=TODAY,
                service="代办",
                count=1,
                token=token,
            )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": D(2026, 11, 11)}, "服务日期不能晚于今天"),
        ({"date": D(2025, 10, 1)}, "只能补记一年以内的服务"),
        ({"service": "护学"}, "请选择该服务点提供的服务内容"),
        ({"count": 0}, "服务人次应在 1 到"),
        ({"count": True}, "服务人次应在 1 到"),
    ],
    ids=["future", "too-old", "not-offered", "zero", "bool"],
)
def test_bad_entries_are_refused(p: Points, change: dict[str, object], message: str) -> None:
    made = point(p, "孙口村服务站", [VILLAGE])
    fields: dict[str, object] = {"date": TODAY, "service": "代办", "count": 3}
    fields.update(change)
    with (
        time_machine.travel(at(2026, 11, 10), tick=False),
        pytest.raises(InvalidInput, match=message),
    ):
        entry_record(actor=p.guard, point=made, **fields)  # type: ignore[arg-type]
    assert not ServiceEntry.objects.exists()


def test_entries_at_a_temporary_point_only_in_its_period_and_totals_per_month(p: Points) -> None:
    exam = point(
        p,
        "高考服务点",
        [VILLAGE],
        kind="temporary",
        services=("高考服务",),
        starts_on=D(2026, 6, 6),
        ends_on=D(2026, 6, 9),
    )
    with time_machine.travel(at(2026, 11, 10), tick=False):
        with pytest.raises(InvalidInput, match="该服务点在这一天没有开放"):
            entry_record(
                actor=p.guard, point=exam, date=D(2026, 6, 10), service="高考服务", count=1
            )
        entry_record(actor=p.guard, point=exam, date=D(2026, 6, 7), service="高考服务", count=150)
        entry_record(actor=p.guard, point=exam, date=D(2026, 6, 8), service="高考服务", count=42)
    months = selectors.monthly_totals(exam)
    assert [(m.month, m.total, m.by_service) for m in months] == [
        (D(2026, 6, 1), 192, {"高考服务": 192})
    ]


def test_who_may_record_at_a_point(p: Points) -> None:
    made = point(p, "孙口村服务站", [VILLAGE])  # run by 农业服务站
    people = p.town.people
    assert selectors.can_record(p.guard, made)  # the station's own handler
    assert selectors.can_record(people.alice, made)  # the township's staff
    assert not selectors.can_record(p.town.h_shsw, made)  # another station
    assert not selectors.can_record(people.bob, made)
    with time_machine.travel(at(2026, 11, 10), tick=False), pytest.raises(NotAllowed):
        entry_record(actor=people.bob, point=made, date=TODAY, service="代办", count=1)


def test_the_demo_reads_the_seeds_71_thousand_and_its_seven_school_guards() -> None:
    from io import StringIO

    from django.core.management import call_command

    # The 高考 entry (June 2026) is within the year the service accepts.
    with time_machine.travel(at(2026, 12, 1), tick=True):
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())  # idempotent
    sunkou = Division.objects.get(code="410927102000")
    points = ServicePoint.objects.filter(township=sunkou)
    assert points.filter(kind=ServicePoint.Kind.SCHOOL_GUARD).count() == 7
    assert points.count() == 9  # the hall's window, 7 护学岗, the 高考 point
    m = selectors.matrix(sunkou, D(2026, 12, 1))
    assert (m.covered_population, m.covered_wan, m.uncovered) == (71_000, "7.1 万", [])
    exam = points.get(kind=ServicePoint.Kind.TEMPORARY)
    assert exam.campaign is not None and exam.campaign.name == "高考护航"
    assert [(e.date, e.count) for e in exam.entries.all()] == [(D(2026, 6, 7), 192)]
    houmiao = Division.objects.get(code="410927101000")
    line = selectors.county_lines([houmiao], D(2026, 12, 1))[0]
    assert line.points == 2 and 0 < line.uncovered_villages < line.villages
    assert 0 < line.covered_population < (line.total_population or 0)
