"""A paginator for long lists that never counts a huge result exactly.

Django's Paginator counts every result for "共 N 件" and the last page: with a million tickets
that COUNT alone costs about 100 ms per page (docs/benchmarks/pages.md), on top of the page's
own query. `capped_page` instead takes the ids of the first `cap + 1` results in the list's
order, in one query: their number is the count (exact up to the cap, else shown as "more than
cap"), and the page's rows are then read by id. The expensive part of a search (a unit's
scope, a word filter, the sort) thus runs once per request, not twice. Pages beyond the cap
are read with OFFSET, with previous/next links but no last page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import QuerySet

from minsheng.lib.numbers import is_plain_integer

DEFAULT_CAP = 1000


@dataclass(frozen=True)
class CappedPage:
    object_list: list[Any]
    number: int
    per_page: int
    count: int  # exact when not `capped`; otherwise the cap (there are more)
    capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages, or None when the total is only known to exceed the cap."""
        if self.capped:
            return None
        return _pages(self.count, self.per_page)


def _pages(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


# Far beyond any list's last page; larger numbers would overflow the database's OFFSET (a 500
# on SQLite) and are no page anyone asked for.
MAX_PAGE = 1_000_000


def page_number(raw: object) -> int:
    """A page number from a query string: 1 when missing or not a plain number, at most
    MAX_PAGE."""
    text = str(raw).strip()
    if not is_plain_integer(text) or len(text) > 9:  # `١٢` or `1_0` is no page number either
        return 1
    return min(MAX_PAGE, max(1, int(text)))


def _by_ids(queryset: QuerySet[Any], ids: list[Any]) -> list[Any]:
    """The rows of `ids` (taken from `queryset`, so within its scope and filters) in that
    order, with the same related rows joined. Not `queryset.filter(pk__in=ids)`: its filters
    would run again, and PostgreSQL evaluates a unit's whole scope before joining 50 ids."""
    if not ids:
        return []
    rows = queryset.model._default_manager.filter(pk__in=ids)
    rows.query.select_related = queryset.query.select_related
    position = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.pk])


def _first_ids(queryset: QuerySet[Any], limit: int | None) -> list[Any]:
    return list(queryset.values_list("pk", flat=True)[:limit])


def _from_ids(
    queryset: QuerySet[Any], ids: list[Any], number: int, per_page: int, cap: int
) -> CappedPage:
    count = len(ids)
    if count <= cap:
        # A page past the end of a countable result shows its last page.
        number = min(number, _pages(count, per_page))
    offset = (number - 1) * per_page
    rows = _by_ids(queryset, ids[offset : offset + per_page])
    return CappedPage(
        rows,
        number,
        per_page,
        min(count, cap),
        capped=count > cap,
        has_next=count > offset + per_page,
    )


def capped_page(
    queryset: QuerySet[Any],
    per_page: int,
    raw_number: object,
    cap: int | None = DEFAULT_CAP,
    first_ids: Callable[[int | None], list[Any]] | None = None,
) -> CappedPage:
    """Page `raw_number` (1 when missing or invalid) of an ordered queryset.

    Within the first `cap` results: two queries (the ids, then the page's rows; one when
    nothing is found). Beyond them: one (OFFSET), plus the ids when that page is empty.
    `first_ids(n)`, when given, returns the ids of the queryset's first n results (all with
    None) by a faster road than `values_list` (the word search's windows, for instance).
    """
    if first_ids is None:
        first_ids = partial(_first_ids, queryset)
    number = page_number(raw_number)
    offset = (number - 1) * per_page
    if cap is None:
        # Every id: for lists known to be small (a unit's scope), where a LIMIT would lead
        # PostgreSQL to walk all tickets newest-first probing each (docs/benchmarks/pages.md).
        ids = first_ids(None)
        return _from_ids(queryset, ids, number, per_page, len(ids))
    if offset < cap:
        # cap + 1 ids tell whether there are more than cap; a page reaching past the cap
        # needs one id past its end to know whether a next page exists.
        ids = first_ids(max(cap, offset + per_page) + 1)
        return _from_ids(queryset, ids, number, per_page, cap)
    page = list(queryset[offset : offset + per_page + 1])
    rows, has_next = page[:per_page], len(page) > per_page
    if rows and not has_next:
        # The last page: the total is what came before it plus what is on it.
        return CappedPage(rows, number, per_page, offset + len(rows), capped=False, has_next=False)
    if rows:
        return CappedPage(rows, number, per_page, cap, capped=True, has_next=True)
    ids = first_ids(cap + 1)
    if len(ids) > cap:
        return CappedPage([], number, per_page, cap, capped=True, has_next=False)
    return _from_ids(queryset, ids, number, per_page, cap)
