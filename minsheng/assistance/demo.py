"""The demo county's ledgers: one 劳动保障服务站 per township of 台前县 (in the township's first
village), with its worker, the township's 帮扶专干, the county 残联's 帮扶专干, a dozen synthetic
people per station — names marked 演示, ID numbers generated to pass the GB 11643 checksum
(sequence numbers 900–999 of a made-up birth date, nobody's), phones 199 0000 xxxx — postings
(one a 扶贫车间 paying by the piece), matches, employment, and the station's "六个一".
Written through the services, as a worker would; idempotent (a township with a station is left
as it is)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from minsheng.assistance.models import ConsentMethod, MatchStatus, Measure, SixOne, Station
from minsheng.assistance.services import events, full_employment, links, stations
from minsheng.assistance.services import people as service
from minsheng.org.demo import DEMO_COUNTY_CODE, _user, township_slug
from minsheng.org.models import Division, Role, Unit, User
from minsheng.textproc.pii import id_check_character
from minsheng.tickets.models import Channel, Ticket

SURNAMES = "王李张刘陈杨赵黄周吴徐孙"
GIVEN = ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", "子", "丑")
CATEGORY_CYCLE: tuple[tuple[str, ...], ...] = (
    ("脱贫户",),
    ("监测户", "就业困难人员"),
    ("脱贫户", "残疾人"),
    ("低保",),
    ("就业困难人员",),
    ("事实无人抚养儿童",),
)
PEOPLE_PER_STATION = 12


def demo_id_number(township_index: int, n: int) -> str:
    """A checksum-valid, generated ID number: region 410927, a birth date from the person's
    number, sequence 9xx (the demo's own range)."""
    born = dt.date(1970, 1, 1) + dt.timedelta(days=township_index * 997 + n * 431)
    first17 = f"410927{born:%Y%m%d}9{township_index % 10}{n % 10}"
    return first17 + id_check_character(first17)


def demo_phone(township_index: int, n: int) -> str:
    return f"1990000{township_index:02d}{n:02d}"


def _seed_station(index: int, township: Division, password_hash: str) -> bool:
    slug = township_slug(township.name)
    village = township.children.filter(level=Division.Level.VILLAGE).order_by("code").first()
    gov = Unit.objects.filter(code=slug).first()
    if village is None or gov is None:
        return False
    unit = Unit.objects.filter(code=f"{slug}-{village.code[-3:]}").first()
    if unit is None:
        return False
    worker = _user(
        f"station-{slug}",
        f"{village.name}服务站工作人员",
        unit,
        (Role.STATION_WORKER,),
        password_hash,
    )
    officer = _user(
        f"bangfu-{slug}", f"{township.name}帮扶专干", gov, (Role.ASSIST_OFFICER,), password_hash
    )
    if Station.objects.filter(village=village).exists():
        return False
    today = timezone.localdate()
    station = stations.station_ensure(worker, village)
    stations.six_has_set(
        worker,
        station,
        {f: i != index % 6 for i, f in enumerate(Station.SIX_HAS)},
    )
    for i, (item, _label) in enumerate(SixOne.choices):
        if i <= 3 + index % 3:
            stations.checklist_add(
                worker,
                station,
                item=item,
                done_on=today - dt.timedelta(days=20 + 9 * i),
                note="演示记录",
                attendance=15 + 3 * i if item in ("training", "recruitment") else None,
            )
    workshop = stations.posting_create(
        worker,
        station,
        employer=f"{village.name}扶贫车间（演示）",
        title="假发加工",
        pay="计件，每件1.5元",
        place=village.name,
        headcount=20,
        workshop=True,
        piece_rate=True,
    )
    stations.posting_create(
        worker,
        station,
        employer="台前县某服装厂（演示）",
        title="缝纫工",
        pay="3000元/月",
        place="台前县产业集聚区",
        headcount=8,
    )
    made = []
    for n in range(PEOPLE_PER_STATION):
        person = service.person_create(
            worker,
            village,
            service.PersonData(
                name=f"演示{SURNAMES[n]}{GIVEN[(n + index) % len(GIVEN)]}",
                id_number=demo_id_number(index, n),
                phone=demo_phone(index, n) if n % 3 else "",
                categories=list(CATEGORY_CYCLE[n % len(CATEGORY_CYCLE)]),
                household=f"演示{n // 3 + 1}户",
                in_workforce=n % 6 != 5,
                needs="希望就近就业" if n % 4 == 0 else "",
            ),
        )
        service.visit_add(
            worker, person, today - dt.timedelta(days=n), "入户走访，了解就业意愿（演示）"
        )
        if n % 3 == 0:
            service.assistance_add(
                worker, person, measure=Measure.TRAINING, started_on=today - dt.timedelta(days=40)
            )
        if n < 7 and n % 6 != 5:
            service.employment_add(
                worker,
                person,
                employer="台前县某服装厂（演示）" if n % 2 else "本村种植合作社（演示）",
                since=today - dt.timedelta(days=30 * (n + 2)),
                work="缝纫" if n % 2 else "种植",
                income_band="lt3000",
            )
        if n in (7, 8):
            match = stations.match_refer(worker, person, workshop, today - dt.timedelta(days=10))
            if n == 7:
                stations.match_advance(
                    worker, match, MatchStatus.HIRED, today - dt.timedelta(days=3)
                )
        if index == 0 and n in (8, 9, 10):
            # The first township's station village reaches 充分就业 (declared below).
            service.employment_add(
                worker,
                person,
                employer="本村种植合作社（演示）",
                since=today - dt.timedelta(days=90),
                work="种植",
            )
        made.append(person)
        if n % 5 == 1:
            service.certificate_add(
                worker,
                person,
                kind="育婴员",
                level="五级",
                obtained_on=today - dt.timedelta(days=60),
            )
    _seed_extras(index, worker, officer, station, village, made)
    return True


def _seed_extras(
    index: int,
    worker: User,
    officer: User,
    station: Station,
    village: Division,
    made: list[Any],
) -> None:
    """A training session with its roll; for the first township, a demo ticket of the village
    (the visit's need, when there is one) linked to a person with consent recorded, and the
    village declared 充分就业."""
    today = timezone.localdate()
    training = events.event_create(
        worker,
        station,
        kind="training",
        held_on=today - dt.timedelta(days=12),
        title="电商直播与手工编织技能培训（演示）",
        place=f"{village.name}党群服务中心",
    )
    events.roll_set(
        worker,
        training,
        [
            events.RollLine(p.pk, attended=i != 4, outcome="certificate" if i == 0 else "")
            for i, p in enumerate(made[:6])
        ],
    )
    if index != 0:
        return
    ticket = (
        Ticket.objects.filter(division=village)
        .order_by("-channel", "pk")  # a visit's need (走访) first when there is one
        .filter(channel__in=(Channel.VISIT, Channel.HOTLINE))
        .first()
    )
    if ticket is not None:
        links.link_ticket(
            worker,
            made[0],
            ticket,
            links.Consent(
                given=True,
                method=ConsentMethod.IN_PERSON,
                on=today - dt.timedelta(days=1),
                note="入户时本人当面同意（演示）",
            ),
        )
    full_employment.declare(officer, village, today.year)


@transaction.atomic
def seed_demo_assistance(*, password: str) -> int:
    """Returns how many stations were created."""
    county = Division.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None:
        return 0
    password_hash = make_password(password)
    cl = Unit.objects.filter(code="tq-cl").first()
    if cl is not None:
        _user("bangfu-tq-cl", "县残联帮扶专干", cl, (Role.ASSIST_OFFICER,), password_hash)
    created = 0
    townships = Division.objects.filter(parent=county, level=Division.Level.TOWNSHIP)
    for index, township in enumerate(townships.order_by("code")):
        created += int(_seed_station(index, township, password_hash))
    return created


__all__ = ["User", "seed_demo_assistance"]
