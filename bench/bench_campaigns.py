"""Benchmark: a 专项行动 dashboard with 100,000 entries (docs/benchmarks.md, target p95 < 200 ms).

Usage (from the repository root):

    .venv/bin/python bench/bench_campaigns.py [--database-url URL] [--entries N] [--runs N]

    --database-url URL   default postgres://postgres@127.0.0.1:5432/bench_campaigns (created
                         and migrated if missing; its governance tables are emptied)
    --entries N          entries of the campaign's count indicators (default 100,000)
    --runs N             timed page requests (default 200)

What is timed: the dashboard page (/governance/campaigns/<pk>/) rendered through Django's test
client in this process — middleware, the selectors' aggregates (rate rounds per day, running
totals per day, by unit, by village), the latest entries and inspections, the template — as the
township's leader sees it; median and p95 of --runs requests after 5 warm-up requests. The
campaign has one rate indicator (one inspection round a day for its 245 days) and four count
indicators sharing the entries, by 4 units over 20 villages and 245 days; they are inserted
with `lib.bulk.insert_rows` (not timed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_campaigns"


def ensure_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(entries: int) -> tuple[int, str]:
    from decimal import Decimal

    from django.core.management import call_command

    from minsheng.governance.models import Campaign, Entry, IndicatorKind, Inspection
    from minsheng.governance.services import campaigns as services
    from minsheng.lib.bulk import insert_rows
    from minsheng.org.models import Division, Role, RoleGrant, Unit, User

    call_command("migrate", verbosity=0)
    Campaign.objects.all().delete()
    county, _ = Division.objects.get_or_create(
        code="410927000000", defaults={"name": "台前县", "level": 3}
    )
    township, _ = Division.objects.get_or_create(
        code="410927102000", defaults={"name": "孙口镇", "level": 4, "parent": county}
    )
    villages = [
        Division.objects.get_or_create(
            code=f"410927102{200 + i:03d}",
            defaults={"name": f"村{i}", "level": 5, "parent": township},
        )[0]
        for i in range(1, 21)
    ]
    gov, _ = Unit.objects.get_or_create(
        code="bench-sunkou", defaults={"name": "孙口镇人民政府", "kind": "township"}
    )
    units = [gov] + [
        Unit.objects.get_or_create(
            code=f"bench-sunkou-{n}",
            defaults={"name": f"站所{n}", "kind": "station", "parent": gov},
        )[0]
        for n in range(1, 4)
    ]
    leader, created = User.objects.get_or_create(username="bench-leader", defaults={"unit": gov})
    if created:
        RoleGrant.objects.create(user=leader, role=Role.UNIT_LEADER)
    start = dt.date(2026, 5, 1)
    days = 245
    campaign = services.campaign_create(
        actor=leader,
        data=services.CampaignInput(
            name="人居环境整治提升攻坚",
            starts_on=start,
            ends_on=start + dt.timedelta(days=days - 1),
            lead_unit=gov,
            units=tuple(units[1:]),
            township=township,
        ),
    )
    rate = services.indicator_add(
        actor=leader,
        campaign=campaign,
        name="主次干道保洁达标率",
        kind=IndicatorKind.RATE,
        baseline=Decimal(82),
        target=Decimal(98),
    )
    counts = [
        services.indicator_add(
            actor=leader,
            campaign=campaign,
            name=name,
            kind=IndicatorKind.COUNT,
            target=Decimal(target),
            unit_label="处",
        )
        for name, target in (
            ("规范占道经营", 217),
            ("清理垃圾堆", 312),
            ("排查噪音源", 18),
            ("服务点服务", 192),
        )
    ]
    from collections import Counter

    from minsheng.governance.models import EntryTally

    tallies: Counter[tuple[int, str, str]] = Counter()
    rnd = random.Random(22)
    insert_rows(
        Inspection,
        ("indicator_id", "day", "place", "checked", "passing", "note", "photo"),
        [
            (rate.pk, start + dt.timedelta(days=d), "孙口大街", 50, 41 + d * 8 // days, "", "")
            for d in range(days)
        ],
    )
    rows = []
    for i in range(entries):
        row = (
            campaign.pk,
            counts[i % 4].pk,
            start + dt.timedelta(days=rnd.randrange(days)),
            units[rnd.randrange(4)].pk,
            villages[rnd.randrange(20)].pk,
            rnd.randint(1, 5),
            "孙口集",
            "",
            "",
        )
        rows.append(row)
        _c, indicator_id, day, unit_id, village, count = row[:6]
        tallies[(indicator_id, "day", day.isoformat())] += count
        tallies[(indicator_id, "unit", str(unit_id))] += count
        tallies[(indicator_id, "village", village)] += count
        if len(rows) == 10_000:
            insert_rows(
                Entry,
                (
                    "campaign_id",
                    "indicator_id",
                    "day",
                    "unit_id",
                    "village_id",
                    "count",
                    "place",
                    "note",
                    "photo",
                ),
                rows,
            )
            rows = []
    if rows:
        insert_rows(
            Entry,
            (
                "campaign_id",
                "indicator_id",
                "day",
                "unit_id",
                "village_id",
                "count",
                "place",
                "note",
                "photo",
            ),
            rows,
        )
    insert_rows(
        EntryTally,
        ("indicator_id", "by", "key", "total"),
        [(i, by, key, total) for (i, by, key), total in tallies.items()],
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE governance_entry")
        cursor.execute("VACUUM ANALYZE governance_inspection")
    return campaign.pk, leader.username


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    ensure_database(args.database_url)
    benchdb.setup(args.database_url)
    from django.conf import settings
    from django.test import Client

    from minsheng.org.models import User

    settings.ALLOWED_HOSTS = ["*"]
    pk, username = build(args.entries)
    client = Client()
    client.force_login(User.objects.get(username=username))
    url = f"/governance/campaigns/{pk}/"
    for _ in range(5):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"dashboard with {args.entries:,} entries: median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms over {args.runs} requests"
    )


if __name__ == "__main__":
    main()
