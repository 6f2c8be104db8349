"""Benchmark: import the whole country's divisions (~665,000 rows) into a fresh database.

Usage (from the repository root):

    .venv/bin/python bench/import_divisions.py [--data DIR] [--runs N] [--database-url URL]

    --data DIR          the national files (default: ../shared/data/divisions)
    --runs N            fresh databases to time, default 3
    --database-url URL  postgres://user@host:port/any — benchmark PostgreSQL: a database named
                        minsheng_bench_divisions is created on that server (through the URL's
                        own database), migrated, timed, and dropped afterwards. Without it the
                        benchmark uses a fresh SQLite file in a temporary directory.

Each run migrates a fresh database with `manage.py migrate` in a subprocess, then times in
another subprocess, with Django set up outside the timing, two calls of
`import_divisions([DIR])`: the first import into the empty table, and the idempotent
re-import of the same files (which must change nothing). Medians and every run are printed.

Example:

    .venv/bin/python bench/import_divisions.py
    .venv/bin/python bench/import_divisions.py --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "divisions"
BENCH_DATABASE = "minsheng_bench_divisions"


def worker(data: Path) -> None:
    """Run inside a subprocess whose DATABASE_URL names a freshly migrated database."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    from minsheng.org.divisions_import import import_divisions

    started = time.perf_counter()
    first = import_divisions([data])
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = import_divisions([data])
    second_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "first": first_seconds,
                "second": second_seconds,
                "created": first.created,
                "skipped": first.skipped,
                "second_changes": second.changes,
                "second_unchanged": second.unchanged,
            }
        )
    )


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="minsheng-bench-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", Path(tmp)


@contextmanager
def postgres_database(url: str) -> Iterator[tuple[str, Path]]:
    """Create BENCH_DATABASE on the server of `url`, yield its URL, and drop it afterwards."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    admin_url = url if parts.path.strip("/") else urlunsplit(parts._replace(path="/postgres"))
    name = sql.Identifier(BENCH_DATABASE)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        with tempfile.TemporaryDirectory(prefix="minsheng-bench-") as tmp:
            yield bench_url, Path(tmp)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))


def run_once(database_url: str, var_dir: Path, data: Path) -> dict[str, float]:
    # MINSHENG_VAR_DIR keeps the subprocesses away from the repository's own var/.
    env = {**os.environ, "DATABASE_URL": database_url, "MINSHENG_VAR_DIR": str(var_dir)}
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
        cwd=REPO,
    )
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", "--data", str(data)],
        env=env,
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    if result["second_changes"] != 0:
        raise SystemExit(f"the re-import changed {result['second_changes']} rows; it must not")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = args.data.resolve()
    if args.worker:
        worker(data)
        return
    if not data.is_dir():
        raise SystemExit(f"no division files at {data}")

    is_postgres = bool(args.database_url) and args.database_url.split(":", 1)[0].startswith(
        "postgres"
    )
    if args.database_url and not is_postgres:
        raise SystemExit("--database-url must be a postgres:// URL (SQLite is the default)")
    label = "PostgreSQL" if is_postgres else "SQLite"
    runs: list[dict[str, float]] = []
    for number in range(1, args.runs + 1):
        database = postgres_database(args.database_url) if is_postgres else sqlite_database()
        with database as (url, var_dir):
            result = run_once(url, var_dir, data)
        runs.append(result)
        print(
            f"run {number}: first import {result['first']:.1f} s "
            f"({int(result['created'])} created, {int(result['skipped'])} skipped), "
            f"re-import {result['second']:.1f} s ({int(result['second_unchanged'])} unchanged)",
            flush=True,
        )

    firsts = [r["first"] for r in runs]
    seconds = [r["second"] for r in runs]
    print(f"{label}, {platform.machine()}, Python {platform.python_version()}, {args.runs} runs")
    print(
        f"first import: median {statistics.median(firsts):.1f} s "
        f"(runs: {', '.join(f'{s:.1f}' for s in firsts)})"
    )
    print(
        f"re-import:    median {statistics.median(seconds):.1f} s "
        f"(runs: {', '.join(f'{s:.1f}' for s in seconds)})"
    )


if __name__ == "__main__":
    main()
