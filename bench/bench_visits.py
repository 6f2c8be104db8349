"""Benchmark: a township's 包村走访 overview with 100,000 visits (docs/benchmarks/visits.md).

Usage (from the repository root):

    .venv/bin/python bench/bench_visits.py [--database-url URL] [--visits N] [--runs N]

    --database-url URL   default postgres://postgres@127.0.0.1:5432/bench_visits (created and
                         migrated if missing; its visits tables are emptied)
    --visits N           visits of the township (default 100,000), two needs each
    --runs N             timed page requests (default 200)

What is timed: the overview page (/governance/villages/t/<code>/) rendered through Django's test
client in this process — middleware, scope, the overview's six queries (villages, visits per
village per month over six months, last visits, who is responsible, the month's and all needs
collected and resolved), the template — as the township's leader sees it; median and p95 of
--runs requests after 5 warm-up requests. The township has 40 villages, each with two
assignments; the visits spread over the three years up to today; they and their needs are
inserted with `lib.bulk.insert_rows` (not timed).
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
from bench_campaigns import ensure_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_visits"
VILLAGES = 40


def build(visits: int) -> tuple[str, str]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from minsheng.governance.models import VillageAssignment, Visit, VisitEvent, VisitNeed
    from minsheng.lib.bulk import insert_rows
    from minsheng.org.models import Division, Role, RoleGrant, Unit, User

    call_command("migrate", verbosity=0)
    VisitNeed.objects.all().delete()
    Visit.objects.all().delete()
    VillageAssignment.objects.all().delete()
    VisitEvent.objects.all().delete()
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
        for i in range(1, VILLAGES + 1)
    ]
    gov, _ = Unit.objects.get_or_create(
        code="bench-sunkou",
        defaults={"name": "孙口镇人民政府", "kind": "township", "division": township},
    )
    leader, created = User.objects.get_or_create(username="bench-leader", defaults={"unit": gov})
    if created:
        RoleGrant.objects.create(user=leader, role=Role.UNIT_LEADER)
    cadres = [
        User.objects.get_or_create(username=f"bench-cadre-{n}", defaults={"unit": gov})[0]
        for n in range(VILLAGES)
    ]
    today = timezone.localdate()
    start = today - dt.timedelta(days=3 * 365)
    insert_rows(
        VillageAssignment,
        ("person_id", "village_id", "township_id", "duty", "starts_on"),
        [
            (cadres[(i + k) % VILLAGES].pk, v.code, township.code, duty, start)
            for i, v in enumerate(villages)
            for k, duty in ((0, "cadre"), (1, "leader"))
        ],
    )
    rnd = random.Random(22)
    rows = []
    for _ in range(visits):
        i = rnd.randrange(VILLAGES)
        day = start + dt.timedelta(days=rnd.randrange(3 * 365))
        rows.append((cadres[i].pk, villages[i].code, township.code, day, rnd.randint(1, 20), ""))
    fields = ("visitor_id", "village_id", "township_id", "date", "households", "note")
    for n in range(0, len(rows), 10_000):
        insert_rows(Visit, fields, rows[n : n + 10_000])
    made = list(Visit.objects.values_list("id", "date"))
    needs = [
        (pk, township.code, day, position, "村里的路灯不亮", "", "", outcome)
        for pk, day in made
        for position, outcome in ((1, "ticket"), (2, "suggestion"))
    ]
    fields = (
        "visit_id",
        "township_id",
        "date",
        "position",
        "text",
        "citizen_name",
        "citizen_phone",
        "outcome",
    )
    for n in range(0, len(needs), 10_000):
        insert_rows(VisitNeed, fields, needs[n : n + 10_000])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE governance_visit")
        cursor.execute("VACUUM ANALYZE governance_visitneed")
        cursor.execute("VACUUM ANALYZE governance_villageassignment")
    return township.code, leader.username


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    ensure_database(args.database_url)
    benchdb.setup(args.database_url)
    from django.conf import settings
    from django.test import Client

    from minsheng.org.models import User

    settings.ALLOWED_HOSTS = ["*"]
    code, username = build(args.visits)
    client = Client()
    client.force_login(User.objects.get(username=username))
    url = f"/governance/villages/t/{code}/"
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
        f"township overview with {args.visits:,} visits: median "
        f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms over "
        f"{args.runs} requests"
    )


if __name__ == "__main__":
    main()
