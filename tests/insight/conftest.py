"""Fixtures of the insight tests: the real 台前县 divisions, and tickets made by the services."""

from __future__ import annotations

import pytest

from minsheng.insight.index import index_ticket
from minsheng.org.demo import DIVISIONS_DIR
from minsheng.org.divisions_import import import_divisions
from minsheng.org.models import Division
from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import new_ticket

SUNKOU = "410927102000"
SUNKOU_VILLAGE = "410927102201"  # 孙口村委会
HOUMIAO = "410927101000"


@pytest.fixture
def county(db: None) -> dict[str, Division]:
    """台前县 from the division files the demo ships (9 townships, 377 villages)."""
    import_divisions([DIVISIONS_DIR])
    return {d.code: d for d in Division.objects.filter(code__in=[SUNKOU, SUNKOU_VILLAGE, HOUMIAO])}


def indexed_ticket(people: People, **fields: object) -> Ticket:
    """A ticket taken at the desk and filed in the duplicate index, as intake will do."""
    ticket = new_ticket(people, **fields)
    index_ticket(ticket)
    return ticket
