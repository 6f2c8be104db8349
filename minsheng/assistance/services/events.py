"""A station's training sessions, recruitment events and career guidance, with named attendance.

Recording an event records its "六个一" entry in the same transaction (`checklist_add`: the item
of the same value, the same day), so an event *is* the station's "组织一次就业培训" or "开展一次招聘
活动" of the year; the figures count "六个一" from the checklist alone and never count an event
twice. The entry's attendance count follows the roll."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.assistance.errors import InvalidInput
from minsheng.assistance.models import (
    Attendance,
    AttendanceOutcome,
    ChecklistEntry,
    EventKind,
    Person,
    Station,
    StationEvent,
)
from minsheng.assistance.services.people import _check_date, check_writes, record_event
from minsheng.assistance.services.stations import checklist_add
from minsheng.org.models import User

ROLL_MAX = 500


def event_create(
    user: User,
    station: Station,
    *,
    kind: str,
    held_on: dt.date,
    title: str,
    place: str,
    employers: str = "",
    note: str = "",
) -> StationEvent:
    check_writes(user, station.village_id)
    if kind not in EventKind.values:
        raise InvalidInput(_("请选择活动类型。"), field="kind")
    title, place = title.strip(), place.strip()
    if not title or len(title) > 80:
        raise InvalidInput(_("请填写活动名称（最多 80 字）。"), field="title")
    if not place or len(place) > 80:
        raise InvalidInput(_("请填写活动地点（最多 80 字）。"), field="place")
    employers = " ".join(employers.split())
    if len(employers) > 300:
        raise InvalidInput(_("参会用工单位最多 300 字。"), field="employers")
    held_on = _check_date(held_on, "held_on")
    with transaction.atomic():
        entry = checklist_add(
            user, station, item=kind, done_on=held_on, note=title[:300], attendance=0
        )
        event = StationEvent.objects.create(
            station=station,
            kind=kind,
            held_on=held_on,
            title=title,
            place=place,
            employers=employers if kind == EventKind.RECRUITMENT else "",
            note=note.strip()[:300],
            checklist_entry=entry,
            village_code=station.village_id,
            created_by=user,
        )
        record_event(
            village_code=station.village_id,
            subject="station",
            subject_id=station.pk,
            verb="event",
            actor=user,
            data={"event": event.pk, "kind": kind, "entry": entry.pk},
        )
    return event


@dataclass(frozen=True)
class RollLine:
    person_id: int
    attended: bool
    outcome: str = ""


def roll_set(user: User, event: StationEvent, lines: list[RollLine]) -> int:
    """The event's roll, as the worker ticks it: the people named (of the station's village
    only), attended or not, with the outcome. Replaces the roll; returns the number attended."""
    check_writes(user, event.village_code)
    if len(lines) > ROLL_MAX:
        raise InvalidInput(_("一次最多登记 500 人。"))
    ids = {line.person_id for line in lines}
    if len(ids) != len(lines):
        raise InvalidInput(_("同一人不能重复签到。"))
    found = set(
        Person.objects.filter(pk__in=ids, village_id=event.village_code).values_list(
            "pk", flat=True
        )
    )
    if found != ids:
        raise InvalidInput(_("只能登记本村（社区）台账中的人员。"))
    for line in lines:
        if line.outcome not in AttendanceOutcome.values:
            raise InvalidInput(_("请选择结果。"), field="outcome")
        if line.outcome and not line.attended:
            raise InvalidInput(_("未到场的人员不能登记结果。"), field="outcome")
    attended = sum(1 for line in lines if line.attended)
    with transaction.atomic():
        Attendance.objects.filter(event=event).delete()
        Attendance.objects.bulk_create(
            Attendance(
                event=event,
                person_id=line.person_id,
                attended=line.attended,
                outcome=line.outcome,
                village_code=event.village_code,
            )
            for line in lines
        )
        if event.checklist_entry_id is not None:
            ChecklistEntry.objects.filter(pk=event.checklist_entry_id).update(attendance=attended)
        record_event(
            village_code=event.village_code,
            subject="station",
            subject_id=event.station_id,
            verb="roll",
            actor=user,
            data={"event": event.pk, "listed": len(lines), "attended": attended},
        )
    return attended
