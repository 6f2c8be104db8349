"""Benchmark: the assistance ledger of a county of 100,000 people on PostgreSQL
(docs/benchmarks/assistance.md).

Usage (from the repository root):

    createdb -h 127.0.0.1 -U postgres bench_assistance
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_assistance .venv/bin/python manage.py migrate
    .venv/bin/python bench/bench_assistance.py [--database-url URL] [--people N] [--runs N]

Fills (once; skipped when the people are there) the demo county 台前县's real divisions
(9 townships, 377 villages) with N people (default 100,000) spread over the villages, each with
1–2 categories, households of three, 60 % employed (a third of them for under six months), a
visit for 30 %, a station and two postings per village — written with bulk inserts, the ID
numbers and phones encrypted and hashed as the services do. Then times, in this process
(Django set up outside the timing):

- ledger: a station worker's ledger page (/assistance/a/<village>/, 50 rows of ~265) through
  Django's test client — URL, middleware, scope, selectors, template — median and p95 of
  --runs × 20 pages over random villages (target p95 < 100 ms);
- lookup: finding a person by ID number (normalised, keyed hash, unique index), median and p95
  of 2,000 lookups of random people written in lower case (target < 20 ms);
- county: the county's figures (`figures.figures_for` of 台前县: categories, assisted this
  month, employed and stable, certificates, postings, hires, "六个一", every village's 充分就业
  status, the townships' rows), median and p95 of --runs (target < 500 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_assistance"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def fake_id(i: int) -> str:
    from minsheng.textproc.pii import id_check_character

    born = dt.date(1950, 1, 1) + dt.timedelta(days=i // 1000)
    first17 = f"410927{born:%Y%m%d}{i % 1000:03d}"
    return first17 + id_check_character(first17)


def fill(people: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from minsheng.assistance import crypto
    from minsheng.assistance.models import (
        CATEGORIES,
        Employment,
        Household,
        JobPosting,
        Person,
        PersonCategory,
        Station,
        Visit,
    )
    from minsheng.org.demo import DEMO_COUNTY_CODE, DIVISIONS_DIR
    from minsheng.org.divisions_import import import_divisions
    from minsheng.org.models import Division

    if Person.objects.count() >= people:
        return
    import_divisions([DIVISIONS_DIR])
    villages = list(
        Division.objects.filter(
            level=Division.Level.VILLAGE, code__startswith=DEMO_COUNTY_CODE[:6]
        ).order_by("code")
    )
    rng = random.Random(24)
    today = timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        Station.objects.bulk_create(
            [Station(village=v, name=f"{v.name}劳动保障服务站", has_site=True) for v in villages],
            ignore_conflicts=True,
        )
        stations = {s.village_id: s for s in Station.objects.all()}
        JobPosting.objects.bulk_create(
            JobPosting(
                station=stations[v.code],
                employer=f"{v.name}扶贫车间",
                title="加工",
                pay="计件",
                place=v.name,
                headcount=10,
                workshop=k == 0,
                village_code=v.code,
            )
            for v in villages
            for k in range(2)
        )
    batch = 5000
    for start in range(0, people, batch):
        with transaction.atomic():
            rows = []
            households = []
            for i in range(start, min(people, start + batch)):
                village = villages[i % len(villages)]
                if i % 3 == 0 or not households:
                    households.append(Household(village=village, label=f"户{i}"))
            Household.objects.bulk_create(households)
            hmap = {h.label: h for h in households}
            last = None
            for i in range(start, min(people, start + batch)):
                village = villages[i % len(villages)]
                number = fake_id(i)
                phone = f"139{i:08d}"
                h = hmap.get(f"户{i}") or last
                last = h
                rows.append(
                    Person(
                        village=village,
                        household=h if h and h.village_id == village.code else None,
                        name=f"测试{i}",
                        id_cipher=crypto.encrypt(number),
                        id_hash=crypto.id_hash(number),
                        id_mask=number[:4] + "*" * 10 + number[-4:],
                        phone_cipher=crypto.encrypt(phone),
                        phone_hash=crypto.phone_hash(phone),
                        phone_mask=phone[:3] + "****" + phone[-4:],
                        birth_year=int(number[6:10]),
                        sex="男" if int(number[16]) % 2 else "女",
                        in_workforce=i % 7 != 0,
                    )
                )
            cats, jobs, visits = [], [], []
            for p in rows:
                if rng.random() < 0.6:
                    p.employed_since = today - dt.timedelta(days=rng.randrange(20, 900))
                if rng.random() < 0.3:
                    p.last_contact_on = today - dt.timedelta(days=rng.randrange(0, 60))
            Person.objects.bulk_create(rows)
            for p in rows:
                first = CATEGORIES[rng.randrange(len(CATEGORIES))]
                cats.append(PersonCategory(person=p, category=first, village_code=p.village_id))
                if rng.random() < 0.4:
                    second = CATEGORIES[rng.randrange(len(CATEGORIES))]
                    if second != first:
                        cats.append(
                            PersonCategory(person=p, category=second, village_code=p.village_id)
                        )
                if rng.random() < 0.6:
                    since = today - dt.timedelta(days=rng.randrange(20, 900))
                    jobs.append(
                        Employment(
                            person=p, employer="某厂", since=since, village_code=p.village_id
                        )
                    )
                if rng.random() < 0.3:
                    visits.append(
                        Visit(
                            person=p,
                            visited_on=today - dt.timedelta(days=rng.randrange(0, 60)),
                            note="走访",
                            village_code=p.village_id,
                        )
                    )
            PersonCategory.objects.bulk_create(cats)
            Employment.objects.bulk_create(jobs)
            Visit.objects.bulk_create(visits)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled {people} people in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    benchdb.setup(args.database_url)

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from minsheng.assistance import figures, rules
    from minsheng.assistance.models import Person
    from minsheng.assistance.services.people import find_by_id_number
    from minsheng.org.demo import DEMO_COUNTY_CODE
    from minsheng.org.models import Division, Role, RoleGrant, Unit, User

    settings.ALLOWED_HOSTS = ["*"]
    fill(args.people)
    villages = list(
        Division.objects.filter(level=Division.Level.VILLAGE, code__startswith="410927").order_by(
            "code"
        )
    )
    rng = random.Random(7)
    clients = []
    for village in rng.sample(villages, 20):
        unit, _ = Unit.objects.get_or_create(
            code=f"bench-{village.code}",
            defaults={"name": village.name, "kind": Unit.Kind.VILLAGE, "division": village},
        )
        user, _ = User.objects.get_or_create(
            username=f"bench-{village.code}", defaults={"unit": unit}
        )
        RoleGrant.objects.get_or_create(user=user, role=Role.STATION_WORKER)
        client = Client()
        client.force_login(user)
        clients.append((client, village.code))
    # Ledger pages.
    for client, code in clients:
        assert client.get(f"/assistance/a/{code}/").status_code == 200  # warm-up
    ledger = []
    for _ in range(args.runs):
        for client, code in clients:
            t = time.perf_counter()
            response = client.get(f"/assistance/a/{code}/")
            ledger.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
    # Lookups.
    total = Person.objects.count()
    lookups = []
    for _ in range(2000):
        number = fake_id(rng.randrange(total)).lower()
        t = time.perf_counter()
        found = find_by_id_number(number)
        lookups.append((time.perf_counter() - t) * 1000)
        assert found is not None
    # County figures.
    county = Division.objects.get(code=DEMO_COUNTY_CODE)
    today = timezone.localdate()
    figures.figures_for(rules.EVERYTHING, county, today)  # warm-up
    county_runs = []
    for _ in range(args.runs):
        t = time.perf_counter()
        facts = figures.figures_for(rules.EVERYTHING, county, today)
        county_runs.append((time.perf_counter() - t) * 1000)
    print(f"python {platform.python_version()}, {total} people, {len(villages)} villages")
    print(
        f"county: {facts.people} people, {facts.employed} employed, {facts.stable} stable, "
        f"{facts.full_villages} 充分就业 villages"
    )
    for name, values, target in (
        ("ledger page", ledger, 100),
        ("lookup by ID number", lookups, 20),
        ("county figures", county_runs, 500),
    ):
        print(
            f"{name}: median {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms "
            f"(target < {target} ms), n={len(values)}"
        )


if __name__ == "__main__":
    main()
