"""The rollups' PostgreSQL writes pass whole columns as array literals (rollup.array_literal):
whatever the values, PostgreSQL must read back exactly what was meant."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from minsheng.stats.rollup import array_literal, int_array_literal

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="array literals are PostgreSQL's"
)


def _read_back(literal: str, pg_type: str) -> list[object]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{pg_type}[]", [literal])
        return list(cursor.fetchone()[0])


@pytest.mark.django_db
def test_awkward_strings_survive_the_round_trip() -> None:
    values = ['a "quoted" word', "back\\slash", "{braces},commas", "", "NULL", " 空格 ", None]
    assert _read_back(array_literal(values), "text") == values


@pytest.mark.django_db
def test_json_texts_read_back_as_the_same_documents() -> None:
    docs = ['{"k":[1,"410927102201","hotline","complaint"],"p":null}', '{"a":"\\\\\\""}']
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::jsonb[])::text", [array_literal(docs)])
        read = [row[0] for row in cursor.fetchall()]
    assert read == [
        '{"k": [1, "410927102201", "hotline", "complaint"], "p": null}',
        '{"a": "\\\\\\""}',
    ]


@pytest.mark.django_db
def test_dates_and_integers() -> None:
    days = [dt.date(2026, 1, 1), dt.date(2025, 12, 31)]
    assert _read_back(array_literal(days), "date") == days
    numbers = [0, -3, 2**40]
    assert _read_back(int_array_literal(numbers), "bigint") == numbers
