"""A station's training and recruitment events with named attendance: each records its "六个一"
entry (counted once however many events), the roll takes the village's people only, the pages
keep the ledger's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minsheng.assistance import figures, rules
from minsheng.assistance.errors import InvalidInput, NotAllowed
from minsheng.assistance.models import Attendance, ChecklistEntry, Event, StationEvent
from minsheng.assistance.services import events
from tests.assistance.helpers import Area, add_person, make_area, station

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(db: None) -> Area:
    return make_area()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def training(area: Area, **kw: object) -> StationEvent:
    fields: dict[str, object] = {
        "kind": "training",
        "held_on": timezone.localdate(),
        "title": "电商直播技能培训",
        "place": "孙口村党群服务中心",
    }
    fields.update(kw)
    return events.event_create(area.worker1, station(area.worker1, area.v1), **fields)  # type: ignore[arg-type]


def test_an_event_is_its_six_one_item_counted_once(area: Area) -> None:
    first = training(area)
    training(area, title="第二期培训")
    assert first.checklist_entry is not None and first.checklist_entry.item == "training"
    assert ChecklistEntry.objects.filter(item="training").count() == 2
    facts = figures.figures_for(rules.EVERYTHING, area.v1, timezone.localdate(), breakdown=False)
    # Two trainings are one of the six items: 1/6 of one station.
    assert facts.six_one_percent == round(100 / 6, 1)
    recruitment = training(area, kind="recruitment", title="春风行动招聘会", employers="甲厂、乙厂")
    assert recruitment.employers == "甲厂、乙厂"
    facts = figures.figures_for(rules.EVERYTHING, area.v1, timezone.localdate(), breakdown=False)
    assert facts.six_one_percent == round(200 / 6, 1)
    assert Event.objects.filter(verb="event").count() == 3


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kind": "troupe"}, "活动类型"),
        ({"title": " "}, "活动名称"),
        ({"place": ""}, "活动地点"),
        ({"held_on": dt.date(2100, 1, 1)}, "不能晚于今天"),
    ],
    ids=["kind", "title", "place", "future"],
)
def test_a_bad_event_records_nothing(area: Area, kw: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        training(area, **kw)
    assert not StationEvent.objects.exists() and not ChecklistEntry.objects.exists()


def test_the_roll_names_the_village_s_people_only(area: Area) -> None:
    event = training(area)
    a = add_person(area.worker1, area.v1, 1)
    b = add_person(area.worker1, area.v1, 2)
    other = add_person(area.worker2, area.v2, 3)
    with pytest.raises(InvalidInput, match="本村"):
        events.roll_set(area.worker1, event, [events.RollLine(other.pk, True)])
    with pytest.raises(InvalidInput, match="未到场"):
        events.roll_set(area.worker1, event, [events.RollLine(a.pk, False, "certificate")])
    with pytest.raises(NotAllowed):
        events.roll_set(area.worker2, event, [events.RollLine(a.pk, True)])
    assert not Attendance.objects.exists()
    n = events.roll_set(
        area.worker1,
        event,
        [events.RollLine(a.pk, True, "certificate"), events.RollLine(b.pk, False)],
    )
    assert n == 1
    assert ChecklistEntry.objects.get(pk=event.checklist_entry_id).attendance == 1
    # Saving again replaces the roll.
    assert events.roll_set(area.worker1, event, [events.RollLine(b.pk, True, "intent")]) == 1
    assert list(Attendance.objects.values_list("person_id", "outcome")) == [(b.pk, "intent")]


def test_the_station_and_event_pages(area: Area) -> None:
    st = station(area.worker1, area.v1)
    person = add_person(area.worker1, area.v1, 1, name="演示郑一")
    client = client_for(area.worker1)
    url = f"/assistance/a/{area.v1.code}/station/"
    form = {
        "action": "event",
        "kind": "recruitment",
        "held_on": timezone.localdate().isoformat(),
        "title": "春风行动招聘会",
        "place": "孙口村广场",
        "employers": "孙口村扶贫车间",
    }
    bad = client.post(url, {**form, "title": ""})
    assert bad.status_code == 400 and not StationEvent.objects.exists()
    done = client.post(url, form)
    event = StationEvent.objects.get(station=st)
    assert done.status_code == 302 and done["Location"] == f"/assistance/e/{event.pk}/"
    html = client.get(url).content.decode()
    assert "春风行动招聘会" in html.split('id="events"')[1]
    event_url = f"/assistance/e/{event.pk}/"
    saved = client.post(event_url, {f"state_{person.pk}": "in", f"outcome_{person.pk}": "intent"})
    assert saved.status_code == 302
    html = client.get(event_url).content.decode()
    roll = html.split('id="roll"')[1].split("</table>")[0]
    assert "演示郑一" in roll and "达成意向" in roll
    bad_roll = client.post(
        event_url, {f"state_{person.pk}": "out", f"outcome_{person.pk}": "hired"}
    )
    assert bad_roll.status_code == 400
    # The township reads it; another village, a department and a leader do not.
    officer = client_for(area.officer)
    assert officer.get(event_url).status_code == 200
    assert officer.post(event_url, {f"state_{person.pk}": "in"}).status_code == 404
    for user in (area.worker2, area.canlian):
        assert client_for(user).get(event_url).status_code == 404
    assert client_for(area.worker1).get("/assistance/e/999999/").status_code == 404
