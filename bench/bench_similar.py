"""Bench: duplicate candidates (same problem, similar text) among many tickets.

Usage (from the repository root):

    .venv/bin/python bench/bench_similar.py [--database-url URL] [--tickets N] [--queries Q]
                                            [--reset] [--seed S] [--memory]

    --database-url URL  postgres://user@host:port/NAME (default: $DATABASE_URL, else
                        postgres://postgres@127.0.0.1:5432/minsheng_bench_similar). Created when
                        missing and migrated. Names `test*`, `postgres` and `template*` are refused.
    --tickets N         tickets to generate (default 1,000,000). An existing, filled database with
                        the same number is reused; --reset truncates and regenerates.
    --queries Q         queries to time (default 500; the first 20 warm up and are not counted)
    --memory            time the pure in-memory index (minsheng.textproc.similar) instead, with
                        N tickets in one process (no database)

What is generated: tickets of the demo county 台前县 whose texts are made from 7,142 real citizen
messages (../shared/data/messages): each ticket takes a message (a skewed choice, so problems
recur), drops and reorders some of its sentences (a paraphrase, as another caller would tell it),
strips the board's "A市/A3区" and starts with the ticket's township and village. created_at is
spread evenly over the 365 days before now, growing with the id as intake writes them (about
82,000 tickets fall in the 30-day window of a query); tickets of the last 30 days are open with probability 0.6, older ones closed. Every
ticket is indexed exactly as `index_ticket` does (TicketSignature + TicketTerm rows); rows are
written with COPY, the index's B-trees built after the load.

What is timed: `minsheng.insight.index.similar_open_tickets(text=…, title=…, division=…,
user=operator)` — the function behind `/desk/similar?text=` — end to end in the process:
vectorising the query (jieba), the postings query, re-scoring, the permission-scoped fetch of the
tickets. Each query is a fresh paraphrase of a message with a random place. Also reported: the
share of queries whose best candidate comes from the same message as the query, among queries
for which an open ticket of that message exists in the window (a recall proxy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MESSAGES = ROOT.parent / "shared" / "data" / "messages"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/minsheng_bench_similar"
WINDOW_DAYS = 30
WARM_UP = 20

_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_BOARD_PLACE_RE = re.compile(r"A\d*[市区县]|[A-Z]\d+[区县]")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--memory", action="store_true")
    return parser.parse_args()


# --- texts ------------------------------------------------------------------------------------


def load_messages() -> list[tuple[str, list[str]]]:
    import csv

    messages = []
    for name in ("messages_with_votes.csv", "messages_with_replies.csv"):
        with (MESSAGES / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = _BOARD_PLACE_RE.sub("", row["text"])
                sentences = [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]
                title = _BOARD_PLACE_RE.sub("", row["title"]).strip()
                if title and sentences:
                    messages.append((title[:200], sentences[:12]))
    return messages


class TermCache:
    """Terms per sentence, cut once: a text's terms are its sentences' terms in order."""

    def __init__(self) -> None:
        from minsheng.textproc.similar import terms

        self._terms = terms
        self._cache: dict[str, list[str]] = {}

    def __call__(self, sentence: str) -> list[str]:
        found = self._cache.get(sentence)
        if found is None:
            found = self._cache[sentence] = self._terms(sentence)
        return found


def paraphrase(rng: random.Random, sentences: list[str]) -> list[str]:
    """Another caller's telling: some sentences dropped, a neighbouring pair swapped."""
    kept = [s for s in sentences if rng.random() > 0.3] or [rng.choice(sentences)]
    if len(kept) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(kept) - 1)
        kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return kept


def skewed_index(rng: random.Random, size: int) -> int:
    # A few problems recur a lot, most rarely (a rough Zipf by a power of a uniform draw).
    return min(int(size * rng.random() ** 2.2), size - 1)


# --- database ---------------------------------------------------------------------------------


def check_name(url: str) -> str:
    name = url.rsplit("/", 1)[-1].split("?")[0]
    if not name or name.startswith(("test", "template")) or name == "postgres":
        sys.exit(f"refusing to use the database {name!r}")
    return name


def ensure_database(url: str, name: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def places() -> list[tuple[str, str]]:
    """(division code, "孙口镇孙口村委会") for every village and township of the demo county."""
    from minsheng.org.demo import DIVISIONS_DIR
    from minsheng.org.divisions_import import import_divisions
    from minsheng.org.models import Division

    import_divisions([DIVISIONS_DIR])
    townships = dict(
        Division.objects.filter(level=4, code__startswith="410927").values_list("code", "name")
    )
    result = [(code, name) for code, name in townships.items()]
    for code, name, parent in Division.objects.filter(
        level=5, code__startswith="410927"
    ).values_list("code", "name", "parent_id"):
        result.append((code, f"{townships.get(parent, '')}{name}"))
    return result


def ticket_columns(cursor) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    cursor.execute(
        "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns "
        "WHERE table_name = 'tickets_ticket' ORDER BY ordinal_position"
    )
    return list(cursor.fetchall())


def default_value(column: str, data_type: str, nullable: bool, created: str) -> str:
    """COPY text for a column the bench does not set (NULL is \\N)."""
    if nullable:
        return "\\N"
    if column in ("version", "round", "affected_population"):
        return "1"
    if data_type in ("integer", "smallint", "bigint", "numeric"):
        return "0"
    if data_type == "boolean":
        return "f"
    if data_type.startswith("timestamp"):
        return created
    return ""


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")


def generate(args: argparse.Namespace, messages: list[tuple[str, list[str]]]) -> None:
    from django.db import connection

    from minsheng.insight.index import term_weights, township_code
    from minsheng.textproc.similar import (
        dumps_vector,
        signature,
        term_hash,
        truncate,
        vector_from_terms,
    )

    rng = random.Random(args.seed)
    where = places()
    weights = term_weights()
    cut = TermCache()
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_ticket, insight_ticketsignature, insight_ticketterm, "
            "insight_pendingsignature RESTART IDENTITY CASCADE"
        )
        cursor.execute("DROP INDEX IF EXISTS insight_term_recent")
        cursor.execute("DROP INDEX IF EXISTS insight_term_ticket")
        columns = ticket_columns(cursor)
        # The search's word index (tickets migrations 0003/0009) plays no part here: its insert
        # trigger is off during the load (it computed ~600 bigrams per row and halved the
        # load's speed) and the word tables stay empty.
        cursor.execute("SELECT to_regclass('tickets_ticketwords')")
        words_trigger = cursor.fetchone()[0] is not None
        if words_trigger:
            cursor.execute("ALTER TABLE tickets_ticket DISABLE TRIGGER tickets_ticketwords_insert")
        # The loader files every ticket itself: the worker's queue (insight migration 0002)
        # stays empty.
        cursor.execute("ALTER TABLE tickets_ticket DISABLE TRIGGER insight_pendingsignature_insert")
    names = [c for c, _, _ in columns if c != "id"]
    started = time.perf_counter()
    chunk = 20_000
    for first in range(0, args.tickets, chunk):
        tickets, sigs, terms = io.StringIO(), io.StringIO(), io.StringIO()
        for n in range(first, min(first + chunk, args.tickets)):
            pk = n + 1
            title, sentences = messages[skewed_index(rng, len(messages))]
            code, place_name = rng.choice(where)
            told = paraphrase(rng, sentences)
            description = f"{place_name}：" + "".join(told)
            text_terms = [t for s in [f"{place_name}：", *told] for t in cut(s)]
            vector = truncate(vector_from_terms(text_terms, cut(title), weights))
            # Ids grow with time, as intake writes them (so recent tickets sit together).
            created = now - dt.timedelta(
                seconds=(1 - (n + rng.random()) / args.tickets) * 365 * 86400
            )
            age_days = (now - created).days
            status = "in_progress" if age_days < WINDOW_DAYS and rng.random() < 0.6 else "closed"
            created_s = created.isoformat()
            values = {
                "number": f"S{pk:011d}",
                "channel": "hotline",
                "kind": "complaint",
                "urgency": "general",
                "title": _copy_text(title),
                "description": _copy_text(description),
                "status": status,
                "created_at": created_s,
                "updated_at": created_s,
                "division_id": code,
            }
            row = [
                values.get(c) or default_value(c, t, nullable, created_s)
                for c, t, nullable in columns
                if c != "id"
            ]
            tickets.write(f"{pk}\t" + "\t".join(row) + "\n")
            sigs.write(
                f"{pk}\t{created_s}\t{code}\t{township_code(code)}\t{dumps_vector(vector)}\n"
            )
            for term in dict.fromkeys(signature(vector)):
                terms.write(f"{pk}\t{term_hash(term)}\t{created_s}\n")
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY tickets_ticket (id, {', '.join(names)}) FROM STDIN") as copy:
                copy.write(tickets.getvalue())
            with raw.copy(
                "COPY insight_ticketsignature (ticket_id, created_at, division_code, township_code, vector) FROM STDIN"
            ) as copy:
                copy.write(sigs.getvalue())
            with raw.copy(
                "COPY insight_ticketterm (ticket_id, term, created_at) FROM STDIN"
            ) as copy:
                copy.write(terms.getvalue())
        done = min(first + chunk, args.tickets)
        print(f"  {done:,} tickets, {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        if words_trigger:
            cursor.execute("ALTER TABLE tickets_ticket ENABLE TRIGGER tickets_ticketwords_insert")
        cursor.execute("ALTER TABLE tickets_ticket ENABLE TRIGGER insight_pendingsignature_insert")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [args.tickets]
        )
        print("  building the postings index …", flush=True)
        cursor.execute(
            "CREATE INDEX insight_term_recent ON insight_ticketterm (term, created_at, ticket_id)"
        )
        cursor.execute("CREATE INDEX insight_term_ticket ON insight_ticketterm (ticket_id)")
    connection.connection.autocommit = True  # VACUUM cannot run in a transaction
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE insight_ticketsignature")
        cursor.execute("VACUUM ANALYZE insight_ticketterm")
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)


def operator():  # type: ignore[no-untyped-def]
    from minsheng.org.models import Role, RoleGrant, User

    user, _ = User.objects.get_or_create(username="bench-operator")
    RoleGrant.objects.get_or_create(user=user, role=Role.OPERATOR)
    return User.objects.get(pk=user.pk)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def report(label: str, times: list[float]) -> None:
    ms = [t * 1000 for t in times]
    print(
        f"{label}: n={len(ms)} p50={percentile(ms, 0.5):.1f} ms p95={percentile(ms, 0.95):.1f} ms "
        f"p99={percentile(ms, 0.99):.1f} ms max={max(ms):.1f} ms mean={statistics.mean(ms):.1f} ms"
    )


def run_queries(args: argparse.Namespace, messages: list[tuple[str, list[str]]]) -> None:
    from django.db import connection

    from minsheng.insight.index import similar_open_tickets
    from minsheng.org.models import Division
    from minsheng.tickets.models import Ticket

    rng = random.Random(args.seed + 1)
    user = operator()
    divisions = list(Division.objects.filter(code__startswith="410927", level__gte=4))
    by_title = {title: n for n, (title, _) in enumerate(messages)}
    times: list[float] = []
    found_same = eligible = 0
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=WINDOW_DAYS)
    for q in range(args.queries + WARM_UP):
        title, sentences = messages[skewed_index(rng, len(messages))]
        division = rng.choice(divisions)
        text = f"{division.name}：" + "".join(paraphrase(rng, sentences))
        started = time.perf_counter()
        hits = similar_open_tickets(text=text, title=title, division=division, user=user)
        elapsed = time.perf_counter() - started
        if q < WARM_UP:
            continue
        times.append(elapsed)
        exists = Ticket.objects.filter(
            title=title, created_at__gte=since, status="in_progress"
        ).exists()
        if exists:
            eligible += 1
            found_same += bool(hits) and by_title.get(hits[0].ticket.title) == by_title[title]
    report("similar_open_tickets", times)
    print(f"recall proxy: best candidate from the same message in {found_same}/{eligible} queries")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM insight_ticketterm")
        print(f"postings rows: {cursor.fetchone()[0]:,}")


def memory_bench(args: argparse.Namespace, messages: list[tuple[str, list[str]]]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    from minsheng.insight.index import term_weights  # module import only: no database used
    from minsheng.textproc.similar import SimilarityIndex, truncate, vector_from_terms

    rng = random.Random(args.seed)
    weights = term_weights()
    cut = TermCache()
    index: SimilarityIndex[int] = SimilarityIndex(weights)
    started = time.perf_counter()
    for n in range(args.tickets):
        title, sentences = messages[skewed_index(rng, len(messages))]
        told = paraphrase(rng, sentences)
        index.add_vector(
            n, truncate(vector_from_terms([t for s in told for t in cut(s)], cut(title), weights))
        )
    print(f"indexed {args.tickets:,} in {time.perf_counter() - started:.0f} s")
    times = []
    for q in range(args.queries + WARM_UP):
        title, sentences = messages[skewed_index(rng, len(messages))]
        text = "".join(paraphrase(rng, sentences))
        t0 = time.perf_counter()
        index.query(text, title=title, limit=10)
        if q >= WARM_UP:
            times.append(time.perf_counter() - t0)
    report("SimilarityIndex.query (in memory)", times)


def main() -> None:
    args = parse_args()
    messages = load_messages()
    print(f"{len(messages):,} messages")
    if args.memory:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
        django.setup()
        memory_bench(args, messages)
        return
    name = check_name(args.database_url)
    ensure_database(args.database_url, name)
    setup_django(args.database_url)
    from minsheng.tickets.models import Ticket

    count = Ticket.objects.count()
    if args.reset or count != args.tickets:
        if count and not args.reset:
            sys.exit(f"{name} holds {count:,} tickets, not {args.tickets:,}: use --reset")
        generate(args, messages)
    run_queries(args, messages)


if __name__ == "__main__":
    main()
