"""capped_page: exact counts up to the cap, "more than" beyond it, and the right rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.lib.pagination import capped_page
from minsheng.org.models import Unit
from tests.conftest import Org


@pytest.fixture
def units(org: Org) -> list[str]:
    for i in range(6):
        Unit.objects.create(code=f"u{i}", name=f"单位{i}", kind=Unit.Kind.STATION)
    return list(Unit.objects.order_by("-code").values_list("code", flat=True))  # 10 units


def codes(page: object) -> list[str]:
    return [u.code for u in page.object_list]  # type: ignore[attr-defined]


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_every_page_has_the_rows_of_a_plain_slice(units: list[str], number: int) -> None:
    for cap in (3, 7, 100):
        page = capped_page(Unit.objects.order_by("-code"), 3, str(number), cap=cap)
        assert codes(page) == units[(page.number - 1) * 3 : page.number * 3], (number, cap)
        assert page.has_next == (page.number * 3 < 10)
        assert page.has_previous == (page.number > 1)


def test_counts_and_pages(units: list[str]) -> None:
    exact = capped_page(Unit.objects.order_by("-code"), 3, 1, cap=10)
    assert (exact.count, exact.capped, exact.num_pages) == (10, False, 4)
    more = capped_page(Unit.objects.order_by("-code"), 3, 1, cap=9)
    assert (more.count, more.capped, more.num_pages) == (9, True, None)
    last = capped_page(Unit.objects.order_by("-code"), 3, 4, cap=5)
    assert (last.count, last.capped, codes(last)) == (10, False, units[9:])
    beyond = capped_page(Unit.objects.order_by("-code"), 3, 9, cap=100)
    assert (beyond.number, codes(beyond)) == (4, units[9:])  # past the end: the last page
    unknown = capped_page(Unit.objects.order_by("-code"), 3, 9, cap=5)
    assert (unknown.object_list, unknown.capped, unknown.has_previous) == ([], True, True)
    for raw in (None, "", "banana", "-3", "0"):
        assert capped_page(Unit.objects.order_by("-code"), 3, raw).number == 1


def test_two_queries_whatever_the_size(units: list[str]) -> None:
    for cap in (3, 100):
        with CaptureQueriesContext(connection) as ctx:
            capped_page(Unit.objects.select_related("parent").order_by("-code"), 3, 1, cap=cap)
        assert len(ctx) == 2
    with CaptureQueriesContext(connection) as ctx:
        capped_page(Unit.objects.filter(code="none"), 3, 1)
    assert len(ctx) == 1
