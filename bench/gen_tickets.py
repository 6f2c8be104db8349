"""Bench tool: fill a PostgreSQL database with N realistic tickets of the demo county, fast.

Usage (from the repository root):

    .venv/bin/python bench/gen_tickets.py --database-url URL [--tickets N] [--open-share P]
                                          [--due N] [--seed S] [--reset] [--province CODE]
                                          [--no-word-index]

    --database-url URL  postgres://user@host:port/NAME (default: $DATABASE_URL). The database is
                        created when missing, migrated, and the demo county is seeded into it
                        (`seed_demo` + `seed_demo_catalogue`, both idempotent). Names `test`,
                        `test_*`, `postgres` and `template*` are refused.
    --tickets N         tickets to generate (default 1,000,000)
    --open-share P      force at least this share of tickets to be open (0..1; default: only the
                        tickets that are naturally still open at their age, a few per cent).
                        Forced tickets are modelled as reopened (重办) a few days ago.
    --due N             exactly N open tickets are due now (next_check_at <= now): each has one
                        alarm that has come and not been raised (its reply deadline falls in the
                        last ten minutes). Every other ticket's passed alarms are raised
                        (DeadlineAlarm rows and timeline events exist) and its next_check_at is
                        absent (closed, or nothing pending) or in the future. Default 0.
    --seed S            random seed (default 12345): the same arguments give the same data.
    --reset             truncate the ticket tables first (tickets, assignments, events, alarms,
                        callbacks, sequences and everything else referencing tickets); without
                        it a database that already has tickets is refused.
    --province CODE     spread the tickets over a whole province (2-digit code, e.g. 41 河南省):
                        its real divisions are imported from ../shared/data/divisions and a
                        unit tree city → county → departments, townships → stations, villages
                        is built for them (bench/province.py); the demo county becomes one of
                        the province's counties. Without it, the demo county 台前县 only.
    --no-word-index     leave the search's word index empty (the statistics benchmark never
                        searches by words, and at 10,000,000 tickets the index takes hours).
    --messages DIR      the citizen messages to take titles and texts from
                        (default ../shared/data/messages; falls back to the demo replies shipped
                        in minsheng/tickets/data/demo_replies.csv)

What is generated (shares are of all tickets unless said otherwise):

- created_at spread over the 365 days before now with a weekly rhythm (Monday busiest, Sunday
  quietest), a slow growth over the year, and a daily rhythm (peaks 9-11 h and 15-17 h,
  quiet nights); numbers are YYMMDD + a daily sequence in created_at order, and
  `tickets_ticketsequence` holds each day's last number so that intake continues from it.
- kinds: consultation 58 % (85 % of them closed on the spot by a direct answer), complaint
  15 %, help 13 %, suggestion 6 %, report 5 %, praise 3 %; channels: hotline 70 %, web 15 %,
  h5 8 %, open311 3 %, patrol 2 %, visit 1 %, import 1 %; urgency mostly general, a few per
  cent utilities/complex, 1-2 % emergency; 2 % legal channel, a few emergency transfers, 2 %
  merged into a recent master ticket.
- titles and descriptions are real citizen messages (../shared/data/messages, 7,500 of them;
  "A市"/"A3区" replaced by 台前县 and the ticket's township), the category a leaf of the real
  category tree chosen from the message's words; the division a village (85 %) or township
  (12 %) of 台前县 (with --province: of the province, a township weighted by its villages); citizen phones from a pool of N/6 numbers with a skewed distribution (a
  phone has ~6 tickets on average, frequent callers hundreds), 10 % landlines; some anonymous,
  confidential, with ID number or coordinates.
- the life of each demand follows the default deadlines (minsheng/deadlines/policy.py) on the
  real working calendar: dispatch within hours, sign, contact, reply within days (some late,
  ~1 % very late), callback (78 % satisfied, 14 % basically, 8 % unsatisfied: half reopened for
  a second round, half closed by the hotline); 3 % are returned and reassigned; 12 % get an
  assisting department; a township lead decomposes 40 % of its tickets to a village or station.
  The status is what that life has reached by now: old tickets are closed, recent ones open.
- lead units by the demo dispatch catalogue, with the 孙口镇 "village matters go to the
  township" rule applied to every township; no entry: the division's township government.
  With --province, a department of the catalogue is that county's counterpart of it.
- every deadline alarm whose time has passed while its deadline was live has its DeadlineAlarm
  row and timeline event; `overdue_at` is the first overdue alarm; the ticket's DeadlineCheck
  row holds the next alarm not raised yet (no row for closed tickets).
- about 4-5 timeline events per ticket (intake, direct answer or dispatch, sign, contact,
  reply, callback, alarms …), assignments (lead, assist, subtask), callbacks.

Rows are streamed with COPY (psycopg 3) on one connection per table in parallel threads,
with foreign-key triggers off (`session_replication_role = replica`; the ids are generated
consistent) and the tables' secondary indexes dropped during the load and rebuilt after it.
Then sequences are moved past the ids, the search's word index (`tickets_ticketwords`, tickets
migration 0003; its triggers are off during the load) is filled, and VACUUM ANALYZE runs on
the loaded tables. The
generation time ("now") is stored in the table `minsheng_bench_meta` (key `generated_at`)
so that benchmarks can sweep "now" as the generator saw it.

Example:

    .venv/bin/python bench/gen_tickets.py --database-url postgres://postgres@127.0.0.1:5432/minsheng_bench --due 10000 --reset
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import math
import os
import queue
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MESSAGES = REPO.parent / "shared" / "data" / "messages"
FALLBACK_MESSAGES = REPO / "minsheng" / "tickets" / "data" / "demo_replies.csv"
META_TABLE = "minsheng_bench_meta"
TZ_OFFSET = 8 * 3600  # Asia/Shanghai, no daylight saving
DAY = 86400
DEMO_COUNTY6 = "410927"
HOUR = 3600
CHUNK = 20_000  # tickets per COPY chunk

# ---------------------------------------------------------------------------------------------
# Database set-up


def refuse_name(name: str) -> str | None:
    low = name.lower()
    if low == "test" or low.startswith("test_") or low == "postgres" or low.startswith("template"):
        return (
            f"refusing to generate into the database {name!r} (test, test_*, postgres, template*)"
        )
    return None


def server_url(url: str, database: str = "postgres") -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def libpq_url(url: str) -> str:
    """psycopg wants postgresql:// or postgres://; Django's env accepts both too."""
    return url


def ensure_database(url: str) -> bool:
    import psycopg

    name = database_name(url)
    with psycopg.connect(server_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "migrate", "--noinput", "--verbosity", "0"],
        cwd=REPO,
        env=env,
        check=True,
    )


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------
# Time: integer seconds since the epoch (UTC), formatted for COPY without datetime objects.


class Stamp:
    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._hms = [
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        ]

    def day(self, d: int) -> str:
        text = self._days.get(d)
        if text is None:
            text = self._days[d] = (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
        return text

    def pg(self, ts: float | None) -> str:
        if ts is None:
            return "\\N"
        d, s = divmod(int(ts), DAY)
        return f"{self.day(d)} {self._hms[s]}+00"

    def iso(self, ts: float) -> str:
        d, s = divmod(int(ts), DAY)
        return f"{self.day(d)}T{self._hms[s]}+00:00"


class WorkTime:
    """Working days and hours of the real calendar (package holidays and make-up days)."""

    def __init__(self) -> None:
        from minsheng.deadlines.workcalendar import WorkCalendar

        self.cal = WorkCalendar()
        self._working: dict[int, bool] = {}
        self._wd: dict[tuple[int, int], int] = {}
        spans = []
        for part in ("08:30-12:00", "14:30-17:30"):
            a, b = part.split("-")
            spans.append((int(a[:2]) * 3600 + int(a[3:]) * 60, int(b[:2]) * 3600 + int(b[3:]) * 60))
        self.spans = spans

    def working(self, local_day: int) -> bool:
        w = self._working.get(local_day)
        if w is None:
            w = self._working[local_day] = self.cal.is_working_day(
                dt.date(1970, 1, 1) + dt.timedelta(days=local_day)
            )
        return w

    def add_days(self, ts: float, days: int) -> float:
        """add_working_days: same clock time `days` working days later (rest day: from 00:00)."""
        local = int(ts) + TZ_OFFSET
        d, sec = divmod(local, DAY)
        key = (d, days)
        target = self._wd.get(key)
        if target is None:
            t = d
            if not self.working(t):
                while not self.working(t):
                    t += 1
                t = -t - 1  # marker: clock resets to 00:00
            start = t if t >= 0 else -t - 1
            remaining, cur = days, start
            while remaining:
                cur += 1
                if self.working(cur):
                    remaining -= 1
            target = cur if t >= 0 else -cur - 1
            self._wd[key] = target
        if target < 0:
            return (-target - 1) * DAY - TZ_OFFSET
        return target * DAY + sec - TZ_OFFSET

    def add_hours(self, ts: float, hours: float) -> float:
        """add_working_hours with 08:30-12:00, 14:30-17:30."""
        remaining = int(hours * 3600)
        local = int(ts) + TZ_OFFSET
        d, pos = divmod(local, DAY)
        while True:
            if self.working(d):
                for s, e in self.spans:
                    if e <= pos:
                        continue
                    begin = max(s, pos)
                    available = e - begin
                    if remaining <= available:
                        return d * DAY + begin + remaining - TZ_OFFSET
                    remaining -= available
            d += 1
            pos = 0


# ---------------------------------------------------------------------------------------------
# Random helpers


class Picker:
    """Weighted choice by bisect on cumulative weights: faster than random.choices per call."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, r: float) -> object:
        return self.items[bisect.bisect_right(self.cum, r * self.total)]


def esc(text: str) -> str:
    """COPY text format escaping (done once per pool entry, not per row)."""
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\r", "").replace("\n", "\\n")


# ---------------------------------------------------------------------------------------------
# Texts and categories

LEVEL1_KEYWORDS: dict[str, tuple[str, ...]] = {
    "城乡建设": (
        "小区",
        "物业",
        "路灯",
        "拆迁",
        "房屋",
        "施工",
        "违建",
        "违章",
        "开发商",
        "业主",
        "绿化",
        "下水道",
        "供水",
        "停水",
        "停电",
        "燃气",
        "垃圾",
    ),
    "交通运输": ("公交", "出租", "道路", "车站", "地铁", "高速", "交通", "红绿灯", "驾校", "货车"),
    "劳动和社会保障": ("工资", "社保", "养老", "医保", "退休", "就业", "劳动", "公积金", "拖欠"),
    "教育文体": ("学校", "教师", "老师", "学生", "幼儿园", "教育", "招生", "补课", "体育", "文化"),
    "卫生计生": ("医院", "医生", "卫生", "药", "疫苗", "生育", "诊所", "食品"),
    "环境保护": ("噪音", "污染", "排放", "油烟", "环保", "臭", "粉尘", "扰民"),
    "商贸旅游": ("商家", "价格", "消费", "超市", "景区", "旅游", "退款", "商铺"),
    "农村农业": ("农民", "村民", "土地承包", "种植", "养殖", "农田", "水利", "村委", "林"),
    "民政": ("低保", "救助", "残疾", "养老院", "婚姻", "殡葬", "社区", "选举"),
    "政法": ("派出所", "户口", "户籍", "身份证", "诈骗", "治安", "警察", "律师"),
    "国土资源": ("土地", "征地", "宅基地", "矿"),
    "经济管理": ("银行", "贷款", "税", "企业", "安全生产"),
}
# The 孙口镇 rule of the demo catalogue ("village matters go straight to the township"), which the
# generator applies to every township.
VILLAGE_MATTERS = (
    "城乡建设/村镇建设",
    "城乡建设/城市建设和市政管理/环境卫生",
    "农村农业/村务管理",
    "农村农业/土地承包经营",
    "民政/基层选举和社区建设/村委会选举",
)
ANSWERS = (
    "已根据知识库相关政策向市民作出解释，市民表示清楚。",
    "已告知办理流程、所需材料和办理地点，市民表示认可。",
    "已告知咨询电话和办公时间，建议工作日前往窗口办理。",
    "已解释相关政策规定，市民无异议。",
)
DEFAULT_REPLIES = (
    "经现场核实，问题已处理完毕，已电话告知诉求人处理结果。",
    "已安排工作人员现场查看并整改，诉求人表示认可。",
    "经调查，反映情况属实，已责令相关方限期整改，将持续跟踪。",
    "已向诉求人解释相关政策规定，诉求人表示理解。",
)
RETURN_REASONS = ("该事项不属于本单位职责范围，建议改派。", "经核实，事发地不在本辖区。")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "建国伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰"


@dataclass
class Message:
    title: str  # escaped, with "\x01" where the township goes
    text: str
    category: int  # leaf id


def load_messages(directory: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    files = [
        directory / n
        for n in ("labelled.csv", "messages_with_replies.csv", "messages_with_votes.csv")
    ]
    files = [f for f in files if f.exists()] or [FALLBACK_MESSAGES]
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                key = row.get("id") or row["title"]
                if key in seen or not row.get("title") or not row.get("text"):
                    continue
                seen.add(key)
                rows.append(row)
    return rows


_PLACE_RE = re.compile(r"A\d+区")


def prepare_messages(
    rows: list[dict[str, str]], leaves: list[tuple[int, str]], rng: random.Random
) -> tuple[list[Message], list[str]]:
    """Messages with their category leaf (by the words of the leaf's names), and reply texts."""
    by_level1: dict[str, list[tuple[int, str]]] = {}
    leaf_grams: list[tuple[int, str, set[str]]] = []
    for leaf_id, full in leaves:
        parts = full.split("/")
        by_level1.setdefault(parts[0], []).append((leaf_id, full))
        grams = set()
        for name in parts[1:]:
            if name == "其他":
                continue
            grams |= {name[i : i + 2] for i in range(len(name) - 1)}
        leaf_grams.append((leaf_id, parts[0], grams))
    messages: list[Message] = []
    replies: list[str] = []
    for row in rows:
        title, text = row["title"].strip(), row["text"].strip()
        level1 = row.get("category") or ""
        if not level1:
            scores = {
                k: sum(title.count(w) * 3 + text.count(w) for w in words)
                for k, words in LEVEL1_KEYWORDS.items()
            }
            best = max(scores.items(), key=lambda kv: kv[1])
            level1 = best[0] if best[1] > 0 else rng.choice(list(by_level1))
        best_leaf, best_score = None, 0
        for leaf_id, l1, grams in leaf_grams:
            if l1 != level1:
                continue
            score = sum(3 for g in grams if g in title) + sum(1 for g in grams if g in text)
            if score > best_score:
                best_leaf, best_score = leaf_id, score
        if best_leaf is None:
            best_leaf = rng.choice(
                by_level1.get(level1) or [leaf for group in by_level1.values() for leaf in group]
            )[0]
        title = _PLACE_RE.sub("\x01", title.replace("A市", "台前县"))[:190]
        text = _PLACE_RE.sub("\x01", text.replace("A市", "台前县"))[:1000]
        messages.append(Message(esc(title), esc(text), best_leaf))
        if row.get("reply"):
            reply = row["reply"].replace("A市", "台前县")
            replies.append(esc(_PLACE_RE.sub("", reply)[:300]))
    return messages, replies or [esc(r) for r in DEFAULT_REPLIES]


# ---------------------------------------------------------------------------------------------
# The county


@dataclass
class County:
    units: dict[int, tuple[str, str, int | None]]  # id → (code, kind, parent id)
    unit_by_code: dict[str, int]
    handler: dict[int, int]  # unit id → its handler's user id
    operator: int
    dispatcher: int
    townships: list[tuple[str, str, int]]  # (division code, name, government unit id)
    villages: list[
        tuple[str, str, int, int]
    ]  # (division code, name, township index, village unit id)
    departments: list[int]
    subunits: dict[int, list[int]]  # township government id → stations, teams (not villages)
    leaves: list[tuple[int, str]]
    catalogue: dict[tuple[str, str | None], int]  # (category full name, township code|None) → unit
    # With --province: each county's departments and companies (by 6-digit county code), and
    # each demo department's counterpart in another county ((county, demo unit id) → unit id).
    county_departments: dict[str, list[int]] = field(default_factory=dict)
    counterpart: dict[tuple[str, int], int] = field(default_factory=dict)

    def departments_of(self, township: int | None) -> list[int]:
        if township is None:
            return self.departments
        return self.county_departments.get(self.townships[township][0][:6]) or self.departments

    def local(self, unit: int, township: int | None) -> int:
        """The catalogue's (demo county) unit, or its counterpart in the township's county."""
        if township is None:
            return unit
        return self.counterpart.get((self.townships[township][0][:6], unit), unit)


def load_county(scope: str) -> County:
    """The units, places and catalogue tickets are generated for: the demo county, or with
    --province every county of the province (`scope` is the division code prefix)."""
    from province import DEMO_PREFIX, clone_code

    from minsheng.org.models import Division, Unit, User
    from minsheng.tickets.models import CatalogueEntry, Category

    units = {u.pk: (u.code, u.kind, u.parent_id) for u in Unit.objects.filter(is_active=True)}
    unit_by_code = {code: pk for pk, (code, _k, _p) in units.items()}
    users = dict(User.objects.values_list("username", "pk"))
    handler = {
        pk: users[f"h-{code}"] for pk, (code, _k, _p) in units.items() if f"h-{code}" in users
    }
    gov_by_division = {
        u.division_id: u.pk
        for u in Unit.objects.filter(
            kind=Unit.Kind.TOWNSHIP, is_active=True, division__code__startswith=scope
        )
    }
    townships = [
        (d.code, d.name, gov_by_division[d.code])
        for d in Division.objects.filter(code__in=list(gov_by_division)).order_by("code")
    ]
    tindex = {code: i for i, (code, _n, _g) in enumerate(townships)}
    village_unit = {
        u.division_id: u.pk
        for u in Unit.objects.filter(
            kind=Unit.Kind.VILLAGE, is_active=True, division__code__startswith=scope
        )
    }
    villages = [
        (d.code, d.name, tindex[d.parent_id], village_unit[d.code])
        for d in Division.objects.filter(code__in=list(village_unit)).order_by("code")
        if d.parent_id in tindex
    ]
    # Departments and companies: the demo county's (top level, or under its county node with
    # --province) and every other county's counterparts, grouped by county.
    node_county = {pk: code[3:] for pk, (code, _k, _p) in units.items() if code.startswith("gov")}
    county_departments: dict[str, list[int]] = {}
    for pk, (code, kind, parent) in sorted(units.items()):
        if kind not in (Unit.Kind.DEPARTMENT, Unit.Kind.COMPANY) or code.startswith("gov"):
            continue
        if parent is None and code.startswith(DEMO_PREFIX):
            county_departments.setdefault(DEMO_COUNTY6, []).append(pk)
        elif parent in node_county and len(node_county[parent]) == 6:
            county_departments.setdefault(node_county[parent], []).append(pk)
    departments = county_departments.get(DEMO_COUNTY6, [])
    counterpart = {
        (county6, demo_pk): unit_by_code[clone_code(county6, units[demo_pk][0])]
        for county6 in county_departments
        if county6 != DEMO_COUNTY6
        for demo_pk in departments
        if clone_code(county6, units[demo_pk][0]) in unit_by_code
    }
    subunits: dict[int, list[int]] = {}
    for pk, (_c, kind, parent) in units.items():
        if (
            parent is not None
            and kind in (Unit.Kind.STATION, Unit.Kind.TEAM)
            and units[parent][1] == Unit.Kind.TOWNSHIP
        ):
            subunits.setdefault(parent, []).append(pk)
    leaves = list(
        Category.objects.filter(children__isnull=True, is_active=True)
        .order_by("pk")
        .values_list("pk", "full_name")
    )
    catalogue = {
        (e.category.full_name, e.township_id): e.unit_id
        for e in CatalogueEntry.objects.select_related("category", "unit").filter(
            unit__is_active=True
        )
    }
    return County(
        units,
        unit_by_code,
        handler,
        users["operator"],
        users["dispatcher"],
        townships,
        villages,
        sorted(departments),
        subunits,
        leaves,
        catalogue,
        {k: sorted(v) for k, v in county_departments.items()},
        counterpart,
    )


# ---------------------------------------------------------------------------------------------
# Policies (minsheng/deadlines/policy.py defaults), as (dispatch h, sign (value, unit),
# contact h | None, reply (value, unit), callback working days)

POLICIES = {
    "emergency": (1, (0.5, "h"), 1, (2, "h"), 1),
    "utilities": (2, (1, "h"), 2, (24, "h"), 1),
    "general": (24, (4, "wh"), 24, (7, "wd"), 2),
    "complex": (24, (4, "wh"), 24, (15, "wd"), 2),
    "consultation": (24, (4, "wh"), None, (1, "wd"), 2),
}
WARN_SHARE = 0.75
GRACE = 24 * HOUR
ALARM_ACTION = {"warn": "deadline_warn", "overdue": "deadline_overdue", "escalate": "escalate"}


# ---------------------------------------------------------------------------------------------
# The generator


@dataclass
class Out:
    tickets: list[str] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


TICKET_COLUMNS = (
    "id",
    "number",
    "channel",
    "kind",
    "category_id",
    "urgency",
    "title",
    "description",
    "citizen_name",
    "citizen_phone",
    "citizen_id_number",
    "anonymous",
    "confidential",
    "division_id",
    "address",
    "address_public",
    "lat",
    "lng",
    "affected_population",
    "status",
    "round",
    "lead_unit_id",
    "master_id",
    "reply_result",
    "reply_text",
    "replied_at",
    "close_reason",
    "transferred_to",
    "satisfaction",
    "closed_at",
    "extension_days",
    "dispatch_started_at",
    "dispatch_due",
    "dispatched_at",
    "sign_due",
    "contact_due",
    "reply_due",
    "callback_due",
    "deadlines_provisional",
    "paused_at",
    "overdue_at",
    "created_by_id",
    "created_at",
    "updated_at",
    "version",
)
ASSIGNMENT_COLUMNS = (
    "id",
    "ticket_id",
    "unit_id",
    "role",
    "parent_id",
    "round",
    "state",
    "instructions",
    "state_before_return",
    "return_reason",
    "signed_at",
    "signed_by_id",
    "contacted_at",
    "reply_result",
    "reply_text",
    "replied_at",
    "created_at",
)
EVENT_COLUMNS = (
    "id",
    "ticket_id",
    "at",
    "actor_id",
    "unit_id",
    "action",
    "old_status",
    "new_status",
    "note",
    "data",
    "public",
)
ALARM_COLUMNS = ("id", "ticket_id", "deadline", "level", "due_at", "round", "created_at")
CALLBACK_COLUMNS = (
    "id",
    "ticket_id",
    "round",
    "reached",
    "resolved",
    "satisfaction",
    "comment",
    "by_id",
    "at",
)
CHECK_COLUMNS = ("ticket_id", "next_check_at")


@dataclass
class Round:
    """One round of handling: its deadlines and what happened when (None: not by now)."""

    no: int
    start: float  # dispatched_at
    lead: int
    assist: int | None = None
    sign_due: float = 0.0
    contact_due: float | None = None
    reply_due: float = 0.0
    signed: float | None = None
    contacted: float | None = None
    replied: float | None = None
    callback_due: float | None = None
    extension: int = 0


class Generator:
    def __init__(
        self,
        county: County,
        messages: list[Message],
        replies: list[str],
        args: argparse.Namespace,
        now: float,
    ) -> None:
        self.c = county
        self.messages = messages
        self.replies = replies
        self.n = args.tickets
        self.open_share = args.open_share
        self.rng = random.Random(args.seed)
        self.now = now
        self.stamp = Stamp()
        self.work = WorkTime()
        self.ids = {"assignment": 0, "event": 0, "alarm": 0, "callback": 0}
        self.stats: dict[str, int] = {}
        self.channel = Picker(
            ["hotline", "web", "h5", "open311", "patrol", "visit", "import"],
            [70, 15, 8, 3, 2, 1, 1],
        )
        self.kind = Picker(
            ["consultation", "complaint", "help", "suggestion", "report", "praise"],
            [58, 15, 13, 6, 5, 3],
        )
        self.urgency = Picker(["general", "utilities", "complex", "emergency"], [86, 6, 6, 2])
        # Villages: a skewed share (the seat town's villages and big villages call more).
        self.village = Picker(
            list(range(len(county.villages))),
            [1.0 / (1 + (i % 97)) ** 0.5 for i in range(len(county.villages))],
        )
        per_township = Counter(v[2] for v in county.villages)
        self.township = Picker(
            list(range(len(county.townships))),
            [per_township.get(i, 0) or 1 for i in range(len(county.townships))],
        )
        self.satisfaction = Picker(["satisfied", "basically_satisfied", "unsatisfied"], [78, 14, 8])
        self.reply_result = Picker(["resolved", "partly_resolved", "explained"], [62, 13, 25])
        # Phones: N/6 citizens; index = P * u**1.5 makes low indexes frequent callers.
        self.phones_n = max(50, self.n // 6)
        self.phone_cache: dict[int, tuple[str, str, str]] = {}
        from minsheng.textproc.pii import id_check_character

        self.id_check = id_check_character
        self.lead_cache: dict[tuple[int, int | None], int] = {}
        self.leaf_name = dict(county.leaves)
        self.ring: list[
            tuple[int, str, float | None, int]
        ] = []  # recent demands: id, number, closed, status-ish
        self.instructions = esc("请按时限办理并答复诉求人。")
        self.village_unit = {code: unit for code, _n, _t, unit in county.villages}
        self._due_now = False
        self._last_at = 0.0
        self._policy = POLICIES["general"]
        self._last_result = self._last_reply = self._close_reason = ""
        self._closed_at: float | None = None
        self._provisional_from = math.inf

    # -- people -----------------------------------------------------------------------------

    def person(self, idx: int) -> tuple[str, str, str]:
        """(phone, name, id number) of citizen `idx`, the same every time."""
        p = self.phone_cache.get(idx)
        if p is None:
            r = random.Random(idx * 7919 + 13)
            if r.random() < 0.1:
                phone = f"0393-{r.randint(2000000, 8999999)}"
            else:
                phone = f"1{r.choice('3456789')}{r.randint(0, 9)}{r.randint(0, 99999999):08d}"
            name = SURNAMES[r.randrange(len(SURNAMES))]
            name += r.choice(
                (
                    "先生",
                    "女士",
                    "先生",
                    "女士",
                    GIVEN[r.randrange(len(GIVEN))] + GIVEN[r.randrange(len(GIVEN))],
                )
            )
            first17 = f"410927{r.randint(1950, 2004)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(0, 999):03d}"
            p = self.phone_cache[idx] = (phone, name, first17 + self.id_check(first17))
        return p

    # -- rules ------------------------------------------------------------------------------

    def department(self, township: int | None, u: float) -> int:
        """A department or company of the township's county, uniformly."""
        departments = self.c.departments_of(township)
        return departments[int(u * len(departments))]

    def lead_for(self, leaf: int, township: int | None) -> int:
        key = (leaf, township)
        unit = self.lead_cache.get(key)
        if unit is None:
            full = self.leaf_name[leaf]
            parts = full.split("/")
            names = ["/".join(parts[:k]) for k in range(len(parts), 0, -1)]
            tcode = self.c.townships[township][0] if township is not None else None
            if township is not None and any(full.startswith(m) for m in VILLAGE_MATTERS):
                unit = self.c.townships[township][2]
            else:
                for name in names:
                    unit = self.c.catalogue.get((name, tcode)) or self.c.catalogue.get((name, None))
                    if unit:
                        unit = self.c.local(unit, township)
                        break
            if unit is None:
                departments = self.c.departments_of(township)
                unit = (
                    self.c.townships[township][2]
                    if township is not None
                    else departments[leaf % len(departments)]
                )
            self.lead_cache[key] = unit
        return unit

    # -- deadlines ----------------------------------------------------------------------------

    def add(self, ts: float, span: tuple[float, str]) -> float:
        amount, unit = span
        if unit == "h":
            return ts + amount * HOUR
        if unit == "wh":
            return self.work.add_hours(ts, amount)
        return self.work.add_days(ts, int(amount))

    # -- output helpers -----------------------------------------------------------------------

    def event(
        self,
        out: Out,
        tid: int,
        at: float,
        action: str,
        *,
        actor: int | None = None,
        unit: int | None = None,
        old: str = "",
        new: str = "",
        note: str = "",
        data: str = "{}",
        public: bool = False,
    ) -> None:
        self.ids["event"] += 1
        pg = self.stamp.pg
        if at > self._last_at:
            self._last_at = at
        out.events.append(
            f"{self.ids['event']}\t{tid}\t{pg(at)}\t{actor if actor else chr(92) + 'N'}\t"
            f"{unit if unit else chr(92) + 'N'}\t{action}\t{old}\t{new}\t{note}\t{data}\t{'t' if public else 'f'}\n"
        )

    def assignment(
        self,
        out: Out,
        tid: int,
        unit: int,
        role: str,
        rnd: int,
        state: str,
        created: float,
        *,
        parent: int | None = None,
        signed: float | None = None,
        contacted: float | None = None,
        replied: float | None = None,
        result: str = "",
        reply: str = "",
        before_return: str = "",
        return_reason: str = "",
    ) -> int:
        self.ids["assignment"] += 1
        aid = self.ids["assignment"]
        pg = self.stamp.pg
        signer = self.c.handler.get(unit) if signed is not None else None
        out.assignments.append(
            f"{aid}\t{tid}\t{unit}\t{role}\t{parent if parent else chr(92) + 'N'}\t{rnd}\t{state}\t"
            f"{self.instructions}\t{before_return}\t{return_reason}\t{pg(signed)}\t"
            f"{signer if signer else chr(92) + 'N'}\t{pg(contacted)}\t{result}\t{reply}\t{pg(replied)}\t{pg(created)}\n"
        )
        return aid

    # -- one ticket ----------------------------------------------------------------------------

    def ticket(self, out: Out, tid: int, number: str, created: float, due_now: bool) -> None:
        rng = self.rng
        r = rng.random
        c = self.c
        now = self.now
        self._due_now = due_now
        self._last_at = created
        channel = self.channel(r())
        kind = self.kind(r())
        if due_now and kind == "consultation":
            kind = "complaint"
        urgency = "general" if kind == "consultation" or due_now else self.urgency(r())
        if kind == "consultation" and r() < 0.02:
            urgency = "utilities"
        msg = self.messages[int(r() * len(self.messages))]
        leaf = msg.category
        # Place.
        u = r()
        township: int | None
        division: str | None
        address = ""
        if u < 0.85:
            vcode, vname, township, _vu = c.villages[self.village(r())]
            division = vcode
            address = f"{c.townships[township][1]}{vname}{1 + int(r() * 12)}组"
        elif u < 0.97:
            township = self.township(r())
            division = c.townships[township][0]
            address = f"{c.townships[township][1]}{'人民路建设路解放路中心街'[int(r() * 4) * 3 :][:3]}{1 + int(r() * 300)}号"
        else:
            township, division = None, None
        tname = c.townships[township][1] if township is not None else "台前县"
        title = msg.title.replace("\x01", tname)
        description = msg.text.replace("\x01", tname)
        # Citizen.
        anonymous = r() < 0.08
        confidential = r() < 0.03
        if channel in ("web", "h5", "open311") and r() < 0.15:
            phone, name, idn = "", "", ""
        else:
            phone, name, idn = self.person(int(self.phones_n * r() ** 1.5))
            if r() > 0.05:
                idn = ""
        if anonymous:
            name = ""
        lat = lng = "\\N"
        if r() < 0.3:
            lat, lng = f"{35.85 + r() * 0.2:.6f}", f"{115.75 + r() * 0.3:.6f}"
        population = 1 if r() < 0.9 else 2 + int(r() * 48)
        created_by = c.operator if channel in ("hotline", "patrol", "visit") else None

        status, rnd = "new", 1
        lead: int | None = None
        master_id: int | None = None
        reply_result = reply_text = close_reason = transferred = satisfaction = ""
        replied_at = closed_at = None
        extension = 0
        dispatch_started = created
        policy_key = "consultation" if kind == "consultation" and urgency == "general" else urgency
        p_dispatch, p_sign, p_contact, p_reply, p_callback = POLICIES[policy_key]
        dispatch_due = created + p_dispatch * HOUR
        dispatched_at = sign_due = contact_due = reply_due = callback_due = None
        overdue_at: float | None = None
        next_check: float | None = None
        events_start = len(out.events)
        op = c.operator
        self.event(
            out,
            tid,
            created,
            "intake",
            actor=created_by,
            old="-",
            new="new",
            public=True,
            data=f'{{"channel": "{channel}"}}',
        )

        forced_open = due_now or (self.open_share > 0 and r() < self.open_share)
        # Outcome at intake.
        u = r()
        if kind == "consultation" and u < 0.85 and not forced_open:
            outcome = "direct"
        elif u > 0.98 and not forced_open and kind != "praise":
            outcome = "legal"
        elif urgency == "emergency" and u < 0.25 and not forced_open:
            outcome = "transfer"
        elif kind != "consultation" and 0.95 < u <= 0.97 and self.ring and not forced_open:
            outcome = "merge"
        else:
            outcome = "demand"

        if outcome == "direct":
            t = created + 60 + r() * 600
            status, close_reason, reply_result = "closed", "direct_answer", "explained"
            reply_text = esc(ANSWERS[int(r() * len(ANSWERS))])
            replied_at = closed_at = t
            self.event(
                out,
                tid,
                t,
                "direct_answer",
                actor=op,
                old="new",
                new="closed",
                note=reply_text,
                public=True,
                data='{"article": null}',
            )
            updated = t
            self.stats["direct"] = self.stats.get("direct", 0) + 1
        elif outcome == "legal":
            t = created + 120 + r() * 900
            status, close_reason, reply_result = "closed", "legal_channel", "explained"
            reply_text = esc("该事项属于信访事项，已告知诉求人依法通过信访渠道反映。")
            replied_at = closed_at = t
            self.event(
                out,
                tid,
                t,
                "legal_channel",
                actor=op,
                old="new",
                new="closed",
                note=reply_text,
                public=True,
                data='{"channel": "petition"}',
            )
            updated = t
        elif outcome == "transfer":
            t = created + 30 + r() * 240
            status, transferred = "transferred", ("110", "119", "120", "122")[int(r() * 4)]
            closed_at = t
            self.event(
                out,
                tid,
                t,
                "emergency_transfer",
                actor=op,
                old="new",
                new="transferred",
                public=True,
                data=f'{{"to": "{transferred}"}}',
            )
            updated = t
        elif outcome == "merge":
            mid, mnumber, mclosed, _x = self.ring[int(r() * len(self.ring))]
            master_id = mid
            t = created + 600 + r() * 3 * HOUR
            status = "merged"
            self.event(
                out,
                tid,
                t,
                "merge",
                actor=op,
                old="new",
                new="merged",
                public=True,
                data=f'{{"master": "{mnumber}"}}',
            )
            updated = t
            if mclosed is not None and mclosed <= now:
                status, close_reason, closed_at = "closed", "master", max(mclosed, t)
                self.event(
                    out,
                    tid,
                    closed_at,
                    "follow_master",
                    old="merged",
                    new="closed",
                    public=True,
                    data=f'{{"master": "{mnumber}"}}',
                )
                updated = closed_at
        else:
            outcome = "demand"
        if outcome != "demand" and status != "new" and self._last_at > now:
            # Answered, transferred or merged only after now: still new at now.
            out.events.pop()
            self.ids["event"] -= 1
            if outcome == "merge" and status == "closed":
                out.events.pop()
                self.ids["event"] -= 1
            status, master_id, reply_result, reply_text, close_reason, transferred = (
                "new",
                None,
                "",
                "",
                "",
                "",
            )
            replied_at = closed_at = None
            self._last_at = created
            next_check = created + (dispatch_due - created) * WARN_SHARE
        if outcome != "demand":
            self._ticket_row(
                out,
                tid,
                number,
                channel,
                kind,
                leaf,
                urgency,
                title,
                description,
                name,
                phone,
                idn,
                anonymous,
                confidential,
                division,
                address,
                lat,
                lng,
                population,
                status,
                rnd,
                lead,
                master_id,
                reply_result,
                reply_text,
                replied_at,
                close_reason,
                transferred,
                satisfaction,
                closed_at,
                extension,
                dispatch_started,
                dispatch_due,
                dispatched_at,
                sign_due,
                contact_due,
                reply_due,
                callback_due,
                overdue_at,
                next_check,
                created_by,
                created,
                updated,
                len(out.events) - events_start,
            )
            return

        # --- A demand: dispatch, handling, reply, callback, by the policy's deadlines. ---
        self._policy = POLICIES[policy_key]
        alarms: list[
            tuple[str, float, float, float, float, int]
        ] = []  # (deadline, start, due, live from, live to, round)
        lead = self.lead_for(leaf, township)
        if urgency == "emergency":
            td = created + 300 + r() * 2700
        elif urgency == "utilities":
            td = created + 600 + r() * 5400
        else:
            td = created + min(30 * HOUR, 600 + rng.lognormvariate(8.3, 1.0))
        if due_now:
            td = min(td, created + 20 * HOUR)
        alarms.append(("dispatch", created, dispatch_due, created, td, 1))
        if td > now:  # not dispatched yet
            self._finish(
                out,
                tid,
                number,
                channel,
                kind,
                leaf,
                urgency,
                title,
                description,
                name,
                phone,
                idn,
                anonymous,
                confidential,
                division,
                address,
                lat,
                lng,
                population,
                "new",
                1,
                None,
                alarms,
                created_by,
                created,
                events_start,
                dispatch_started,
                dispatch_due,
                None,
                due_now,
            )
            return
        assist = None
        if r() < 0.12:
            assist = self.department(township, r())
            if assist == lead:
                assist = None
        self.event(
            out,
            tid,
            td,
            "dispatch",
            actor=c.dispatcher,
            unit=lead,
            old="new",
            new="dispatched",
            public=True,
            data=f'{{"lead": "{c.units[lead][0]}", "assisting": [{chr(34) + c.units[assist][0] + chr(34) if assist else ""}]}}',
        )
        rd = Round(1, td, lead, assist)
        self._plan(rd, urgency, phone, forced_open)
        if r() < 0.03 and not due_now and rd.signed is not None and rd.signed + 21 * HOUR < now:
            # Returned: the lead signs, then returns it as not its matter; the dispatcher reassigns.
            t_ret = rd.signed + HOUR + r() * 20 * HOUR
            t_ra = t_ret + 1800 + r() * 16 * HOUR
            start = rd.start
            alarms.append(("sign", start, rd.sign_due, start, rd.signed, 1))
            alarms.append(("reply", start, rd.reply_due, start, t_ret, 1))
            if rd.contact_due:
                alarms.append(("contact", start, rd.contact_due, start, t_ret, 1))
            reason = esc(RETURN_REASONS[int(r() * 2)])
            h = c.handler.get(lead)
            self.event(
                out,
                tid,
                rd.signed,
                "sign",
                actor=h,
                unit=lead,
                old="dispatched",
                new="in_progress",
                public=True,
                data='{"role": "lead"}',
            )
            self.event(
                out,
                tid,
                t_ret,
                "return",
                actor=h,
                unit=lead,
                old="in_progress",
                new="returned",
                note=reason,
                data='{"role": "lead"}',
            )
            dispatch_started, dispatch_due = t_ret, t_ret + self._policy[0] * HOUR
            alarms.append(("dispatch", t_ret, dispatch_due, t_ret, t_ra, 1))
            if t_ra > now:
                self.assignment(
                    out,
                    tid,
                    lead,
                    "lead",
                    1,
                    "return_requested",
                    start,
                    signed=rd.signed,
                    before_return="signed",
                    return_reason=reason,
                )
                if assist:
                    self.assignment(out, tid, assist, "assist", 1, "pending", start)
                self._finish(
                    out,
                    tid,
                    number,
                    channel,
                    kind,
                    leaf,
                    urgency,
                    title,
                    description,
                    name,
                    phone,
                    idn,
                    anonymous,
                    confidential,
                    division,
                    address,
                    lat,
                    lng,
                    population,
                    "returned",
                    1,
                    lead,
                    alarms,
                    created_by,
                    created,
                    events_start,
                    dispatch_started,
                    dispatch_due,
                    rd,
                    due_now,
                )
                return
            self.assignment(
                out,
                tid,
                lead,
                "lead",
                1,
                "cancelled",
                start,
                signed=rd.signed,
                before_return="signed",
                return_reason=reason,
            )
            old_lead = lead
            if township is not None and c.units[lead][1] != "township":
                lead = c.townships[township][2]
            else:
                lead = self.department(township, r())
            if lead == old_lead:
                departments = c.departments_of(township)
                lead = (
                    departments[(departments.index(lead) + 1) % len(departments)]
                    if lead in departments
                    else departments[0]
                )
            if assist == lead:
                assist = None
            self.event(
                out,
                tid,
                t_ra,
                "return_accept",
                actor=c.dispatcher,
                unit=lead,
                old="returned",
                new="dispatched",
                data=f'{{"returned_by": "{c.units[old_lead][0]}", "lead": "{c.units[lead][0]}"}}',
            )
            rd = Round(1, t_ra, lead, assist)
            self._plan(rd, urgency, phone, forced_open)
        rounds = [rd]
        status, satisfaction = self._play_round(
            out, tid, rd, rounds, alarms, division, phone, urgency, forced_open
        )
        last = rounds[-1]
        if due_now:
            self.stats["due"] = self.stats.get("due", 0) + 1
        closed = status == "closed"
        self._finish(
            out,
            tid,
            number,
            channel,
            kind,
            leaf,
            urgency,
            title,
            description,
            name,
            phone,
            idn,
            anonymous,
            confidential,
            division,
            address,
            lat,
            lng,
            population,
            status,
            last.no,
            last.lead,
            alarms,
            created_by,
            created,
            events_start,
            dispatch_started,
            dispatch_due,
            last,
            due_now,
            reply_result=self._last_result if status in ("replied", "closed") else "",
            reply_text=self._last_reply if status in ("replied", "closed") else "",
            replied_at=last.replied if status in ("replied", "closed") else None,
            callback_due=last.callback_due if status in ("replied", "closed") else None,
            closed_at=self._closed_at if closed else None,
            close_reason=self._close_reason if closed else "",
            satisfaction=satisfaction,
            extension=rd.extension,
        )
        self.ring.append((tid, number, self._closed_at if closed else None, 0))
        if len(self.ring) > 2000:
            del self.ring[:1000]

    def _plan(
        self, rd: Round, urgency: str, phone: str, forced_open: bool, due_now: bool = False
    ) -> None:
        """The round's deadlines from its dispatch, and when sign, contact and reply happen."""
        r, rng, now = self.rng.random, self.rng, self.now
        p_dispatch, p_sign, p_contact, p_reply, _cb = self._policy
        start = rd.start
        rd.sign_due = self.add(start, p_sign)
        rd.contact_due = start + p_contact * HOUR if p_contact else None
        rd.reply_due = self.add(start, p_reply)
        if urgency == "emergency":
            s, ct, rep = 120 + r() * 1500, 300 + r() * 3000, 1800 + r() * 4000
        elif urgency == "utilities":
            s, ct, rep = 300 + r() * 3000, 600 + r() * 6000, 2 * HOUR + r() * 26 * HOUR
        else:
            s = 300 + rng.lognormvariate(8.6, 1.0)
            ct = s + 600 + rng.lognormvariate(9.3, 1.1)
            rep = ct + (rd.reply_due - start) * (0.1 + 0.93 * r() ** 1.5)
            if r() < 0.01:
                rep *= 5 + 10 * r()  # stuck for weeks
        rd.signed = start + s
        rd.contacted = start + max(ct, s + 60) if (phone or p_contact) else None
        rd.replied = start + max(rep, ct + 600)
        if self._due_now and rd.no == 1:
            # The backlog case: signed and contacted, and the reply deadline (extended where the
            # ticket is older than 7 working days) falls within the last ten minutes.
            nominal = rd.reply_due
            rd.reply_due = now - r() * 600
            if rd.reply_due > nominal:
                rd.extension = max(1, int((rd.reply_due - nominal) / DAY))
            rd.replied = None
            rd.signed = min(rd.signed, now - 2 * HOUR)
            if rd.contacted is not None:
                rd.contacted = min(rd.contacted, now - HOUR)
        elif forced_open and rd.no > 1 and rd.replied <= now:
            # A forced-open ticket's second round is not replied by now.
            rd.replied = now + HOUR + r() * 5 * DAY

    def _play_round(
        self,
        out: Out,
        tid: int,
        rd: Round,
        rounds: list[Round],
        alarms: list,
        division: str | None,
        phone: str,
        urgency: str,
        forced_open: bool,
    ) -> tuple[str, str]:
        """Emit the round's assignments, events and callbacks up to now; returns (status,
        satisfaction) at now, playing a second round after a reopen."""
        c, r, now, start, lead, no = self.c, self.rng.random, self.now, rd.start, rd.lead, rd.no
        signed = rd.signed if rd.signed is not None and rd.signed <= now else None
        contacted = (
            rd.contacted
            if signed is not None and rd.contacted is not None and rd.contacted <= now
            else None
        )
        replied = rd.replied
        if replied is not None and (
            replied > now or signed is None or (rd.contacted is not None and contacted is None)
        ):
            replied = None
        callback = sat = None
        if replied is not None:
            rd.callback_due = self.work.add_days(replied, 2)
            callback = replied + 2 * HOUR + 1.6 * DAY * r() ** 1.5
            sat = self.satisfaction(r())
            if forced_open and no == 1 and callback <= now:
                sat = "unsatisfied"
            if callback > now:
                callback = None
        rd.replied = replied
        inf = math.inf
        alarms.append(
            ("sign", start, rd.sign_due, start, signed if signed is not None else inf, no)
        )
        if rd.contact_due is not None:
            alarms.append(
                (
                    "contact",
                    start,
                    rd.contact_due,
                    start,
                    contacted if contacted is not None else inf,
                    no,
                )
            )
        alarms.append(
            ("reply", start, rd.reply_due, start, replied if replied is not None else inf, no)
        )
        if replied is not None:
            alarms.append(
                (
                    "callback",
                    replied,
                    rd.callback_due,
                    replied,
                    callback if callback is not None else inf,
                    no,
                )
            )
        # The lead's part.
        h = c.handler.get(lead)
        lead_state = (
            "replied" if replied is not None else ("signed" if signed is not None else "pending")
        )
        result = self.reply_result(r()) if replied is not None else ""
        reply = self.replies[int(r() * len(self.replies))] if replied is not None else ""
        self._last_result, self._last_reply = result, reply
        lead_id = self.assignment(
            out,
            tid,
            lead,
            "lead",
            no,
            lead_state,
            start,
            signed=signed,
            contacted=contacted,
            replied=replied,
            result=result,
            reply=reply,
        )
        if signed is not None:
            self.event(
                out,
                tid,
                signed,
                "sign",
                actor=h,
                unit=lead,
                old="dispatched",
                new="in_progress",
                public=True,
                data='{"role": "lead"}',
            )
        span = ((rd.replied or now) - signed) if signed is not None else 0.0
        # An assisting department.
        if rd.assist:
            a_signed = (
                signed + 0.15 * span if signed is not None and signed + 0.15 * span <= now else None
            )
            a_replied = (
                signed + 0.8 * span if a_signed is not None and signed + 0.8 * span <= now else None
            )
            state = "replied" if a_replied else ("signed" if a_signed else "pending")
            self.assignment(
                out,
                tid,
                rd.assist,
                "assist",
                no,
                state,
                start,
                signed=a_signed,
                replied=a_replied,
                result="resolved" if a_replied else "",
                reply=self.replies[0] if a_replied else "",
            )
            if a_signed is not None:
                self.event(
                    out,
                    tid,
                    a_signed,
                    "sign",
                    actor=c.handler.get(rd.assist),
                    unit=rd.assist,
                    data='{"role": "assist"}',
                )
            if a_replied is not None:
                self.event(
                    out,
                    tid,
                    a_replied,
                    "reply",
                    actor=c.handler.get(rd.assist),
                    unit=rd.assist,
                    note=self.replies[0],
                    data='{"result": "resolved", "role": "assist"}',
                )
        # A township decomposes to the village (or one of its stations).
        if signed is not None and c.units[lead][1] == "township" and r() < 0.4:
            target = self.village_unit.get(division or "")
            if target is None:
                subs = c.subunits.get(lead) or []
                target = subs[int(r() * len(subs))] if subs else None
            t_dec = signed + 0.1 * span
            if target is not None and t_dec <= now:
                s_signed = signed + 0.2 * span if signed + 0.2 * span <= now else None
                s_replied = (
                    signed + 0.7 * span
                    if s_signed is not None and signed + 0.7 * span <= now
                    else None
                )
                self.event(
                    out,
                    tid,
                    t_dec,
                    "decompose",
                    actor=h,
                    unit=lead,
                    note=self.instructions,
                    data=f'{{"units": ["{c.units[target][0]}"]}}',
                )
                state = "replied" if s_replied else ("signed" if s_signed else "pending")
                self.assignment(
                    out,
                    tid,
                    target,
                    "subtask",
                    no,
                    state,
                    t_dec,
                    parent=lead_id,
                    signed=s_signed,
                    replied=s_replied,
                    result="resolved" if s_replied else "",
                    reply=self.replies[0] if s_replied else "",
                )
                if s_signed is not None:
                    self.event(
                        out,
                        tid,
                        s_signed,
                        "sign",
                        actor=c.handler.get(target),
                        unit=target,
                        data='{"role": "subtask"}',
                    )
                if s_replied is not None:
                    self.event(
                        out,
                        tid,
                        s_replied,
                        "reply",
                        actor=c.handler.get(target),
                        unit=target,
                        note=self.replies[0],
                        data='{"result": "resolved", "role": "subtask"}',
                    )
        if contacted is not None:
            self.event(
                out,
                tid,
                contacted,
                "contact",
                actor=h,
                unit=lead,
                data=f'{{"method": "phone", "at": "{self.stamp.iso(contacted)}"}}',
            )
        if replied is None:
            return ("in_progress" if signed is not None else "dispatched"), ""
        self.event(
            out,
            tid,
            replied,
            "reply",
            actor=h,
            unit=lead,
            old="in_progress",
            new="replied",
            note=reply,
            public=True,
            data=f'{{"result": "{result}", "role": "lead"}}',
        )
        if callback is None:
            return "replied", ""
        op = c.operator
        pg = self.stamp.pg
        self.ids["callback"] += 1
        if not forced_open and r() < 0.05:  # not reached; the hotline closes after more attempts
            out.callbacks.append(
                f"{self.ids['callback']}\t{tid}\t{no}\tf\t\\N\t\t\t{op}\t{pg(callback)}\n"
            )
            self.event(
                out,
                tid,
                callback,
                "callback",
                actor=op,
                data='{"reached": false, "resolved": null, "satisfaction": ""}',
            )
            t_close = callback + DAY + r() * DAY
            if t_close > now:
                return "replied", ""
            self._closed_at, self._close_reason = t_close, "hotline"
            self.event(
                out,
                tid,
                t_close,
                "close",
                actor=op,
                old="replied",
                new="closed",
                public=True,
                note=esc("多次回访未能联系上诉求人，热线办结。"),
            )
            return "closed", ""
        resolved = "t" if result != "explained" and sat != "unsatisfied" else "f"
        out.callbacks.append(
            f"{self.ids['callback']}\t{tid}\t{no}\tt\t{resolved}\t{sat}\t\t{op}\t{pg(callback)}\n"
        )
        closes = sat != "unsatisfied"
        self.event(
            out,
            tid,
            callback,
            "callback",
            actor=op,
            old="replied" if closes else "",
            new="closed" if closes else "",
            data=f'{{"reached": true, "resolved": {"true" if resolved == "t" else "false"}, "satisfaction": "{sat}"}}',
        )
        if closes:
            self._closed_at, self._close_reason = callback, "callback"
            return "closed", sat or ""
        # Unsatisfied: another round (always for a forced-open ticket, else half), or the hotline closes.
        if no == 1 and (forced_open or r() < 0.5):
            t_ro = (
                max(callback + HOUR, now - 7 * DAY * r())
                if forced_open
                else callback + HOUR + r() * DAY
            )
            if t_ro > now:
                return "replied", sat or ""
            self.event(
                out,
                tid,
                t_ro,
                "reopen",
                actor=op,
                unit=lead,
                old="replied",
                new="dispatched",
                public=True,
                note=esc("回访不满意，重新办理。"),
                data='{"round": 2}',
            )
            nxt = Round(2, t_ro, lead, rd.assist)
            self._plan(nxt, urgency, phone, forced_open)
            rounds.append(nxt)
            return self._play_round(
                out, tid, nxt, rounds, alarms, division, phone, urgency, forced_open
            )
        t_close = callback + HOUR + r() * DAY
        if t_close > now:
            return "replied", sat or ""
        self._closed_at, self._close_reason = t_close, "hotline"
        self.event(
            out,
            tid,
            t_close,
            "close",
            actor=op,
            old="replied",
            new="closed",
            public=True,
            note=esc("诉求人仍不满意，已作解释说明，热线办结。"),
        )
        return "closed", sat or ""

    def _finish(
        self,
        out: Out,
        tid: int,
        number: str,
        channel: str,
        kind: str,
        leaf: int,
        urgency: str,
        title: str,
        description: str,
        name: str,
        phone: str,
        idn: str,
        anonymous: bool,
        confidential: bool,
        division: str | None,
        address: str,
        lat: str,
        lng: str,
        population: int,
        status: str,
        rnd: int,
        lead: int | None,
        alarms: list,
        created_by: int | None,
        created: float,
        events_start: int,
        dispatch_started: float,
        dispatch_due: float | None,
        last: Round | None,
        due_now: bool,
        *,
        reply_result: str = "",
        reply_text: str = "",
        replied_at: float | None = None,
        callback_due: float | None = None,
        closed_at: float | None = None,
        close_reason: str = "",
        satisfaction: str = "",
        extension: int = 0,
    ) -> None:
        """The alarms raised so far (rows and events), overdue_at, next_check_at, the ticket row.

        An alarm was raised when its time came while its deadline was live (and before now); a
        deadline still live at now contributes its future alarms to next_check_at. A due
        ticket's reply deadline has its overdue alarm not raised yet: that is the work waiting.
        """
        now = self.now
        overdue_at = None
        pending: list[float] = []
        seen: set[tuple[str, float, str, int]] = set()
        for deadline, start, due, live_from, live_to, rnd_no in alarms:
            if due is None:
                continue
            for level, at in (
                ("warn", start + (due - start) * WARN_SHARE),
                ("overdue", due),
                ("escalate", due + GRACE),
            ):
                if at < live_from:
                    continue
                key = (deadline, due, level, rnd_no)
                if key in seen:
                    continue
                seen.add(key)
                at = float(int(at))  # as stored (whole seconds)
                if at <= now and at < live_to:
                    if due_now and deadline == "reply" and level != "warn" and live_to > now:
                        pending.append(at)
                        continue
                    self.ids["alarm"] += 1
                    self.stamp_alarm(out, tid, deadline, level, due, rnd_no, at, lead)
                    if level == "overdue" and (overdue_at is None or at < overdue_at):
                        overdue_at = at
                elif at > now and live_to > now:
                    pending.append(at)
        next_check = (
            min(pending) if pending and status not in ("closed", "transferred", "merged") else None
        )
        self._ticket_row(
            out,
            tid,
            number,
            channel,
            kind,
            leaf,
            urgency,
            title,
            description,
            name,
            phone,
            idn,
            anonymous,
            confidential,
            division,
            address,
            lat,
            lng,
            population,
            status,
            rnd,
            lead,
            None,
            reply_result,
            reply_text,
            replied_at,
            close_reason,
            "",
            satisfaction,
            closed_at,
            extension,
            dispatch_started,
            dispatch_due,
            last.start if last else None,
            last.sign_due if last else None,
            last.contact_due if last else None,
            last.reply_due if last else None,
            callback_due,
            overdue_at,
            next_check,
            created_by,
            created,
            created,
            len(out.events) - events_start,
        )

    def stamp_alarm(
        self,
        out: Out,
        tid: int,
        deadline: str,
        level: str,
        due: float,
        rnd: int,
        at: float,
        lead: int | None,
    ) -> None:
        pg = self.stamp.pg
        raised = at + 1 + self.rng.random() * 5  # the worker's pass after the alarm's time
        out.alarms.append(
            f"{self.ids['alarm']}\t{tid}\t{deadline}\t{level}\t{pg(due)}\t{rnd}\t{pg(raised)}\n"
        )
        self.event(
            out,
            tid,
            raised,
            ALARM_ACTION[level],
            unit=lead,
            data=f'{{"deadline": "{deadline}", "due_at": "{self.stamp.iso(due)}"}}',
        )

    def _ticket_row(
        self,
        out: Out,
        tid: int,
        number: str,
        channel: str,
        kind: str,
        leaf: int,
        urgency: str,
        title: str,
        description: str,
        name: str,
        phone: str,
        idn: str,
        anonymous: bool,
        confidential: bool,
        division: str | None,
        address: str,
        lat: str,
        lng: str,
        population: int,
        status: str,
        rnd: int,
        lead: int | None,
        master: int | None,
        reply_result: str,
        reply_text: str,
        replied_at: float | None,
        close_reason: str,
        transferred: str,
        satisfaction: str,
        closed_at: float | None,
        extension: int,
        dispatch_started: float | None,
        dispatch_due: float | None,
        dispatched_at: float | None,
        sign_due: float | None,
        contact_due: float | None,
        reply_due: float | None,
        callback_due: float | None,
        overdue_at: float | None,
        next_check: float | None,
        created_by: int | None,
        created: float,
        updated: float,
        events: int,
    ) -> None:
        pg = self.stamp.pg
        n = "\\N"
        if status in ("closed", "transferred", "merged"):
            next_check = None
        # Nothing happens after now: a ticket whose answer fell after now is still new.
        updated = min(max(updated, self._last_at), self.now)
        provisional = "f"
        if reply_due is not None and reply_due > self._provisional_from:
            provisional = "t"
        self.stats[status] = self.stats.get(status, 0) + 1
        out.tickets.append(
            f"{tid}\t{number}\t{channel}\t{kind}\t{leaf}\t{urgency}\t{title}\t{description}\t{name}\t{phone}\t"
            f"{idn}\t{'t' if anonymous else 'f'}\t{'t' if confidential else 'f'}\t{division or n}\t{address}\tf\t"
            f"{lat}\t{lng}\t{population}\t{status}\t{rnd}\t{lead or n}\t{master or n}\t{reply_result}\t"
            f"{reply_text}\t{pg(replied_at)}\t{close_reason}\t{transferred}\t{satisfaction}\t{pg(closed_at)}\t"
            f"{extension}\t{pg(dispatch_started)}\t{pg(dispatch_due)}\t{pg(dispatched_at)}\t{pg(sign_due)}\t"
            f"{pg(contact_due)}\t{pg(reply_due)}\t{pg(callback_due)}\t{provisional}\t\\N\t{pg(overdue_at)}\t"
            f"{created_by or n}\t{pg(created)}\t{pg(updated)}\t{max(1, events)}\n"
        )
        if next_check is not None:  # deadlines.DeadlineCheck: a row only while one is pending
            out.checks.append(f"{tid}\t{pg(next_check)}\n")


# ---------------------------------------------------------------------------------------------
# Load


def day_plan(n: int, now: float, rng: random.Random) -> list[tuple[int, int, int]]:
    """(local day index, tickets that day, seconds of the day available) for the last 365 days."""
    local_now = int(now) + TZ_OFFSET
    today, now_sec = divmod(local_now, DAY)
    first = today - 365
    weekday_weight = [1.15, 1.05, 1.02, 1.0, 0.98, 0.78, 0.72]  # Monday … Sunday
    hour_weight = HOUR_WEIGHTS
    total_hours = sum(hour_weight)
    weights = []
    for k, d in enumerate(range(first, today + 1)):
        wd = (d + 3) % 7  # 1970-01-01 was a Thursday
        season = 1.0 + 0.2 * k / 365 + 0.12 * math.sin(2 * math.pi * (k - 100) / 365)
        share = 1.0
        if d == today:
            share = (
                sum(hour_weight[: now_sec // 3600]) / total_hours
                + hour_weight[now_sec // 3600] * (now_sec % 3600) / 3600 / total_hours
            )
        if d == first:
            share = 0.0  # the window starts with the next day
        weights.append(weekday_weight[wd] * season * share)
    total = sum(weights)
    raw = [n * w / total for w in weights]
    counts = [int(x) for x in raw]
    rest = n - sum(counts)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[:rest]:
        counts[i] += 1
    return [
        (first + k, counts[k], now_sec if first + k == today else DAY) for k in range(len(counts))
    ]


HOUR_WEIGHTS = [
    0.25,
    0.15,
    0.1,
    0.1,
    0.15,
    0.3,
    0.8,
    2.0,
    4.0,
    6.0,
    6.2,
    5.5,
    3.5,
    3.0,
    4.5,
    5.6,
    5.8,
    5.0,
    3.2,
    2.8,
    2.6,
    2.0,
    1.2,
    0.6,
]


class CopyWriter(threading.Thread):
    """One table's COPY on its own connection, fed chunks through a queue."""

    def __init__(self, url: str, table: str, columns: tuple[str, ...]) -> None:
        super().__init__(daemon=True)
        self.url, self.table, self.columns = url, table, columns
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.rows = 0

    def run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url) as conn:
                conn.execute("SET session_replication_role = replica")
                conn.execute("SET synchronous_commit = off")
                with conn.cursor() as cur:
                    cols = ", ".join(f'"{c}"' for c in self.columns)
                    with cur.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
                        while True:
                            data = self.queue.get()
                            if data is None:
                                break
                            copy.write(data)
                conn.commit()
        except BaseException as exc:  # reported by the main thread
            self.error = exc
            while self.queue.get() is not None:
                pass

    def put(self, lines: list[str]) -> None:
        if self.error is not None:
            raise RuntimeError(f"COPY into {self.table} failed: {self.error}") from self.error
        self.rows += len(lines)
        self.queue.put("".join(lines).encode())


def secondary_indexes(conn: object, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, index name, definition) of indexes not backing a constraint."""
    rows = conn.execute(  # type: ignore[attr-defined]
        """
        SELECT c.relname, i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
        WHERE c.relname = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)
        ORDER BY c.relname, i.relname
        """,
        [tables],
    ).fetchall()
    return [(t, i, d) for t, i, d in rows]


def fill_word_index(conn: object) -> None:
    """The word index of the search (tickets migration 0003, PostgreSQL): its triggers do not
    fire under session_replication_role = replica, so the loaded tickets' bigrams are written
    here, with the GIN index built after the rows."""
    cur = conn.execute("SELECT to_regclass('tickets_ticketwords')")  # type: ignore[attr-defined]
    if cur.fetchone()[0] is None:
        return
    # Rebuilt as the migrations defined it, storage parameters included (tickets 0005).
    cur = conn.execute(  # type: ignore[attr-defined]
        "SELECT pg_get_indexdef(to_regclass('tickets_ticketwords_bigrams'))"
    )
    definition = cur.fetchone()[0] or (
        "CREATE INDEX tickets_ticketwords_bigrams ON tickets_ticketwords USING gin (bigrams)"
    )
    with conn.transaction():  # type: ignore[attr-defined]
        conn.execute("SET LOCAL maintenance_work_mem = '1GB'")  # type: ignore[attr-defined]
        conn.execute("DROP INDEX IF EXISTS tickets_ticketwords_bigrams")  # type: ignore[attr-defined]
        conn.execute("TRUNCATE tickets_ticketwords")  # type: ignore[attr-defined]
        conn.execute(  # type: ignore[attr-defined]
            "INSERT INTO tickets_ticketwords (ticket_id, bigrams, created_at) "
            "SELECT id, minsheng_bigrams(title || ' ' || description), created_at "
            "FROM tickets_ticket"
        )
        conn.execute(definition)  # type: ignore[attr-defined]
    conn.execute("VACUUM (ANALYZE) tickets_ticketwords")  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open-share", type=float, default=0.0)
    parser.add_argument("--due", type=int, default=0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--messages", type=Path, default=DEFAULT_MESSAGES)
    parser.add_argument("--province", default="")
    parser.add_argument("--no-word-index", action="store_true")
    args = parser.parse_args(argv)
    url = args.database_url
    if not url or not url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url (or DATABASE_URL) must name a PostgreSQL database")
    name = database_name(url)
    problem = refuse_name(name)
    if problem:
        parser.error(problem)
    if not 0 <= args.open_share <= 1:
        parser.error("--open-share must be between 0 and 1")
    started = time.perf_counter()

    created = ensure_database(url)
    migrate(url)
    django_setup(url)
    import psycopg
    from django.conf import settings
    from django.db import connection

    from minsheng.deadlines.models import DeadlineAlarm, DeadlineCheck
    from minsheng.org.demo import seed_demo
    from minsheng.tickets.catalogue import seed_demo_catalogue
    from minsheng.tickets.models import Assignment, Callback, Ticket, TicketEvent, TicketSequence

    tables = {
        "ticket": Ticket._meta.db_table,
        "assignment": Assignment._meta.db_table,
        "event": TicketEvent._meta.db_table,
        "alarm": DeadlineAlarm._meta.db_table,
        "callback": Callback._meta.db_table,
        "check": DeadlineCheck._meta.db_table,
        "sequence": TicketSequence._meta.db_table,
    }
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)"
    )
    # Indexes a crashed earlier run dropped come back first.
    for (saved,) in conn.execute(
        f"SELECT value FROM {META_TABLE} WHERE key LIKE 'index:%%'"
    ).fetchall():
        conn.execute(saved.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
    conn.execute(f"DELETE FROM {META_TABLE} WHERE key LIKE 'index:%%'")

    has_tickets = conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{tables["ticket"]}")').fetchone()[0]
    if has_tickets and not args.reset:
        print(f"{name} already has tickets; use --reset to truncate them first", file=sys.stderr)
        return 2
    if has_tickets:
        conn.execute(
            f'TRUNCATE "{tables["ticket"]}", "{tables["sequence"]}" RESTART IDENTITY CASCADE'
        )

    seed_started = time.perf_counter()
    seed_demo(password=settings.MINSHENG_DEMO_PASSWORD)
    seed_demo_catalogue()
    if args.province:
        from province import seed_province

        seeded = seed_province(args.province)
        print(
            f"province {args.province}: {seeded.divisions:,} divisions written; {seeded.counties} "
            f"counties, {seeded.townships:,} townships, {seeded.villages:,} villages; "
            f"{seeded.units_created:,} units created",
            flush=True,
        )
    connection.close()
    county = load_county(args.province or DEMO_COUNTY6)
    rng = random.Random(args.seed)
    messages, replies = prepare_messages(load_messages(args.messages), county.leaves, rng)
    seed_seconds = time.perf_counter() - seed_started

    # Check that every NOT NULL column without a default is one we write.
    for key, cols in (
        ("ticket", TICKET_COLUMNS),
        ("assignment", ASSIGNMENT_COLUMNS),
        ("event", EVENT_COLUMNS),
        ("alarm", ALARM_COLUMNS),
        ("callback", CALLBACK_COLUMNS),
    ):
        missing = [
            c
            for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO'"
                " AND column_default IS NULL AND is_identity = 'NO'",
                [tables[key]],
            ).fetchall()
            if c not in cols
        ]
        if missing:
            print(
                f"{tables[key]} has NOT NULL columns this generator does not fill: {missing}",
                file=sys.stderr,
            )
            return 3

    now = float(int(time.time()))  # whole seconds, as stored: an alarm at now+0.3 s is 'now'
    plan = day_plan(args.tickets, now, rng)
    gen = Generator(county, messages, replies, args, now)
    gen._policy = POLICIES["general"]
    gen._provisional_from = (
        max(
            (
                d
                for d in range(int(now) // DAY - 400, int(now) // DAY + 800)
                if gen.work.cal.known_year((dt.date(1970, 1, 1) + dt.timedelta(days=d)).year)
            ),
            default=0,
        )
        * DAY
        + DAY
        - TZ_OFFSET
    )
    # The due tickets: chosen among tickets created 8-60 days ago (their reply deadline of 7
    # working days, extended where needed, falls now), else among all older than 8 days.
    due_set: set[int] = set()
    if args.due:
        index, lo, hi, lo_all = 0, None, None, None
        for d, count, _avail in plan:
            day_start = d * DAY - TZ_OFFSET
            if day_start >= now - 60 * DAY and lo is None:
                lo = index
            if day_start + DAY <= now - 8 * DAY:
                hi = index + count
            index += count
        lo_all = 0
        if lo is None or hi is None or hi - lo < args.due:
            lo = lo_all
        if hi is None or hi - lo < args.due:
            print(
                f"--due {args.due}: only {0 if hi is None else hi - lo} tickets are old enough",
                file=sys.stderr,
            )
            return 2
        due_set = set(rng.sample(range(lo + 1, hi + 1), args.due))

    with conn.transaction():
        dropped = secondary_indexes(
            conn,
            [tables[k] for k in ("ticket", "assignment", "event", "alarm", "callback", "check")],
        )
        for _table, index, definition in dropped:
            conn.execute(
                f"INSERT INTO {META_TABLE} VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [f"index:{index}", definition],
            )
        for _table, index, _definition in dropped:
            conn.execute(f'DROP INDEX "{index}"')

    load_started = time.perf_counter()
    writers = {
        "tickets": CopyWriter(url, tables["ticket"], TICKET_COLUMNS),
        "assignments": CopyWriter(url, tables["assignment"], ASSIGNMENT_COLUMNS),
        "events": CopyWriter(url, tables["event"], EVENT_COLUMNS),
        "alarms": CopyWriter(url, tables["alarm"], ALARM_COLUMNS),
        "callbacks": CopyWriter(url, tables["callback"], CALLBACK_COLUMNS),
        "checks": CopyWriter(url, tables["check"], CHECK_COLUMNS),
    }
    for w in writers.values():
        w.start()
    out = Out()
    tid = 0
    sequences: list[tuple[str, int]] = []
    progress_at = time.perf_counter()
    for d, count, avail in plan:
        if not count:
            continue
        day_start = d * DAY - TZ_OFFSET
        # Seconds of the day by the hourly rhythm, sorted.
        hours = HOUR_WEIGHTS[: (avail + 3599) // 3600]
        hp = Picker(list(range(len(hours))), hours)
        secs = []
        for _ in range(count):
            while True:
                s = hp(rng.random()) * 3600 + int(rng.random() * 3600)
                if s < avail:
                    break
            secs.append(s)
        secs.sort()
        day_text = (dt.date(1970, 1, 1) + dt.timedelta(days=d)).strftime("%y%m%d")
        for seq, s in enumerate(secs, start=1):
            tid += 1
            gen.ticket(out, tid, f"{day_text}{seq:04d}", day_start + s, tid in due_set)
            if len(out.tickets) >= CHUNK:
                for key, w in writers.items():
                    w.put(getattr(out, key))
                out = Out()
                if time.perf_counter() - progress_at > 15:
                    progress_at = time.perf_counter()
                    print(
                        f"  … {tid:,} tickets, {time.perf_counter() - load_started:.0f} s",
                        flush=True,
                    )
        sequences.append(((dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat(), count))
    for key, w in writers.items():
        if getattr(out, key):
            w.put(getattr(out, key))
        w.queue.put(None)
    for w in writers.values():
        w.join()
        if w.error:
            raise RuntimeError(f"COPY into {w.table} failed: {w.error}") from w.error
    copy_seconds = time.perf_counter() - load_started

    index_started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        with conn.transaction():
            cur.executemany(
                f'INSERT INTO "{tables["sequence"]}" (day, last) VALUES (%s, %s)', sequences
            )
            for _table, _index, definition in dropped:
                cur.execute(definition)
            cur.execute(f"DELETE FROM {META_TABLE} WHERE key LIKE 'index:%%'")
            for key in ("ticket", "assignment", "event", "alarm", "callback"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{tables[key]}\"', 'id'), "
                    f'COALESCE((SELECT max(id) FROM "{tables[key]}"), 0) + 1, false)'
                )
            cur.execute(
                f"INSERT INTO {META_TABLE} VALUES ('generated_at', %s), ('tickets', %s), ('due', %s), "
                f"('open_share', %s), ('seed', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [
                    dt.datetime.fromtimestamp(now, dt.UTC).isoformat(),
                    str(args.tickets),
                    str(args.due),
                    str(args.open_share),
                    str(args.seed),
                ],
            )
    # Each round's verdict (its last reached callback), as the callback service flags it: the
    # same statement as the migration that introduced the flag.
    import importlib

    verdicts = importlib.import_module("minsheng.tickets.migrations.0007_callback_verdict")
    conn.execute(verdicts.BACKFILL)
    index_seconds = time.perf_counter() - index_started
    words_started = time.perf_counter()
    if args.no_word_index:
        # The statistics benchmark never searches by words; at 10,000,000 tickets the index
        # would take hours. The search's word index is left empty: word searches find nothing.
        conn.execute("TRUNCATE tickets_ticketwords")
    else:
        fill_word_index(conn)
    words_seconds = time.perf_counter() - words_started
    vacuum_started = time.perf_counter()
    for key in ("ticket", "assignment", "event", "alarm", "callback", "check", "sequence"):
        conn.execute(f'VACUUM (ANALYZE) "{tables[key]}"')
    # The units, places and categories seeded above (tens of thousands with --province): plans
    # scoped by a unit's path are only as good as these statistics.
    conn.execute("ANALYZE org_unit, org_division, tickets_category")
    vacuum_seconds = time.perf_counter() - vacuum_started
    due_now = conn.execute(
        f'SELECT count(*) FROM "{tables["check"]}" WHERE next_check_at <= %s',
        [dt.datetime.fromtimestamp(now, dt.UTC)],
    ).fetchone()[0]
    counts = {w.table: w.rows for w in writers.values()}
    sizes = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[
        0
    ]
    conn.close()
    total = time.perf_counter() - started
    print(f"database {name}{' (created)' if created else ''}: {sizes}")
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(gen.stats.items())))
    print(f"due now (next_check_at <= generation time): {due_now:,}")
    print(
        f"seconds: total {total:.1f} = migrate+seed {seed_started - started + seed_seconds:.1f}, "
        f"generate+COPY {copy_seconds:.1f}, indexes {index_seconds:.1f}, "
        f"word index {words_seconds:.1f}, vacuum analyze {vacuum_seconds:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
