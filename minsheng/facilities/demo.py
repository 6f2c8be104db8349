"""The demo county's facilities (台前县): a few 公厕 of 孙口镇 and 城关镇 kept by the townships'
handlers (h-sunkou, h-chengguan), an A级旅游厕所 (AAA) at 将军渡, a 城市书房, their cleaning and
inspection schedules, the inspection checklist, some rounds, one missed round's alarm raised by
the clock, and one problem reported by a QR code (a ticket dispatched to 孙口镇人民政府).
Written through the services; idempotent (a facility already registered is left as it is)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone

from minsheng.facilities.clock import sweep_schedules
from minsheng.facilities.models import ChecklistItem, Facility, Schedule
from minsheng.facilities.services import (
    FacilityInput,
    ScheduleInput,
    facility_create,
    round_log,
    schedule_save,
)
from minsheng.facilities.services.reports import NewProblem, existing, facility_report
from minsheng.org.models import Division, Unit, User

SUNKOU, CHENGGUAN = "410927102000", "410927100000"
SUNKOU_VILLAGE, CHENGGUAN_VILLAGE = "410927102201", "410927100201"
QR_KEY = "demofacilityqrreport0001"
CHECKLIST: tuple[tuple[str, str, int], ...] = (
    ("", "地面、墙面干净，无积水", 30),
    ("", "设施完好（门锁、照明、洗手池）", 30),
    ("公厕", "无明显异味，厕纸、洗手液齐备", 20),
    ("A级旅游厕所", "无明显异味，第三卫生间可用", 20),
    ("", "公示牌、管理员信息清楚", 20),
)


@dataclass(frozen=True)
class _Spec:
    kind: str
    name: str
    place: str
    owner: str
    keeper: str
    hours: tuple[dt.time, dt.time] | None  # None: all day
    address: str
    standard: str = ""
    schedules: tuple[ScheduleInput, ...] = ()


def _hm(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


FACILITIES: tuple[_Spec, ...] = (
    _Spec(
        "公厕",
        "孙口镇政府东公厕",
        SUNKOU_VILLAGE,
        "sunkou",
        "h-sunkou",
        (_hm("06:00"), _hm("22:00")),
        "孙口镇政府东侧 50 米",
        schedules=(
            ScheduleInput(kind="cleaning", rule="times", times="08:00,12:00,17:00"),
            ScheduleInput(kind="inspection", rule="weekly", weekday=1, times="09:00"),
        ),
    ),
    _Spec(
        "公厕",
        "孙口集贸市场公厕",
        SUNKOU_VILLAGE,
        "sunkou",
        "h-sunkou",
        None,
        "孙口集贸市场北口",
        schedules=(
            ScheduleInput(
                kind="cleaning",
                rule="interval",
                every_minutes=120,
                day_from=_hm("06:00"),
                day_to=_hm("22:00"),
            ),
        ),
    ),
    _Spec(
        "A级旅游厕所",
        "将军渡景区旅游厕所",
        SUNKOU,
        "sunkou",
        "h-sunkou",
        (_hm("07:00"), _hm("19:00")),
        "刘邓大军强渡黄河将军渡景区停车场",
        standard="AAA",
        schedules=(
            ScheduleInput(kind="cleaning", rule="interval", every_minutes=90),
            ScheduleInput(kind="inspection", rule="monthly", monthday=1, times="09:00"),
        ),
    ),
    _Spec(
        "公厕",
        "城关镇人民路公厕",
        CHENGGUAN_VILLAGE,
        "chengguan",
        "h-chengguan",
        (_hm("05:30"), _hm("23:00")),
        "人民路与建设路交叉口东",
        schedules=(ScheduleInput(kind="cleaning", rule="times", times="12:00"),),
    ),
    _Spec(
        "城市书房",
        "城关镇城市书房",
        CHENGGUAN,
        "chengguan",
        "h-chengguan",
        (_hm("09:00"), _hm("21:00")),
        "县文化广场西侧",
        schedules=(
            ScheduleInput(
                kind="inspection", rule="weekly", weekday=5, times="10:00", working_days_only=True
            ),
        ),
    ),
)


def _checklist() -> None:
    if ChecklistItem.objects.exists():
        return
    ChecklistItem.objects.bulk_create(
        ChecklistItem(kind=kind, text=text, points=points, order=n)
        for n, (kind, text, points) in enumerate(CHECKLIST)
    )


def seed_demo_facilities() -> int:
    """Returns how many facilities were registered now."""
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return 0
    _checklist()
    created = 0
    now = timezone.now()
    for spec in FACILITIES:
        place = Division.objects.filter(code=spec.place).first()
        owner = Unit.objects.filter(code=spec.owner).first()
        keeper = User.objects.filter(username=spec.keeper).first()
        if place is None or owner is None or keeper is None:
            continue
        if Facility.objects.filter(name=spec.name).exists():
            continue
        facility = facility_create(
            actor=admin,
            data=FacilityInput(
                kind=spec.kind,
                name=spec.name,
                place=place,
                owner=owner,
                address=spec.address,
                keeper_user=keeper,
                all_day=spec.hours is None,
                opens_at=spec.hours[0] if spec.hours else None,
                closes_at=spec.hours[1] if spec.hours else None,
                standard=spec.standard,
            ),
        )
        created += 1
        for schedule in spec.schedules:
            schedule_save(actor=admin, facility=facility, data=schedule)
        # Two rounds the keeper logged in the last hours.
        for hours_ago, note in ((5, "清扫冲洗，补充厕纸"), (1, "")):
            round_log(
                actor=keeper,
                facility=facility,
                kind="cleaning",
                form_token=uuid.uuid4(),
                note=note,
                done_at=now - dt.timedelta(hours=hours_ago),
            )
        if spec.name == "城关镇人民路公厕":
            _missed_yesterday(facility, now)
    _qr_problem()
    return created


def _missed_yesterday(facility: Facility, now: dt.datetime) -> None:
    """Yesterday's 12:00 cleaning was never logged: the clock raises its alarm (12:30)."""
    schedule = Schedule.objects.filter(facility=facility).first()
    if schedule is None:
        return
    tz = timezone.get_default_timezone()
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    due = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(12)), tz)
    Schedule.objects.filter(pk=schedule.pk).update(
        next_due_at=due, check_at=due + dt.timedelta(minutes=30)
    )
    sweep_schedules(now=due + dt.timedelta(minutes=31))


def _qr_problem() -> None:
    """A citizen scanned the market toilet's sign: 损坏, dispatched to 孙口镇人民政府."""
    if existing(QR_KEY) is not None:
        return
    facility = Facility.objects.filter(name="孙口集贸市场公厕").first()
    if facility is None:
        return
    facility_report(
        facility=facility,
        report=NewProblem(
            problem="broken", text="男厕洗手池水龙头坏了，一直流水。", submission_key=QR_KEY
        ),
    )
