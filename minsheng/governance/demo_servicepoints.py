"""The demo's 服务点 (seed 000, 孙口镇): the township hall's 便民服务窗口 serving every village (so
the matrix reads the seed's 覆盖 7.1 万群众, computed from the population register), 护学岗 at 7
schools run by the 执法大队 (school names invented for the demo), the 高考护航 campaign's temporary
服务点 with its entry of 192 families served, and two points of 侯庙镇 that leave most of its
villages uncovered. Made through the services by `admin`; called by `manage.py seed_demo` after
the campaigns' demo. Idempotent: nothing is made when 孙口镇 already has a point.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minsheng.governance.models import Campaign, ServicePoint
from minsheng.governance.services import servicepoints as service
from minsheng.org.models import Division, Unit, User
from minsheng.tickets.errors import TicketActionError

SUNKOU = "410927102000"
HOUMIAO = "410927101000"
SCHOOL_HOURS = "上学日 7:00—8:00、16:30—17:30"
OFFICE_HOURS = "工作日 8:30—12:00、14:30—17:30"
# (school, village suffix): the seed's 7 schools with a 护学岗; the names are the demo's own.
SCHOOLS = (
    ("孙口镇第一初级中学", "201"),
    ("孙口镇第二初级中学", "212"),
    ("孙口镇中心小学", "202"),
    ("孙口镇代庄小学", "203"),
    ("孙口镇桥北张小学", "206"),
    ("孙口镇前满小学", "216"),
    ("孙口镇西影唐小学", "228"),
)
Kind = ServicePoint.Kind


def _village(township: Division, suffix: str) -> Division | None:
    return Division.objects.filter(code=f"{township.code[:9]}{suffix}", parent=township).first()


def _villages(township: Division, suffixes: list[str]) -> list[Division]:
    codes = [f"{township.code[:9]}{s}" for s in suffixes]
    return list(Division.objects.filter(code__in=codes, parent=township).order_by("code"))


def seed_demo_servicepoints() -> int:
    """Returns the number of points made (0 when 孙口镇 already has its points)."""
    sunkou = Division.objects.filter(code=SUNKOU).first()
    admin = User.objects.filter(username="admin").first()
    units = {u.code: u for u in Unit.objects.filter(code__startswith="sunkou")}
    units.update({u.code: u for u in Unit.objects.filter(code__startswith="houmiao")})
    if sunkou is None or admin is None or "sunkou" not in units or "sunkou-zfdd" not in units:
        return 0
    if ServicePoint.objects.filter(township=sunkou).exists():
        return 0
    made = 0
    hall = service.point_create(
        actor=admin,
        data=service.PointInput(
            unit=units["sunkou"],
            kind=Kind.WINDOW,
            name="孙口镇便民服务中心窗口",
            place=sunkou,
            address="孙口镇人民政府一楼便民服务大厅",
            hours=OFFICE_HOURS,
            services=("政策咨询", "代办", "社保医保", "证明开具"),
            whole_township=True,
        ),
    )
    made += 1
    for school, suffix in SCHOOLS:
        village = _village(sunkou, suffix)
        if village is None:
            continue
        service.point_create(
            actor=admin,
            data=service.PointInput(
                unit=units["sunkou-zfdd"],
                kind=Kind.SCHOOL_GUARD,
                name=f"{school}护学岗",
                place=village,
                address=f"{school}校门口",
                hours=SCHOOL_HOURS,
                services=("护学", "交通疏导"),
                villages=(village,),
            ),
        )
        made += 1
    exam_village = _village(sunkou, "201")
    if exam_village is not None:
        campaign = Campaign.objects.filter(name="高考护航", township=sunkou).first()
        exam = service.point_create(
            actor=admin,
            data=service.PointInput(
                unit=units["sunkou-zfdd"],
                kind=Kind.TEMPORARY,
                name="高考护航服务点",
                place=exam_village,
                address="孙口镇第一初级中学考点外",
                hours="2026年6月7日—9日 7:00—18:00",
                services=("高考服务", "饮水休息", "交通引导"),
                villages=tuple(_villages(sunkou, ["201", "202", "203", "204"])),
                campaign=campaign,
                starts_on=dt.date(2026, 6, 6),
                ends_on=dt.date(2026, 6, 9),
            ),
        )
        made += 1
        _entry(admin, exam, dt.date(2026, 6, 7), "高考服务", 192, "为考生家长提供各类服务")
    today = timezone.localdate()
    _entry(admin, hall, today.replace(day=1), "政策咨询", 35, "")
    _entry(admin, hall, today.replace(day=1), "代办", 12, "")
    houmiao = Division.objects.filter(code=HOUMIAO).first()
    if houmiao is not None and "houmiao-shsw" in units and "houmiao-nyfw" in units:
        first = _villages(houmiao, ["201", "202", "203", "204", "205"])
        second = _villages(houmiao, ["206", "207", "208"])
        if first:
            service.point_create(
                actor=admin,
                data=service.PointInput(
                    unit=units["houmiao-shsw"],
                    kind=Kind.STATION,
                    name="侯庙村综合服务站",
                    place=first[0],
                    hours=OFFICE_HOURS,
                    services=("政策咨询", "代办", "社保医保"),
                    villages=tuple(first),
                ),
            )
            made += 1
        if second:
            service.point_create(
                actor=admin,
                data=service.PointInput(
                    unit=units["houmiao-nyfw"],
                    kind=Kind.OTHER,
                    kind_label="农技服务点",
                    name="东碱场农技服务点",
                    place=second[0],
                    hours="每周二、周五上午",
                    services=("农技指导", "政策咨询"),
                    villages=tuple(second),
                ),
            )
            made += 1
    return made


def _entry(
    actor: User, point: ServicePoint, date: dt.date, what: str, count: int, note: str
) -> None:
    """An entry through the service; a date it refuses (a demo run long after 2026) is left out."""
    try:
        service.entry_record(
            actor=actor, point=point, date=date, service=what, count=count, note=note
        )
    except TicketActionError:
        return
