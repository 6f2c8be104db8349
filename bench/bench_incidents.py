"""Benchmark: a broadcast SMS of a major incident to 18,000 registered phones (docs/incidents.md).

Usage (from the repository root):

    .venv/bin/python bench/bench_incidents.py [--database-url URL] [--phones N] [--runs N] [--keep]

    --database-url URL   default postgres://postgres@127.0.0.1:5432/bench_incidents (created and
                         migrated; dropped at the end unless --keep)
    --phones N           registered phones across six villages (default 18,000)
    --runs N             timed broadcasts (default 7)

What is timed: `incidents.services.broadcast_send` from the call to its commit — the incident's
row lock, the register's live phones of the six villages read (one indexed query), one
outbox row per phone built as columns and queued with one `INSERT … SELECT FROM unnest(…)`
(`lib.bulk.insert_rows`), each row's `next_attempt_at` paced by
MINSHENG_INCIDENT_SMS_PER_MINUTE, the audit event. Each run is a new broadcast (its own token);
the previous run's outbox rows are deleted before it (not timed). Prints every run, the median
and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb
from bench_campaigns import ensure_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_incidents"


def build(phones: int) -> tuple[int, int]:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from minsheng.incidents.models import Incident, NoticeSubscriber
    from minsheng.incidents.phones import phone_hash
    from minsheng.lib.bulk import insert_rows
    from minsheng.org.models import Division, Role, RoleGrant, Unit, User

    call_command("migrate", verbosity=0)
    county, _ = Division.objects.get_or_create(
        code="410927000000", defaults={"name": "台前县", "level": 3}
    )
    township, _ = Division.objects.get_or_create(
        code="410927101000", defaults={"name": "侯庙镇", "level": 4, "parent": county}
    )
    villages = [
        Division.objects.get_or_create(
            code=f"410927101{200 + i:03d}",
            defaults={"name": f"村{i}", "level": 5, "parent": township},
        )[0]
        for i in range(1, 7)
    ]
    hotline, _ = Unit.objects.get_or_create(
        code="bench-hotline", defaults={"name": "热线", "kind": "hotline"}
    )
    user, created = User.objects.get_or_create(
        username="bench-dispatcher", defaults={"unit": hotline}
    )
    if created:
        RoleGrant.objects.create(user=user, role=Role.DISPATCHER)
    NoticeSubscriber.objects.all().delete()
    now = timezone.now()
    rows = []
    for i in range(phones):
        phone = f"186{i:08d}"
        rows.append((villages[i % 6].code, phone, phone_hash(phone), now))
    insert_rows(NoticeSubscriber, ("village_id", "phone", "phone_hash", "opted_in_at"), rows)
    incident = Incident.objects.create(
        kind="water",
        title="阀门损坏致6村停水",
        severity="3",
        started_at=now - dt.timedelta(hours=1),
        raised_by=user,
    )
    incident.divisions.set(villages)
    return incident.pk, user.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--phones", type=int, default=18_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    ensure_database(args.database_url)
    benchdb.setup(args.database_url)

    from django.db import connection

    from minsheng.incidents import services
    from minsheng.incidents.models import Broadcast, Incident
    from minsheng.notify.models import Outbox
    from minsheng.org.models import User

    load_before = os.getloadavg()
    incident_id, user_id = build(args.phones)
    incident = Incident.objects.get(pk=incident_id)
    user = User.objects.get(pk=user_id)
    times: list[float] = []
    for run in range(args.runs):
        Outbox.objects.filter(key__startswith="incident-bc:").delete()
        started = time.perf_counter()
        sent = services.broadcast_send(
            incident=incident,
            actor=user,
            text="因阀门抢修停水，预计明早恢复。",
            token=f"bench-{run}-{time.time_ns()}",
        )
        times.append(time.perf_counter() - started)
        queued = Outbox.objects.filter(key__startswith=sent.broadcast.key_prefix).count()
        assert queued == args.phones, (queued, args.phones)
    load_after = os.getloadavg()
    print(f"phones {args.phones}, broadcasts {Broadcast.objects.count()}")
    print("runs (s):", ", ".join(f"{t:.3f}" for t in times))
    print(f"median {statistics.median(times):.3f} s (target ≤ 5 s)")
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f}"
    )
    connection.close()
    if not args.keep:
        import psycopg

        parts = urlsplit(args.database_url)
        name = parts.path.lstrip("/")
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}"')
        print(f"dropped {name}")


if __name__ == "__main__":
    main()
