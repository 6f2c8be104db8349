"""The deadline policy: defaults from product.md, overridden by DeadlinePolicy rows.

Defaults (every number editable in the admin):

| applies to     | dispatch | sign  | contact citizen | reply           | callback        |
|----------------|----------|-------|-----------------|-----------------|-----------------|
| emergency      | 1 h      | 0.5 h | 1 h             | 2 h             | 1 working day   |
| utilities      | 2 h      | 1 h   | 2 h             | 24 h            | 1 working day   |
| general        | 24 h     | 4 wh  | 24 h            | 7 working days  | 2 working days  |
| complex        | 24 h     | 4 wh  | 24 h            | 15 working days | 2 working days  |
| consultation   | 24 h     | 4 wh  | —               | 1 working day   | 2 working days  |

(h = natural hours, wh = working hours.) Sign, contact and reply run from the dispatch; the
callback from the reply; the dispatch from the intake. product.md gives dispatch, contact and
reply; the sign and callback defaults are ours: a unit signs within half a working day, and the
hotline calls back within two working days of the reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minsheng.deadlines.models import DeadlinePolicy, TimeUnit
from minsheng.lib.snapshot import Snapshot
from minsheng.tickets.models import Category


@dataclass(frozen=True)
class Span:
    amount: Decimal
    unit: str  # a TimeUnit value


@dataclass(frozen=True)
class Policy:
    dispatch: Span
    sign: Span
    contact: Span | None
    reply: Span
    callback: Span
    pause_allowed: bool = True


H, WH, WD = TimeUnit.HOURS, TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS


def _s(amount: str | int, unit: str) -> Span:
    return Span(Decimal(amount), unit)


DEFAULTS: dict[str, Policy] = {
    "emergency": Policy(_s(1, H), _s("0.5", H), _s(1, H), _s(2, H), _s(1, WD)),
    "utilities": Policy(_s(2, H), _s(1, H), _s(2, H), _s(24, H), _s(1, WD)),
    "general": Policy(_s(24, H), _s(4, WH), _s(24, H), _s(7, WD), _s(2, WD)),
    "complex": Policy(_s(24, H), _s(4, WH), _s(24, H), _s(15, WD), _s(2, WD)),
    "consultation": Policy(_s(24, H), _s(4, WH), None, _s(1, WD), _s(2, WD), pause_allowed=False),
}


def _from_row(row: DeadlinePolicy) -> Policy:
    contact = (
        Span(row.contact_amount, row.contact_unit)
        if row.contact_amount is not None and row.contact_unit
        else None
    )
    return Policy(
        dispatch=Span(row.dispatch_amount, row.dispatch_unit),
        sign=Span(row.sign_amount, row.sign_unit),
        contact=contact,
        reply=Span(row.reply_amount, row.reply_unit),
        callback=Span(row.callback_amount, row.callback_unit),
        pause_allowed=row.pause_allowed,
    )


def applies_to(*, kind: str, urgency: str) -> str:
    """Consultations not answered on the spot have their own (short) policy unless urgent."""
    if kind == "consultation" and urgency == "general":
        return "consultation"
    return urgency


Table = dict[str, dict[int | None, Policy]]


def _load_policies() -> Table:
    table: Table = {}
    for row in DeadlinePolicy.objects.all():
        table.setdefault(row.applies_to, {})[row.category_id] = _from_row(row)
    return table


def _load_parents() -> dict[int, int | None]:
    return dict(Category.objects.order_by().values_list("id", "parent_id"))


# Read on every intake and every dispatch: kept per process (minsheng/lib/snapshot.py), so an
# intake costs no query for its deadlines; an edit is seen at once here, elsewhere within
# snapshot.MAX_AGE seconds.
_policies: Snapshot[Table] = Snapshot(_load_policies)
_parents: Snapshot[dict[int, int | None]] = Snapshot(_load_parents)


def policies_changed(**kwargs: Any) -> None:
    """Receiver of DeadlinePolicy saves and deletes (DeadlinesConfig.ready)."""
    _policies.changed()


def categories_changed(**kwargs: Any) -> None:
    """Receiver of Category saves and deletes (DeadlinesConfig.ready)."""
    _parents.changed()


def category_chain(category: Category) -> list[int]:
    """The ids of `category` and its ancestors, leaf first, from the per-process tree; a
    category this process does not know yet (just created elsewhere) is walked in the database."""
    parents = _parents.get()
    chain = [category.pk]
    parent_id = category.parent_id
    while parent_id is not None:
        if parent_id not in parents or parent_id in chain:
            return [c.pk for c in category.ancestors_and_self()]
        chain.append(parent_id)
        parent_id = parents[parent_id]
    return chain


def policy_for(*, kind: str, urgency: str, category_ids: list[int]) -> Policy:
    """The most specific policy: the nearest category in `category_ids` (leaf first), then the
    row without a category, then the built-in default."""
    key = applies_to(kind=kind, urgency=urgency)
    rows = _policies.get().get(key, {})
    for category_id in [*category_ids, None]:
        if category_id in rows:
            return rows[category_id]
    return DEFAULTS[key]
