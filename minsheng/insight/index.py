"""The duplicate index: same problem, similar cases, for the operator desk and handlers.

Every ticket gets a `TicketSignature` (its truncated TF-IDF vector, place and time) and one
`TicketTerm` row per signature term (minsheng.textproc.similar). A query:

1. vectorises the new text and takes its heaviest terms (their 32-bit hashes);
2. reads the postings of those terms *in the recency window* from the index
   ``(term, created_at, ticket)`` and keeps the tickets sharing the most terms (a few hundred);
3. re-scores those candidates by cosine with their stored vectors, keeps the open ones, and
   weighs the place: same division or inside it 1.0, same township 0.95, no place 0.85,
   another township 0.7 (a caller may name the wrong village; another township rarely);
4. returns the best, restricted to what the user may see (minsheng.tickets.selectors).

Because signature terms are the *rare* terms of a text, their postings are short; the
recency window bounds them further. Nothing grows with the total number of tickets except the
index itself (docs/benchmarks/similar.md).

Keeping it current: triggers on the tickets' table note every new ticket, and every ticket
whose title, description or place changed, in `PendingSignature` (insight migration 0002); the
worker files them (:func:`index_pending_until_done`, minsheng/worker/loop.py), a batch at a
time. ``manage.py insight_index`` files every ticket still missing at once (``make run`` calls
it after loading the demo), ``--rebuild`` everything; :func:`index_ticket` files one ticket.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from scipy.sparse import csr_matrix

from minsheng.insight.models import (
    PendingSignature,
    ReferenceCase,
    TicketSignature,
    TicketTerm,
)
from minsheng.org.models import Division, User
from minsheng.textproc.similar import (
    DUPLICATE_SCORE,
    QUERY_TERMS,
    SimilarityIndex,
    TermWeights,
    Vector,
    cosine,
    dumps_vector,
    loads_vector,
    signature,
    term_hash,
    truncate,
    vectorize,
)
from minsheng.tickets import selectors
from minsheng.tickets.models import OPEN_STATUSES, Status, Ticket

DATA_DIR = Path(__file__).resolve().parent / "data"
TERM_DF = DATA_DIR / "term_df.csv.gz"

SIMILAR_DAYS = 30
"""Merge candidates are open tickets from this many days back."""
REFERENCE_DAYS = 365
"""Closed tickets with a reply from this many days back serve as reference answers."""
CANDIDATES = 200
"""Tickets re-scored per query (those sharing the most signature terms)."""

PLACE_FACTORS = {"same": 1.0, "township": 0.95, "unknown": 0.85, "other": 0.7}


@functools.lru_cache(maxsize=1)
def term_weights() -> TermWeights:
    """Document frequencies of terms in 7,142 real citizen messages (see data/README.md)."""
    with gzip.open(TERM_DF, "rt", encoding="utf-8") as handle:
        return TermWeights.loads(handle.read())


def text_vector(text: str, title: str = "") -> Vector:
    return truncate(vectorize(text, term_weights(), title=title))


def township_code(division_code: str | None) -> str:
    """The township part of a 12-digit code ('' above township level)."""
    if not division_code or len(division_code) != 12 or division_code[6:9] == "000":
        return ""
    return division_code[:9] + "000"


# --- maintenance -------------------------------------------------------------------------------


def _rows(ticket: Ticket) -> tuple[TicketSignature, list[TicketTerm]]:
    vector = text_vector(ticket.description, ticket.title)
    division_code = ticket.division_id or ""
    sig = TicketSignature(
        ticket_id=ticket.pk,
        created_at=ticket.created_at,
        division_code=division_code,
        township_code=township_code(division_code),
        vector=dumps_vector(vector),
    )
    terms = [
        TicketTerm(ticket_id=ticket.pk, term=term_hash(term), created_at=ticket.created_at)
        for term in dict.fromkeys(signature(vector))
    ]
    return sig, terms


INDEXED_FIELDS = ("id", "title", "description", "division_id", "created_at")
"""What filing a ticket reads of it."""


def _file(tickets: list[Ticket]) -> None:
    """(Re)file these tickets, replacing their rows; they are no longer pending. Call in a
    transaction."""
    ids = [t.pk for t in tickets]
    TicketTerm.objects.filter(ticket_id__in=ids).delete()
    TicketSignature.objects.filter(ticket_id__in=ids).delete()
    rows = [_rows(t) for t in tickets]
    TicketSignature.objects.bulk_create([sig for sig, _ in rows])
    TicketTerm.objects.bulk_create([term for _, terms in rows for term in terms])
    PendingSignature.objects.filter(ticket_id__in=ids).delete()


@transaction.atomic
def index_ticket(ticket: Ticket) -> None:
    """File (or re-file) one ticket in the duplicate index. Idempotent."""
    _file([ticket])


def index_tickets(tickets: QuerySet[Ticket], *, batch_size: int = 500) -> int:
    """(Re)index many tickets in primary-key batches; returns how many were indexed."""
    done = 0
    last = 0
    base = tickets.order_by("pk").only(*INDEXED_FIELDS)
    while True:
        batch = list(base.filter(pk__gt=last)[:batch_size])
        if not batch:
            return done
        with transaction.atomic():
            _file(batch)
        done += len(batch)
        last = batch[-1].pk


def index_missing(*, batch_size: int = 500) -> int:
    """Index the tickets that have no signature yet (e.g. created before the index existed)."""
    return index_tickets(Ticket.objects.filter(signature__isnull=True), batch_size=batch_size)


def pending_count() -> int:
    """Tickets waiting for the worker."""
    return PendingSignature.objects.count()


def index_pending(*, limit: int = 500) -> int:
    """The worker's step: file up to `limit` pending tickets, oldest first, in one transaction
    with the removal of their pending rows. Returns how many pending rows it took (0: none).

    On PostgreSQL the rows are claimed with SKIP LOCKED, so several workers share the queue and
    a text change in progress (whose trigger holds its row) is left for the next pass; on
    SQLite the IMMEDIATE transaction serialises writers. A ticket deleted meanwhile only loses
    its pending row. A pending row is deleted with its ticket's new signature, so a change
    committed after the claim marks the ticket again and is filed on a later pass."""
    with transaction.atomic():
        ids = list(
            PendingSignature.objects.select_for_update(skip_locked=True)
            .order_by("ticket_id")
            .values_list("ticket_id", flat=True)[:limit]
        )
        if not ids:
            return 0
        tickets = list(Ticket.objects.filter(pk__in=ids).only(*INDEXED_FIELDS))
        if tickets:
            _file(tickets)
        PendingSignature.objects.filter(ticket_id__in=ids).delete()
        return len(ids)


PASS_BATCHES = 20
"""Batches the worker files per pass at most: a back-fill of many tickets (an upgrade of a big
installation) must not hold up the deadline sweep; the worker comes back at once while there
is work."""


def index_pending_until_done(
    *, limit: int = 500, stop: threading.Event | None = None, batches: int = PASS_BATCHES
) -> int:
    total = 0
    for _ in range(batches):
        if stop is not None and stop.is_set():
            break
        done = index_pending(limit=limit)
        total += done
        if done < limit:
            break
    return total


# --- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarTicket:
    ticket: Ticket
    score: float  # text similarity × place factor
    text_score: float
    place: str  # "same", "township", "unknown" or "other" (see PLACE_FACTORS)


def _place_relation(division: Division | None, code: str, township: str) -> str:
    if division is None:
        return "same"
    if not code:
        return "unknown"
    if code.startswith(division.short_code) or division.code.startswith(code[: _significant(code)]):
        return "same"
    if township and township == township_code(division.code):
        return "township"
    return "other"


def _significant(code: str) -> int:
    """Length of a 12-digit code without its trailing zero groups (410927102000 → 9)."""
    for size in (2, 4, 6, 9):
        if code[size:].strip("0") == "":
            return size
    return 12


def _candidates(vector: Vector, *, since: dt.datetime, limit: int = CANDIDATES) -> QuerySet[Any]:
    """Ticket ids since ``since`` sharing the most signature terms with ``vector``: a subquery
    (one round trip with what reads it; empty when the vector has no terms)."""
    probe = [term_hash(term) for term in signature(vector, QUERY_TERMS)]
    return (
        TicketTerm.objects.filter(term__in=probe, created_at__gte=since)
        .values("ticket_id")
        .annotate(hits=Count("*"))
        .order_by("-hits", "-ticket_id")
        .values("ticket_id")[:limit]
    )


def candidate_ids(vector: Vector, *, since: dt.datetime, limit: int = CANDIDATES) -> list[int]:
    """Tickets since ``since`` sharing the most signature terms with ``vector`` (best first)."""
    if not vector:
        return []
    return [row["ticket_id"] for row in _candidates(vector, since=since, limit=limit)]


def _rescored(
    vector: Vector, *, since: dt.datetime, division: Division | None, min_score: float
) -> dict[int, tuple[float, float, str]]:
    """Candidates by cosine with their stored vectors, weighed by place: id → (score, text, place)."""
    rows = TicketSignature.objects.filter(
        ticket_id__in=_candidates(vector, since=since)
    ).values_list("ticket_id", "division_code", "township_code", "vector")
    scored: dict[int, tuple[float, float, str]] = {}
    for ticket_id, code, township, stored in rows:
        text_score = cosine(vector, loads_vector(stored))
        place = _place_relation(division, code, township)
        score = text_score * PLACE_FACTORS[place]
        if score >= min_score:
            scored[ticket_id] = (round(score, 4), round(text_score, 4), place)
    return scored


def similar_open_tickets(
    *,
    text: str,
    title: str = "",
    user: User | None = None,
    division: Division | None = None,
    days: int = SIMILAR_DAYS,
    limit: int = 10,
    min_score: float = DUPLICATE_SCORE,
    exclude: Iterable[int] = (),
    now: dt.datetime | None = None,
    vector: Vector | None = None,
) -> list[SimilarTicket]:
    """Open tickets about the same problem: merge candidates for a new ticket, best first.

    ``user`` scopes the result to what they may see (None: no scoping, for commands and
    benchmarks). ``division`` is the new ticket's place, if known. Three queries: the
    candidates with their vectors (postings and signatures in one statement), then the best
    few tickets, open and visible. ``vector``: the text's `text_vector`, when the caller has
    it already (the bulk intake reuses it for the file's own rows).
    """
    if vector is None:
        vector = text_vector(text, title)
    if not vector:
        return []
    since = (now or timezone.now()) - dt.timedelta(days=days)
    scored = _rescored(vector, since=since, division=division, min_score=min_score)
    for pk in exclude:
        scored.pop(pk, None)
    # The status is checked on the best few only: closed tickets among them are dropped, so
    # take several times the limit (a closed duplicate rarely outnumbers open ones).
    best = sorted(scored, key=lambda i: (-scored[i][0], -i))[: max(limit, 0) * 4]
    visible = selectors.tickets_visible_to(user) if user is not None else Ticket.objects.all()
    tickets = {t.pk: t for t in visible.filter(pk__in=best, status__in=OPEN_STATUSES)}
    found = [SimilarTicket(tickets[i], *scored[i]) for i in best if i in tickets]
    return found[:limit]


def similar_open_tickets_many(
    items: Sequence[tuple[Vector, Division | None]],
    *,
    user: User | None = None,
    days: int = SIMILAR_DAYS,
    limit: int = 3,
    min_score: float = DUPLICATE_SCORE,
    now: dt.datetime | None = None,
) -> list[list[SimilarTicket]]:
    """:func:`similar_open_tickets` for many texts at once (the bulk intake's preview): each
    item a text's `text_vector` and place. The same candidates (the tickets sharing the most
    signature terms in the window), scores and place factors, read in a few statements for
    the lot instead of three per text: the postings of every probe term, the candidates'
    vectors, then the best tickets, open and visible (each in chunks of `BULK_CHUNK`)."""
    if not items:
        return []
    since = (now or timezone.now()) - dt.timedelta(days=days)
    probes = [[term_hash(t) for t in signature(v, QUERY_TERMS)] if v else [] for v, _ in items]
    postings: dict[int, list[int]] = {}
    terms = sorted({t for probe in probes for t in probe})
    for start in range(0, len(terms), BULK_CHUNK):
        rows = TicketTerm.objects.filter(
            term__in=terms[start : start + BULK_CHUNK], created_at__gte=since
        ).values_list("term", "ticket_id")
        for term, ticket_id in rows:
            postings.setdefault(term, []).append(ticket_id)
    candidates: list[list[int]] = []
    for probe in probes:
        hits = Counter(chain.from_iterable(postings.get(term, ()) for term in probe))
        ranked = sorted([(-count, -i) for i, count in hits.items()])[:CANDIDATES]
        candidates.append([-i for _count, i in ranked])
    wanted = sorted({i for ids in candidates for i in ids})
    stored: dict[int, tuple[str, str, Vector]] = {}
    for start in range(0, len(wanted), BULK_CHUNK):
        for ticket_id, code, township, text in TicketSignature.objects.filter(
            ticket_id__in=wanted[start : start + BULK_CHUNK]
        ).values_list("ticket_id", "division_code", "township_code", "vector"):
            stored[ticket_id] = (code, township, loads_vector(text))
    scored_all: list[list[tuple[int, float, float, str]]] = []
    places: dict[tuple[str, str, str], str] = {}  # (division, code, township) → relation
    for start in range(0, len(items), SCORE_CHUNK):
        part = range(start, min(start + SCORE_CHUNK, len(items)))
        texts = _cosines([items[i][0] for i in part], [candidates[i] for i in part], stored)
        for i, text_scores in zip(part, texts, strict=True):
            division = items[i][1]
            scored = []
            for ticket_id, text_score in text_scores:
                if text_score < min_score:  # no place factor is above 1
                    continue
                code, township, _vector = stored[ticket_id]
                key = (division.code if division is not None else "", code, township)
                place = places.get(key) or places.setdefault(
                    key, _place_relation(division, code, township)
                )
                score = text_score * PLACE_FACTORS[place]
                if score >= min_score:
                    scored.append((ticket_id, round(score, 4), round(text_score, 4), place))
            scored.sort(key=lambda s: (-s[1], -s[0]))
            scored_all.append(scored[: max(limit, 0) * 4])
    best = sorted({s[0] for scored in scored_all for s in scored})
    visible = selectors.tickets_visible_to(user) if user is not None else Ticket.objects.all()
    tickets: dict[int, Ticket] = {}
    for start in range(0, len(best), BULK_CHUNK):
        tickets.update(
            (t.pk, t)
            for t in visible.filter(
                pk__in=best[start : start + BULK_CHUNK], status__in=OPEN_STATUSES
            )
        )
    return [
        [
            SimilarTicket(tickets[i], score, text_score, place)
            for i, score, text_score, place in scored
            if i in tickets
        ][:limit]
        for scored in scored_all
    ]


def _cosines(
    vectors: Sequence[Vector],
    candidates: Sequence[list[int]],
    stored: dict[int, tuple[str, str, Vector]],
) -> list[list[tuple[int, float]]]:
    """(ticket id, cosine) of each vector with each of its candidates (those stored), in
    candidate order: one sparse product for the lot instead of a Python loop per pair."""
    tickets = sorted({i for ids in candidates for i in ids if i in stored})
    column = {ticket_id: n for n, ticket_id in enumerate(tickets)}
    vocabulary: dict[str, int] = {}

    right = [stored[i][2] for i in tickets]
    for row in (*vectors, *right):
        for term in row:
            vocabulary.setdefault(term, len(vocabulary))
    width = max(len(vocabulary), 1)

    def matrix(rows: Sequence[Vector]) -> csr_matrix:
        indptr, indices, data = [0], [], []
        for row in rows:
            for term, weight in row.items():
                indices.append(vocabulary[term])
                data.append(weight)
            indptr.append(len(indices))
        return csr_matrix((data, indices, indptr), shape=(len(rows), width))

    a = matrix(vectors)
    b = matrix(right)
    product = (a @ b.T).tocsr()
    result = []
    for n, ids in enumerate(candidates):
        begin, end = product.indptr[n], product.indptr[n + 1]
        scores: dict[int, float] = dict(
            zip(product.indices[begin:end].tolist(), product.data[begin:end].tolist(), strict=True)
        )
        result.append([(i, min(1.0, scores.get(column[i], 0.0))) for i in ids if i in column])
    return result


BULK_CHUNK = 500
SCORE_CHUNK = 100
"""Texts scored per sparse product in :func:`similar_open_tickets_many`."""
"""Values per IN list in :func:`similar_open_tickets_many` (SQLite's limit is far above)."""


# --- reference answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceAnswer:
    title: str
    question: str
    reply: str
    replied_at: dt.datetime | None
    score: float
    ticket: Ticket | None = None
    case: ReferenceCase | None = None


_ref_lock = threading.Lock()
_ref_cache: dict[str, tuple[tuple[object, ...], SimilarityIndex[int]]] = {}


def reference_index() -> SimilarityIndex[int]:
    """ReferenceCase vectors in memory, rebuilt when the table changes (count or last id)."""
    state = tuple(ReferenceCase.objects.aggregate(n=Count("id"), last=Max("id")).values())
    cached = _ref_cache.get("cases")
    if cached is not None and cached[0] == state:
        return cached[1]
    with _ref_lock:
        index: SimilarityIndex[int] = SimilarityIndex(term_weights())
        for pk, stored in ReferenceCase.objects.values_list("id", "vector").iterator(
            chunk_size=2000
        ):
            vector = loads_vector(stored)
            if vector:
                index.add_vector(pk, vector)
        _ref_cache["cases"] = (state, index)
        return index


def reference_answers(
    *,
    text: str,
    title: str = "",
    user: User | None = None,
    limit: int = 3,
    min_score: float = 0.2,
    now: dt.datetime | None = None,
) -> list[ReferenceAnswer]:
    """Closed tickets with replies (visible to ``user``) and imported reference cases that
    answered the same problem, best first."""
    vector = text_vector(text, title)
    if not vector:
        return []
    answers: list[ReferenceAnswer] = []
    hits = reference_index().query_vector(vector, limit=limit, min_score=min_score)
    cases = ReferenceCase.objects.in_bulk([hit.key for hit in hits])
    for hit in hits:
        case = cases.get(hit.key)
        if case is not None:
            answers.append(
                ReferenceAnswer(
                    case.title, case.question, case.reply, case.replied_at, hit.score, case=case
                )
            )
    since = (now or timezone.now()) - dt.timedelta(days=REFERENCE_DAYS)
    rows = (
        TicketSignature.objects.filter(
            ticket_id__in=_candidates(vector, since=since), ticket__status=Status.CLOSED
        )
        .exclude(ticket__reply_text="")
        .values_list("ticket_id", "vector")
    )
    scores = {pk: cosine(vector, loads_vector(stored)) for pk, stored in rows}
    good = [pk for pk, score in scores.items() if score >= min_score]
    visible = selectors.tickets_visible_to(user) if user is not None else Ticket.objects.all()
    for ticket in visible.filter(pk__in=good):
        answers.append(
            ReferenceAnswer(
                ticket.title,
                ticket.description,
                ticket.reply_text,
                ticket.replied_at,
                round(scores[ticket.pk], 4),
                ticket=ticket,
            )
        )
    answers.sort(key=lambda a: -a.score)
    return answers[:limit]
