"""Keeping the rollups up to date: the worker's `refresh()` and the from-scratch `rebuild()`.

How a refresh stays exact, idempotent and restart-safe:

1. Tickets are read in (updated_at, id) order after a watermark kept in `RollupState`. Every
   ticket service bumps `updated_at`, so a changed ticket always comes round again.
2. Each ticket's contribution is derived again (derive.py) and compared with the one stored in
   `TicketContribution`; the difference (old subtracted, new added) is applied to the cubes as
   increments (`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, on SQLite and
   PostgreSQL alike). Deriving an unchanged ticket changes nothing, so seeing a ticket twice is
   harmless.
3. The deltas, the new contributions and the advanced watermark commit in one transaction: a
   worker killed mid-batch leaves the previous state, and the next call does the batch again.
4. Only tickets whose `updated_at` is older than `MINSHENG_STATS_LAG_SECONDS` are taken, so a
   service transaction that set `updated_at` but had not committed yet when the watermark
   passed cannot be skipped (its `updated_at` is at most a transaction's length in the past).
5. The state row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE
   transactions serialise writers), so two workers never apply the same batch twice.

What a refresh does not see: a change of the unit tree or of the working calendar leaves the
contributions of untouched tickets as they were derived; `manage.py rates_rebuild` recomputes
everything (docs/metrics.md, "When to rebuild").
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from minsheng.deadlines.clock import current_calendar, working_hours
from minsheng.lib.bulk import array_literal, int_array_literal
from minsheng.org.models import Unit
from minsheng.stats.derive import (
    CALLBACK_FIELDS,
    EVENT_ACTIONS,
    EVENT_FIELDS,
    PART_FIELDS,
    TICKET_FIELDS,
    AssignmentRow,
    CallbackRow,
    CellKey,
    Contribution,
    Counts,
    EventRow,
    TicketRow,
    UnitDayKey,
    derive,
    merge_into,
)
from minsheng.stats.measures import NAMES
from minsheng.stats.models import Cell, RollupState, TicketContribution, UnitDay
from minsheng.tickets.models import Assignment, Callback, Ticket, TicketEvent

STATE = "rollup"
CELL_KEY = ("day", "unit_id", "category_id", "division", "channel", "kind")
UNITDAY_KEY = ("unit_id", "day")
UPSERT_ROWS = 400  # rows per INSERT: 26 parameters each stays under SQLite's variable limit
_ZEROS = dict.fromkeys(NAMES, 0)
_MEASURES = operator.itemgetter(*NAMES)  # a Counts' values in column order (NAMES has several)
# PostgreSQL array types of the rollup columns, for the unnest() upsert.
_PG_TYPES = {
    "day": "date",
    "unit_id": "bigint",
    "category_id": "bigint",
    "division": "text",
    "channel": "text",
    "kind": "text",
    **{name: "bigint" for name in NAMES},
}


def lag() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.MINSHENG_STATS_LAG_SECONDS))


# --- loading what derive() needs, a batch at a time ------------------------------------------


class UnitTree:
    """Each unit's closure (itself and its ancestors' ids), read from the materialised paths."""

    def __init__(self) -> None:
        self._closure: dict[int, tuple[int, ...]] = {}

    def prepare(self, unit_ids: Iterable[int]) -> None:
        missing = {u for u in unit_ids if u and u not in self._closure}
        if not missing:
            return
        paths = dict(Unit.objects.filter(pk__in=missing).values_list("id", "path"))
        codes = {code for path in paths.values() for code in path.strip("/").split("/") if code}
        ids = dict(Unit.objects.filter(code__in=codes).values_list("code", "id"))
        for unit_id in missing:
            chain = [ids[c] for c in paths.get(unit_id, "").strip("/").split("/") if c in ids]
            self._closure[unit_id] = tuple(chain) if unit_id in chain else (*chain, unit_id)

    def closure(self, unit_id: int) -> tuple[int, ...]:
        return self._closure.get(unit_id, (unit_id,))


@dataclass
class Loaded:
    ticket: TicketRow
    assignments: list[AssignmentRow] = field(default_factory=list)
    callbacks: list[CallbackRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)


def _among(column: str, ids: list[int]) -> Q | RawSQL:
    """`column IN ids`. On PostgreSQL one array parameter (`= ANY`): thousands of placeholders
    cost more to build and parse than the lookup itself."""
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": ids})
    return RawSQL(  # noqa: S611 (the column is a fixed name; the ids are a parameter)
        f"{connection.ops.quote_name(column)} = ANY(%s::bigint[])",
        [int_array_literal(ids)],
        output_field=BooleanField(),
    )


def load(ticket_ids: list[int]) -> dict[int, Loaded]:
    """Everything derive() reads for these tickets, in four queries."""
    loaded = {
        row[0]: Loaded(TicketRow(*row))
        for row in Ticket.objects.filter(_among("id", ticket_ids)).values_list(*TICKET_FIELDS)
    }
    for ticket_id, *rest in Assignment.objects.filter(_among("ticket_id", ticket_ids)).values_list(
        *PART_FIELDS
    ):
        loaded[ticket_id].assignments.append(AssignmentRow(*rest))
    for ticket_id, *rest in Callback.objects.filter(
        _among("ticket_id", ticket_ids), reached=True
    ).values_list(*CALLBACK_FIELDS):
        loaded[ticket_id].callbacks.append(CallbackRow(*rest))
    for ticket_id, *rest in TicketEvent.objects.filter(
        _among("ticket_id", ticket_ids), action__in=EVENT_ACTIONS
    ).values_list(*EVENT_FIELDS):
        loaded[ticket_id].events.append(EventRow(*rest))
    return loaded


@dataclass
class Deriver:
    """derive() with the unit tree, the local day and the working calendar bound in."""

    tree: UnitTree = field(default_factory=UnitTree)

    def __post_init__(self) -> None:
        zone = ZoneInfo(settings.TIME_ZONE)
        calendar, hours = current_calendar(), working_hours()
        self.day: Callable[[dt.datetime], int] = lambda moment: (
            moment.astimezone(zone).date().toordinal()
        )
        self.working_seconds: Callable[[dt.datetime, dt.datetime], int] = lambda a, b: int(
            calendar.working_time_between(a, b, hours).total_seconds()
        )

    def contributions(self, loaded: Mapping[int, Loaded]) -> dict[int, Contribution]:
        units: set[int] = set()
        for item in loaded.values():
            units.add(item.ticket.lead_unit_id or 0)
            units.update(p.unit_id for p in item.assignments)
            units.update(e.unit_id or 0 for e in item.events)
        self.tree.prepare(units)
        return {
            ticket_id: derive(
                item.ticket,
                item.assignments,
                item.callbacks,
                item.events,
                closure=self.tree.closure,
                day=self.day,
                working_seconds=self.working_seconds,
            )
            for ticket_id, item in loaded.items()
        }


# --- applying deltas ---------------------------------------------------------------------------


def _day(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def _upsert(table: str, key: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Add each row's counts to the row with the same key, creating it if needed. The rows'
    keys are distinct (the deltas are summed per key before), as ON CONFLICT requires."""
    if not rows:
        return
    columns = (*key, *NAMES)
    quoted = connection.ops.quote_name
    table_q = quoted(table)
    updates = ", ".join(
        f"{quoted(n)} = {table_q}.{quoted(n)} + excluded.{quoted(n)}" for n in NAMES
    )
    head = f"INSERT INTO {table_q} ({', '.join(quoted(c) for c in columns)}) "
    tail = f" ON CONFLICT ({', '.join(quoted(c) for c in key)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column: a fixed, short statement whatever the number of rows
            # (a VALUES list of thousands of placeholders cost more to build than to run).
            types = [_PG_TYPES[c] for c in columns]
            arrays = [
                int_array_literal(values) if t in ("bigint", "integer") else array_literal(values)
                for t, values in zip(types, zip(*rows, strict=True), strict=True)
            ]
            unnest = ", ".join(f"%s::{t}[]" for t in types)
            # Identifiers are quoted model metadata, never user input; values are parameters.
            cursor.execute(f"{head}SELECT * FROM unnest({unnest}){tail}", arrays)  # noqa: S608
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            cursor.execute(
                f"{head}VALUES {', '.join([one] * len(chunk))}{tail}",
                [value for row in chunk for value in row],
            )


def _prune(model: type[Cell] | type[UnitDay], keys: list[dict[str, Any]]) -> None:
    """Delete rows that the deltas brought back to all zeros (only where a count went down)."""
    if not keys:
        return
    all_zero = Q(**dict.fromkeys(NAMES, 0))
    for start in range(0, len(keys), 100):
        match = Q()
        for key in keys[start : start + 100]:
            match |= Q(**key)
        model.objects.filter(match).filter(all_zero).delete()


def apply_deltas(cells: Mapping[CellKey, Counts], unit_days: Mapping[UnitDayKey, Counts]) -> None:
    cell_rows, cell_down = [], []
    for (d, unit, category, division, channel, kind), counts in cells.items():
        if not any(counts.values()):
            continue
        key = (_day(d), unit, category, division, channel, kind)
        cell_rows.append((*key, *_MEASURES({**_ZEROS, **counts})))
        if min(counts.values()) < 0:
            cell_down.append(dict(zip(CELL_KEY, key, strict=True)))
    day_rows, day_down = [], []
    for (unit, d), counts in unit_days.items():
        if not any(counts.values()):
            continue
        day_rows.append((unit, _day(d), *_MEASURES({**_ZEROS, **counts})))
        if min(counts.values()) < 0:
            day_down.append({"unit_id": unit, "day": _day(d)})
    _upsert(Cell._meta.db_table, CELL_KEY, cell_rows)
    _upsert(UnitDay._meta.db_table, UNITDAY_KEY, day_rows)
    _prune(Cell, cell_down)
    _prune(UnitDay, day_down)


def _save_contributions(changed: list[TicketContribution]) -> None:
    if not changed:
        return
    if connection.vendor != "postgresql":
        TicketContribution.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["ticket_id"],
            update_fields=["data", "version"],
        )
        return
    table = connection.ops.quote_name(TicketContribution._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ticket_id, data, version) "  # noqa: S608 (model metadata)
            "SELECT * FROM unnest(%s::bigint[], %s::jsonb[], %s::integer[]) "
            "ON CONFLICT (ticket_id) DO UPDATE SET data = excluded.data, version = excluded.version",
            [
                int_array_literal(c.ticket_id for c in changed),
                array_literal(json.dumps(c.data, separators=(",", ":")) for c in changed),
                int_array_literal(c.version for c in changed),
            ],
        )


def rederive(ticket_ids: list[int], deriver: Deriver | None = None) -> int:
    """Bring these tickets' contributions up to date; returns how many changed."""
    deriver = deriver or Deriver()
    old = {
        c.ticket_id: c
        for c in TicketContribution.objects.filter(_among("ticket_id", ticket_ids)).only(
            "ticket_id", "data"
        )
    }
    loaded = load(ticket_ids)
    new = deriver.contributions(loaded)
    cells: dict[CellKey, Counts] = {}
    unit_days: dict[UnitDayKey, Counts] = {}
    changed: list[TicketContribution] = []
    for ticket_id, contribution in new.items():
        data = contribution.to_json()
        previous = old.get(ticket_id)
        if previous is not None and previous.data == data:
            continue
        if previous is not None:
            before = Contribution.from_json(previous.data)
            merge_into(cells, before.cells(), -1)
            merge_into(unit_days, before.unit_days(), -1)
        merge_into(cells, contribution.cells(), +1)
        merge_into(unit_days, contribution.unit_days(), +1)
        changed.append(
            TicketContribution(
                ticket_id=ticket_id, data=data, version=loaded[ticket_id].ticket.version
            )
        )
    # A ticket that no longer exists takes its contribution with it.
    for ticket_id in set(old) - set(new):
        before = Contribution.from_json(old[ticket_id].data)
        merge_into(cells, before.cells(), -1)
        merge_into(unit_days, before.unit_days(), -1)
    apply_deltas(cells, unit_days)
    _save_contributions(changed)
    gone = set(old) - set(new)
    if gone:
        TicketContribution.objects.filter(ticket_id__in=gone).delete()
    return len(changed)


# --- the worker's entry point ------------------------------------------------------------------


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(name=STATE)
    return RollupState.objects.select_for_update().get(name=STATE)


def refresh(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """One batch: re-derive up to `limit` tickets changed since the watermark, apply the
    differences and move the watermark, all in one transaction. Returns the number of tickets
    looked at; 0 means the rollups are up to date (as of `now` minus the lag).

    The worker calls it on every pass (minsheng.worker.loop.Worker.run_once)."""
    now = now or timezone.now()
    cutoff = now - lag()
    with transaction.atomic():
        state = _locked_state()
        changed = Ticket.objects.filter(updated_at__lte=cutoff)
        if state.cursor_at is not None:
            # The plain lower bound lets PostgreSQL start the index scan at the watermark; with
            # only the OR below it read the index from its start on every pass (a rebuild of
            # 10,000,000 tickets spent most of its time there).
            changed = changed.filter(updated_at__gte=state.cursor_at).filter(
                Q(updated_at__gt=state.cursor_at)
                | Q(updated_at=state.cursor_at, id__gt=state.cursor_id)
            )
        batch = list(changed.order_by("updated_at", "id").values_list("id", "updated_at")[:limit])
        if not batch:
            return 0
        rederive([ticket_id for ticket_id, _ in batch])
        state.cursor_id, state.cursor_at = batch[-1]
        state.refreshed_at = now
        state.tickets_done += len(batch)
        state.save()
    return len(batch)


def refresh_until_done(
    *, now: dt.datetime | None = None, limit: int = 500, stop: threading.Event | None = None
) -> int:
    total = 0
    while stop is None or not stop.is_set():
        done = refresh(now=now, limit=limit)
        total += done
        if done == 0:
            break
    return total


def reset() -> None:
    """Empty the rollups and the watermark (the start of a rebuild). The state row is locked
    first, so a worker's batch in flight finishes before, and is emptied with, the rest."""
    with transaction.atomic():
        state = _locked_state()
        if connection.vendor == "postgresql":
            tables = [m._meta.db_table for m in (Cell, UnitDay, TicketContribution)]
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables)
                )
        else:
            for model in (Cell, UnitDay, TicketContribution):
                model.objects.all().delete()
        state.cursor_at, state.cursor_id, state.tickets_done = None, 0, 0
        state.save()


def rebuild(
    *,
    now: dt.datetime | None = None,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute every rollup from the tickets; returns the number of tickets read."""
    reset()
    total = 0
    while True:
        done = refresh(now=now, limit=batch)
        if not done:
            return total
        total += done
        if progress:
            progress(total)


# --- from scratch, for checks ------------------------------------------------------------------


def from_scratch() -> tuple[dict[CellKey, Counts], dict[UnitDayKey, Counts]]:
    """The cubes as they must be: every ticket derived now and summed (without the zeros)."""
    cells: dict[CellKey, Counts] = {}
    unit_days: dict[UnitDayKey, Counts] = {}
    deriver = Deriver()
    ids = list(Ticket.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), 1000):
        for contribution in deriver.contributions(load(ids[start : start + 1000])).values():
            merge_into(cells, contribution.cells(), +1)
            merge_into(unit_days, contribution.unit_days(), +1)
    return _nonzero(cells), _nonzero(unit_days)


def stored() -> tuple[dict[CellKey, Counts], dict[UnitDayKey, Counts]]:
    """The cubes as they are, in from_scratch()'s shape."""
    cells: dict[CellKey, Counts] = {}
    for row in Cell.objects.values_list(*CELL_KEY, *NAMES):
        d, unit, category, division, channel, kind = row[:6]
        cells[(d.toordinal(), unit, category, division, channel, kind)] = dict(
            zip(NAMES, row[6:], strict=True)
        )
    unit_days: dict[UnitDayKey, Counts] = {}
    for row in UnitDay.objects.values_list(*UNITDAY_KEY, *NAMES):
        unit_days[(row[0], row[1].toordinal())] = dict(zip(NAMES, row[2:], strict=True))
    return _nonzero(cells), _nonzero(unit_days)


def _nonzero(cube: Mapping[Any, Counts]) -> dict[Any, Counts]:
    return {
        key: {n: v for n, v in counts.items() if v}
        for key, counts in cube.items()
        if any(counts.values())
    }
