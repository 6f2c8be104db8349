"""The demo county: 台前县 (410927), built from the real division data shipped in
minsheng/org/data/divisions-410927.

Units follow how a county's 12345 hotline dispatches: the hotline centre, the county departments
and public-utility companies, each township's government with its stations (站所) and law
enforcement teams (执法中队), and a committee for every village. Every unit gets a handler so a
newcomer can log in as anyone the hotline talks to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from pypinyin import lazy_pinyin

from minsheng.org.divisions_import import import_divisions
from minsheng.org.models import Division, PopulationCount, Role, RoleGrant, Unit, User

DEMO_COUNTY_CODE = "410927000000"
DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions-410927"
HOTLINE_CODE = "tq-12345"

# (code, name, kind) — the county departments and companies a county hotline dispatches to.
COUNTY_UNITS: tuple[tuple[str, str, str], ...] = (
    ("tq-slj", "台前县水利局", Unit.Kind.DEPARTMENT),
    ("tq-zjj", "台前县住房和城乡建设局", Unit.Kind.DEPARTMENT),
    ("tq-rsj", "台前县人力资源和社会保障局", Unit.Kind.DEPARTMENT),
    ("tq-jyj", "台前县教育局", Unit.Kind.DEPARTMENT),
    ("tq-jtysj", "台前县交通运输局", Unit.Kind.DEPARTMENT),
    ("tq-cgj", "台前县城市管理局", Unit.Kind.DEPARTMENT),
    ("tq-scjgj", "台前县市场监督管理局", Unit.Kind.DEPARTMENT),
    ("tq-sthj", "濮阳市生态环境局台前分局", Unit.Kind.DEPARTMENT),
    ("tq-wjw", "台前县卫生健康委员会", Unit.Kind.DEPARTMENT),
    ("tq-gaj", "台前县公安局", Unit.Kind.DEPARTMENT),
    ("tq-mzj", "台前县民政局", Unit.Kind.DEPARTMENT),
    ("tq-nyncj", "台前县农业农村局", Unit.Kind.DEPARTMENT),
    ("tq-zrzyj", "台前县自然资源局", Unit.Kind.DEPARTMENT),
    ("tq-ybj", "台前县医疗保障局", Unit.Kind.DEPARTMENT),
    ("tq-gdgs", "国网台前县供电公司", Unit.Kind.COMPANY),
    ("tq-zls", "台前县自来水公司", Unit.Kind.COMPANY),
    ("tq-rqgs", "台前县燃气公司", Unit.Kind.COMPANY),
    ("tq-yjglj", "台前县应急管理局", Unit.Kind.DEPARTMENT),
    ("tq-xfjy", "台前县消防救援大队", Unit.Kind.DEPARTMENT),
    ("tq-sfj", "台前县司法局", Unit.Kind.DEPARTMENT),
    ("tq-wglyj", "台前县文化广电和旅游局", Unit.Kind.DEPARTMENT),
    ("tq-tyjrj", "台前县退役军人事务局", Unit.Kind.DEPARTMENT),
    ("tq-swj", "国家税务总局台前县税务局", Unit.Kind.DEPARTMENT),
    ("tq-fgw", "台前县发展和改革委员会", Unit.Kind.DEPARTMENT),
    ("tq-czj", "台前县财政局", Unit.Kind.DEPARTMENT),
    ("tq-gxj", "台前县工业和信息化局", Unit.Kind.DEPARTMENT),
    ("tq-zwfw", "台前县政务服务和大数据管理局", Unit.Kind.DEPARTMENT),
    ("tq-gjj", "濮阳市住房公积金管理中心台前县管理部", Unit.Kind.DEPARTMENT),
    ("tq-cl", "台前县残疾人联合会", Unit.Kind.DEPARTMENT),
    ("tq-hwj", "台前黄河河务局", Unit.Kind.DEPARTMENT),
)

# Sub-units every township government has: (code suffix, name suffix, kind).
TOWNSHIP_SUBUNITS: tuple[tuple[str, str, str], ...] = (
    ("zfdd", "执法大队", Unit.Kind.TEAM),
    ("nyfw", "农业服务中心", Unit.Kind.STATION),
    ("shsw", "社会事务服务中心", Unit.Kind.STATION),
    ("zzzx", "综治中心", Unit.Kind.STATION),
)

# Teams under 孙口镇执法大队, as the seed report (000) names them.
SUNKOU_TEAMS: tuple[tuple[str, str], ...] = (
    ("zfdd-nc1", "孙口镇执法大队农村一中队"),
    ("zfdd-nc2", "孙口镇执法大队农村二中队"),
    ("zfdd-cq", "孙口镇执法大队城区中队"),
)

# Hotline staff: (username, display name, roles).
HOTLINE_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("admin", "系统管理员", (Role.ADMINISTRATOR,)),
    ("operator", "话务员小王", (Role.OPERATOR,)),
    ("dispatcher", "派单员小李", (Role.DISPATCHER,)),
    ("supervisor", "督办员老张", (Role.SUPERVISOR,)),
    ("leader", "县领导", (Role.LEADER,)),
)


@dataclass
class SeedResult:
    divisions_created: int = 0
    units: int = 0
    users: int = 0
    usernames: list[str] = field(default_factory=list)


def township_slug(name: str) -> str:
    """孙口镇 → sunkou: the township's pinyin without its 镇/乡/街道 suffix."""
    for suffix in ("街道办事处", "街道", "镇", "乡"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return "".join(lazy_pinyin(name))


def _unit(code: str, name: str, kind: str, parent: Unit | None, division: Division | None) -> Unit:
    unit, _created = Unit.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "parent": parent,
            "division": division,
            "is_active": True,
        },
    )
    return unit


def _user(
    username: str, display_name: str, unit: Unit | None, roles: tuple[str, ...], password_hash: str
) -> User:
    is_admin = Role.ADMINISTRATOR in roles
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "unit": unit,
            "is_active": True,
            "is_staff": is_admin,
            "is_superuser": is_admin,
            "password": password_hash,
        },
    )
    for role in roles:
        RoleGrant.objects.get_or_create(user=user, role=role)
    return user


@transaction.atomic
def seed_demo(*, password: str) -> SeedResult:
    """Build or refresh the demo county; running it twice leaves the same rows."""
    result = SeedResult()
    result.divisions_created = import_divisions([DIVISIONS_DIR]).created
    county = Division.objects.get(code=DEMO_COUNTY_CODE)
    # Hashing is deliberately slow; the demo's several hundred users share one hash.
    password_hash = make_password(password)
    units: list[tuple[Unit, str]] = []

    hotline = _unit(
        HOTLINE_CODE, "台前县12345政务服务便民热线中心", Unit.Kind.HOTLINE, None, county
    )
    for username, display_name, roles in HOTLINE_USERS:
        _user(username, display_name, hotline, roles, password_hash)
        result.usernames.append(username)

    for code, name, kind in COUNTY_UNITS:
        units.append((_unit(code, name, kind, None, county), name))

    townships = Division.objects.filter(parent=county).order_by("code")
    for township in townships:
        slug = township_slug(township.name)
        gov = _unit(slug, f"{township.name}人民政府", Unit.Kind.TOWNSHIP, None, township)
        units.append((gov, gov.name))
        for suffix, name_suffix, kind in TOWNSHIP_SUBUNITS:
            sub = _unit(f"{slug}-{suffix}", f"{township.name}{name_suffix}", kind, gov, township)
            units.append((sub, sub.name))
        if slug == "sunkou":
            brigade = Unit.objects.get(code=f"{slug}-zfdd")
            for suffix, name in SUNKOU_TEAMS:
                units.append(
                    (_unit(f"{slug}-{suffix}", name, Unit.Kind.TEAM, brigade, township), name)
                )
        for village in township.children.order_by("code"):
            code = f"{slug}-{village.code[-3:]}"
            units.append((_unit(code, village.name, Unit.Kind.VILLAGE, gov, village), village.name))
        leader_name = f"leader-{slug}"
        _user(leader_name, f"{township.name}负责人", gov, (Role.UNIT_LEADER,), password_hash)
        result.usernames.append(leader_name)

    for unit, name in units:
        _user(f"h-{unit.code}", f"{name}承办人", unit, (Role.HANDLER,), password_hash)
    result.units = Unit.objects.filter(path__startswith="/").count()
    result.users = len(result.usernames) + len(units)
    seed_population(county)
    return result


# The seed's 孙口镇: "服务矩阵……覆盖 7.1 万群众" — its villages' synthetic counts sum to this.
SUNKOU_CODE = "410927102000"
SUNKOU_POPULATION = 71_000
DEMO_POPULATION_SOURCE = "演示数据"


def seed_population(county: Division) -> int:
    """Synthetic resident counts for every village of the demo county (once): 800–3,400 people
    a village from a stable hash of its code, 孙口镇's scaled to sum to the seed's 71,000."""
    from minsheng.org.population import CountRow, record_population

    villages = list(
        Division.objects.filter(
            level=Division.Level.VILLAGE, code__startswith=county.code[:6]
        ).order_by("code")
    )
    if PopulationCount.objects.filter(source=DEMO_POPULATION_SOURCE).exists() or not villages:
        return 0
    counts = {v.code: 800 + int(v.code[-3:]) * 37 % 2600 for v in villages}
    sunkou = [c for c in counts if c.startswith(SUNKOU_CODE[:9])]
    weight = sum(counts[c] for c in sunkou)
    if weight:
        for code in sunkou:
            counts[code] = counts[code] * SUNKOU_POPULATION // weight
        counts[sunkou[-1]] += SUNKOU_POPULATION - sum(counts[c] for c in sunkou)
    rows = [CountRow(code, n, households=n * 10 // 33) for code, n in counts.items()]
    return record_population(
        rows, effective_from=dt.date(2026, 1, 1), source=DEMO_POPULATION_SOURCE
    )
