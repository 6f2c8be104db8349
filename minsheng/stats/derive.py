"""What one ticket contributes to the rollups: the definitions of docs/metrics.md, in code.

`derive()` is a pure function of the ticket's rows (ticket, assignments, reached callbacks,
return/reopen events) and of the unit tree, so deriving a ticket twice gives the same
contribution, and the rollups are exactly the sum of every ticket's contribution — which is what
`rates_rebuild` recomputes and what the property tests compare against.

A contribution is stored as JSON (TicketContribution.data):

    {"k": [category_id, division, channel, kind],
     "l": [[day_ordinal, unit_id, {measure: n, ...}], ...],   # attributed counts
     "u": [[unit_id, [self and ancestors' ids]], ...],          # closures used
     "p": [day_ordinal, [unit ids incl. ancestors]] | null}     # participation

The closures are stored, not looked up again, so that subtracting an old contribution is exact
even after a unit was moved in the tree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from minsheng.tickets.models import Assignment, CloseReason, Kind, ReplyResult, Satisfaction, Status

# Closed by the hotline after a unit's reply: the tickets units handled to the end. Direct
# answers and legal-channel answers never reached a unit; merged tickets follow their master.
UNIT_CLOSE_REASONS = frozenset({CloseReason.CALLBACK, CloseReason.HOTLINE})

CellKey = tuple[
    int, int, int, str, str, str
]  # day ordinal, unit, category, division, channel, kind
UnitDayKey = tuple[int, int]  # unit, day ordinal
Counts = dict[str, int]


@dataclass(frozen=True)
class TicketRow:
    id: int
    version: int
    status: str
    kind: str
    channel: str
    category_id: int | None
    division_id: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    close_reason: str
    citizen_phone: str
    contact_due: dt.datetime | None
    reply_due: dt.datetime | None
    replied_at: dt.datetime | None
    reply_result: str
    lead_unit_id: int | None
    round: int
    master_id: int | None


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    unit_id: int
    role: str
    round: int
    state: str
    signed_at: dt.datetime | None
    contacted_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class CallbackRow:
    id: int
    round: int
    at: dt.datetime
    resolved: bool | None
    satisfaction: str


@dataclass(frozen=True)
class EventRow:
    action: str  # "return" or "reopen"
    at: dt.datetime
    unit_id: int | None


TICKET_FIELDS = tuple(TicketRow.__dataclass_fields__)
PART_FIELDS = ("ticket_id", *AssignmentRow.__dataclass_fields__)
CALLBACK_FIELDS = ("ticket_id", *CallbackRow.__dataclass_fields__)
EVENT_FIELDS = ("ticket_id", *EventRow.__dataclass_fields__)
EVENT_ACTIONS = ("return", "reopen")


@dataclass
class Contribution:
    key: tuple[int, str, str, str]  # category, division, channel, kind
    lead: dict[tuple[int, int], Counts] = field(default_factory=dict)
    closures: dict[int, tuple[int, ...]] = field(default_factory=dict)
    part: tuple[int, tuple[int, ...]] | None = None

    def add(self, day: int, unit: int, **counts: int) -> None:
        cell = self.lead.setdefault((day, unit), {})
        for name, n in counts.items():
            if n:
                cell[name] = cell.get(name, 0) + n

    # --- storage -----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "k": list(self.key),
            "l": [[d, u, counts] for (d, u), counts in sorted(self.lead.items()) if counts],
            "u": [[u, list(c)] for u, c in sorted(self.closures.items())],
            "p": [self.part[0], list(self.part[1])] if self.part else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contribution:
        if not data:
            return cls(key=(0, "", "", ""))
        c = cls(key=(int(data["k"][0]), str(data["k"][1]), str(data["k"][2]), str(data["k"][3])))
        for d, u, counts in data["l"]:
            c.lead[(int(d), int(u))] = {str(k): int(v) for k, v in counts.items()}
        c.closures = {int(u): tuple(int(x) for x in ids) for u, ids in data["u"]}
        if data.get("p"):
            c.part = (int(data["p"][0]), tuple(int(x) for x in data["p"][1]))
        return c

    # --- projections onto the two cubes ------------------------------------------------------

    def cells(self) -> dict[CellKey, Counts]:
        category, division, channel, kind = self.key
        out: dict[CellKey, Counts] = {}
        for (d, u), counts in self.lead.items():
            if counts:
                out[(d, u, category, division, channel, kind)] = dict(counts)
        if self.part:
            d, units = self.part
            for u in units:
                cell = out.setdefault((d, u, category, division, channel, kind), {})
                cell["part"] = cell.get("part", 0) + 1
        return out

    def unit_days(self) -> dict[UnitDayKey, Counts]:
        out: dict[UnitDayKey, Counts] = defaultdict(dict)
        for (d, u), counts in self.lead.items():
            for unit in {0, *self.closures.get(u, ())}:
                cell = out[(unit, d)]
                for name, n in counts.items():
                    cell[name] = cell.get(name, 0) + n
        if self.part:
            d, units = self.part
            for unit in (0, *units):
                cell = out[(unit, d)]
                cell["part"] = cell.get("part", 0) + 1
        return {k: v for k, v in out.items() if v}


def _last_reached_by_round(callbacks: Iterable[CallbackRow]) -> dict[int, CallbackRow]:
    """One verdict per round: the last callback that reached the citizen."""
    last: dict[int, CallbackRow] = {}
    for cb in sorted(callbacks, key=lambda c: (c.at, c.id)):
        last[cb.round] = cb
    return last


def _round_lead(assignments: Iterable[AssignmentRow], rnd: int) -> AssignmentRow | None:
    leads = [
        p
        for p in assignments
        if p.role == Assignment.Role.LEAD
        and p.round == rnd
        and p.state != Assignment.State.CANCELLED
    ]
    return max(leads, key=lambda p: (p.created_at, p.id)) if leads else None


def is_merged(ticket: TicketRow) -> bool:
    """A duplicate follows its master: still MERGED, or CLOSED with the master (close reason
    MASTER) — either way it has a master and is never a unit's own ticket."""
    return ticket.status == Status.MERGED or ticket.master_id is not None


def is_resolved(ticket: TicketRow, last_reached: Mapping[int, CallbackRow]) -> bool:
    """A closed ticket is resolved when the final round's last successful callback says so, or,
    when the citizen could not be reached in that round, when the unit's reply said so."""
    if ticket.status != Status.CLOSED or ticket.close_reason not in UNIT_CLOSE_REASONS:
        return False
    verdict = last_reached.get(ticket.round)
    if verdict is not None:
        return verdict.resolved is True
    return ticket.reply_result == ReplyResult.RESOLVED


def derive(
    ticket: TicketRow,
    assignments: list[AssignmentRow],
    callbacks: list[CallbackRow],
    events: list[EventRow],
    *,
    closure: Callable[[int], tuple[int, ...]],
    day: Callable[[dt.datetime], int],
    working_seconds: Callable[[dt.datetime, dt.datetime], int],
) -> Contribution:
    """The ticket's contribution. `closure(unit_id)` is the unit and its ancestors' ids, `day`
    the local day ordinal of a moment, `working_seconds` the working time between two moments."""
    c = Contribution(
        key=(ticket.category_id or 0, ticket.division_id or "", ticket.channel, ticket.kind)
    )
    created = day(ticket.created_at)
    # Returns and reopens happened whatever became of the ticket afterwards.
    for event in events:
        measure = "returns" if event.action == "return" else "reopens"
        c.add(day(event.at), event.unit_id or 0, **{measure: 1})

    if is_merged(ticket):
        c.add(created, 0, received=1, merged=1)
    elif ticket.status == Status.TRANSFERRED:
        c.add(created, 0, received=1, transferred=1)
    else:
        _handled(c, ticket, assignments, callbacks, created, closure, day, working_seconds)

    for unit in {u for (_d, u) in c.lead if u}:
        c.closures[unit] = closure(unit)
    return c


def _handled(
    c: Contribution,
    ticket: TicketRow,
    assignments: list[AssignmentRow],
    callbacks: list[CallbackRow],
    created: int,
    closure: Callable[[int], tuple[int, ...]],
    day: Callable[[dt.datetime], int],
    working_seconds: Callable[[dt.datetime, dt.datetime], int],
) -> None:
    lead = ticket.lead_unit_id or 0
    c.add(created, lead, received=1)
    if ticket.kind == Kind.CONSULTATION:
        c.add(
            created, lead, consult=1, direct=int(ticket.close_reason == CloseReason.DIRECT_ANSWER)
        )

    # 响应: the current handling cycle's contact deadline, for the current lead unit.
    if ticket.contact_due is not None and ticket.citizen_phone and lead:
        first = _round_lead(assignments, ticket.round)
        ok = bool(
            first is not None
            and first.signed_at is not None
            and first.contacted_at is not None
            and first.contacted_at <= ticket.contact_due
        )
        c.add(day(ticket.contact_due), lead, resp_due=1, resp_ok=int(ok))

    # 按时答复: the current cycle's reply deadline.
    if ticket.reply_due is not None and lead:
        ok = ticket.replied_at is not None and ticket.replied_at <= ticket.reply_due
        c.add(day(ticket.reply_due), lead, reply_due=1, reply_ok=int(ok))

    # 回访: each round's verdict, for that round's lead unit.
    last = _last_reached_by_round(cb for cb in callbacks)
    for rnd, cb in sorted(last.items()):
        round_lead = _round_lead(assignments, rnd)
        c.add(
            day(cb.at),
            round_lead.unit_id if round_lead else 0,
            cb_reached=1,
            cb_resolved=int(cb.resolved is True),
            cb_satisfied=int(cb.satisfaction == Satisfaction.SATISFIED),
            cb_basic=int(cb.satisfaction == Satisfaction.BASICALLY_SATISFIED),
        )

    # 办结 / 解决 / 办理时长 / 参与.
    if (
        ticket.status == Status.CLOSED
        and ticket.close_reason in UNIT_CLOSE_REASONS
        and ticket.closed_at
    ):
        closed = day(ticket.closed_at)
        resolved = is_resolved(ticket, last)
        c.add(closed, lead, closed=1, resolved=int(resolved))
        if ticket.replied_at is not None and ticket.replied_at >= ticket.created_at:
            c.add(
                closed,
                lead,
                handle_n=1,
                handle_secs=working_seconds(ticket.created_at, ticket.replied_at),
            )
        if resolved:
            units: set[int] = set()
            for p in assignments:
                if p.state != Assignment.State.CANCELLED:
                    units.update(closure(p.unit_id))
            if units:
                c.part = (closed, tuple(sorted(units)))


def merge_into(target: dict[Any, Counts], deltas: Mapping[Any, Counts], sign: int) -> None:
    for key, counts in deltas.items():
        cell = target.setdefault(key, {})
        for name, n in counts.items():
            cell[name] = cell.get(name, 0) + sign * n
