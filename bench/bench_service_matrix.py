"""Benchmark: the service matrix (服务矩阵) of a county with 600 villages and 2,000 service points
(docs/benchmarks.md).

Usage (from the repository root):

    .venv/bin/python bench/bench_service_matrix.py [--database-url URL] [--points N] [--runs N]
                                                   [--keep]

    --database-url URL   default postgres://postgres@127.0.0.1:5432/bench_service_matrix
                         (created and migrated; dropped at the end unless --keep)
    --points N           service points (default 2,000) over 12 townships of 50 villages
    --runs N             timed requests per page (default 100)

What is timed: two pages rendered through Django's test client in this process — middleware,
scope, the selectors' queries, the template — as an administrator sees them: the county's
coverage (/governance/points/: every township's villages, active points, villages served and
the population register read for the 600 villages and 12 townships) and one township's matrix
(/governance/points/t/<code>/matrix/: 50 villages × the units with a point there). Median and
p95 of --runs requests after 5 warm-up requests each. Every village has a resident count; one
township in three has a hall window serving all its villages; the other points serve 1–6
villages of their township, a tenth of them temporary (half active today); the rows are made
with bulk_create (not timed).
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

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_service_matrix"
TOWNSHIPS = 12
VILLAGES = 50  # per township: 600 in all


def build(points: int) -> tuple[str, str]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from minsheng.governance.models import ServicePoint, ServicePointVillage
    from minsheng.org.models import Division, PopulationCount, Role, RoleGrant, Unit, User

    call_command("migrate", verbosity=0)
    county, _ = Division.objects.get_or_create(
        code="410927000000", defaults={"name": "台前县", "level": 3}
    )
    townships = []
    villages: dict[str, list[Division]] = {}
    units: dict[str, list[Unit]] = {}
    for t in range(TOWNSHIPS):
        township, _ = Division.objects.get_or_create(
            code=f"410927{100 + t:03d}000",
            defaults={"name": f"镇{t}", "level": 4, "parent": county},
        )
        townships.append(township)
        villages[township.code] = [
            Division.objects.get_or_create(
                code=f"410927{100 + t:03d}{200 + i:03d}",
                defaults={"name": f"镇{t}村{i}", "level": 5, "parent": township},
            )[0]
            for i in range(1, VILLAGES + 1)
        ]
        gov, _ = Unit.objects.get_or_create(
            code=f"bench-t{t}",
            defaults={"name": f"镇{t}人民政府", "kind": "township", "division": township},
        )
        units[township.code] = [gov] + [
            Unit.objects.get_or_create(
                code=f"bench-t{t}-s{s}",
                defaults={"name": f"镇{t}站所{s}", "kind": "station", "parent": gov},
            )[0]
            for s in range(6)
        ]
    if not PopulationCount.objects.exists():
        rnd = random.Random(7)
        PopulationCount.objects.bulk_create(
            PopulationCount(
                division_id=v.code,
                population=rnd.randint(800, 3400),
                effective_from=dt.date(2026, 1, 1),
            )
            for vs in villages.values()
            for v in vs
        )
    admin, created = User.objects.get_or_create(username="bench-admin")
    if created:
        RoleGrant.objects.create(user=admin, role=Role.ADMINISTRATOR)
    ServicePoint.objects.all().delete()
    today = timezone.localdate()
    rnd = random.Random(22)
    made: list[tuple[ServicePoint, list[Division]]] = []
    for n in range(points):
        township = townships[n % TOWNSHIPS]
        mine = villages[township.code]
        hall = n < TOWNSHIPS and n % 3 == 0
        served = [] if hall else rnd.sample(mine, rnd.randint(1, 6))
        temporary = not hall and n % 10 == 0
        starts_on = today - dt.timedelta(days=3) if temporary else None
        ends_on = (today + dt.timedelta(days=3 if n % 20 == 0 else -1)) if temporary else None
        point = ServicePoint(
            unit=rnd.choice(units[township.code]),
            kind="temporary" if temporary else ("window" if hall else "station"),
            name=f"服务点{n}",
            place=township if hall else served[0],
            township=township,
            hours="工作日 8:30—17:30",
            services=rnd.sample(["政策咨询", "代办", "社保医保", "护学", "农技指导"], 2),
            whole_township=hall,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        made.append((point, served))
    ServicePoint.objects.bulk_create([p for p, _s in made], batch_size=500)
    ServicePointVillage.objects.bulk_create(
        [
            ServicePointVillage(point=p, village=v, township_id=p.township_id)
            for p, served in made
            for v in served
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        for table in (
            "governance_servicepoint",
            "governance_servicepointvillage",
            "org_populationcount",
            "org_division",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return townships[1].code, admin.username


def timed(client: object, url: str, runs: int) -> tuple[float, float, float]:
    for _ in range(5):
        assert client.get(url).status_code == 200  # type: ignore[attr-defined]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], times[-1]


def drop_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg
    from django.db import connections

    connections.close_all()
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--points", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    ensure_database(args.database_url)
    benchdb.setup(args.database_url)
    from django.conf import settings
    from django.test import Client

    from minsheng.org.models import User

    settings.ALLOWED_HOSTS = ["*"]
    try:
        code, username = build(args.points)
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages = (
            ("county coverage (12 townships, 600 villages)", "/governance/points/"),
            ("one township's matrix (50 villages)", f"/governance/points/t/{code}/matrix/"),
        )
        for label, url in pages:
            median, p95, worst = timed(client, url, args.runs)
            print(
                f"{label} with {args.points:,} points: median {median:.1f} ms, "
                f"p95 {p95:.1f} ms, max {worst:.1f} ms over {args.runs} requests"
            )
    finally:
        if not args.keep:
            drop_database(args.database_url)


if __name__ == "__main__":
    main()
