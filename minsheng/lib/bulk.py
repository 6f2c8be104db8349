"""Set-based writes of many rows from plain tuples.

Django's `bulk_create` builds a model instance per row and prepares every value of it field by
field; for the worker's sweep (thousands of alarms, events and messages per pass) that Python
work cost more than the INSERTs themselves (docs/benchmarks/sweep.md). On PostgreSQL,
`insert_rows` sends each column as one array literal and inserts `SELECT … FROM unnest(…)`: a
short statement of fixed shape, whatever the number of rows. Elsewhere (SQLite) it falls back to
`bulk_create`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone


def array_literal(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal ('{1,2,"a b"}') of ints, strings and dates. Django's client-side
    binding quotes a Python list element by element, which cost more than the upsert itself;
    one string is quoted once."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, int) and not isinstance(value, bool):
            items.append(str(value))
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            items.append(f'"{text}"')
    return "{" + ",".join(items) + "}"


def int_array_literal(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _pg_text(field: models.Field[Any, Any], value: Any) -> Any:
    """One value as the array literal carries it (None stays NULL)."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), cls=field.encoder)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _db_type(field: models.Field[Any, Any]) -> str:
    # A foreign key's db_type is its target's column type (bigint for our ids).
    return str(field.db_type(connection))


def _stamped(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """INSERT `rows` (tuples in the order of `fields`, attribute names such as `ticket_id`) into
    `model`'s table; the model's other concrete fields take their defaults. Returns the number
    of rows sent (with `ignore_conflicts`, some may have been skipped).

    Like `bulk_create`, it calls no `save()` and sends no signals; `auto_now`/`auto_now_add`
    fields take the time of the call and may not be given. A field that is neither given nor
    has a default is a bug at the call site.
    """
    rows = list(rows)
    if not rows:
        return 0
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    missing = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in fields and not isinstance(f, AutoFieldMixin)
    ]
    stamped = [f for f in given if _stamped(f)]
    if stamped:
        raise ValueError(f"{model.__name__}.{stamped[0].attname} is set on insert, not given")
    now = timezone.now()
    defaults = tuple(now if _stamped(f) else f.get_default() for f in missing)
    for f, value in zip(missing, defaults, strict=True):
        if value is None and not f.null:
            raise ValueError(f"{model.__name__}.{f.attname} needs a value")
    columns = given + missing
    if connection.vendor != "postgresql":
        attnames = [f.attname for f in columns]
        model._default_manager.bulk_create(
            [model(**dict(zip(attnames, (*row, *defaults), strict=True))) for row in rows],
            ignore_conflicts=ignore_conflicts,
        )
        return len(rows)
    arrays: list[str] = []
    casts: list[str] = []
    for index, f in enumerate(given):
        db_type = _db_type(f)
        values = [row[index] for row in rows]
        if db_type in ("bigint", "integer", "smallint"):
            arrays.append(
                int_array_literal(values) if None not in values else array_literal(values)
            )
        else:
            arrays.append(array_literal(_pg_text(f, v) for v in values))
        casts.append(f"%s::{db_type}[]")
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in columns)
    select = ", ".join(f"v.c{i}" for i in range(len(given)))
    if missing:
        select += ", " + ", ".join(f"%s::{_db_type(f)}" for f in missing)
    aliases = ", ".join(f"c{i}" for i in range(len(given)))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) "  # noqa: S608 (model metadata)
        f"SELECT {select} FROM unnest({', '.join(casts)}) AS v({aliases})"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    # Parameters in textual order: the defaults (in the SELECT list) before the arrays.
    params: list[Any] = [
        *(
            f.get_db_prep_save(value, connection)
            for f, value in zip(missing, defaults, strict=True)
        ),
        *arrays,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(rows)


def insert_unless_exists(obj: models.Model) -> bool:
    """INSERT `obj` unless a unique constraint already holds its twin: True (and `obj.pk` set)
    when the row was written, False when it existed. Does not break the caller's transaction.

    One statement, `INSERT … ON CONFLICT DO NOTHING RETURNING pk` (PostgreSQL, and SQLite since
    3.35), where `save()` in a savepoint to catch the IntegrityError costs three round trips.
    Values are prepared as `save()` prepares them (`pre_save`, then `get_db_prep_save`); like
    `bulk_create`, no signals are sent.
    """
    return _insert(obj, "ON CONFLICT DO NOTHING ")


def insert_one(obj: models.Model) -> None:
    """INSERT the new `obj` and set its pk: what `obj.save(force_insert=True)` does, for models
    that no signal receiver watches, without Django's SQL compiler (the statement is a string
    of the model's columns). The intake's rows (ticket, timeline event, Open311 record) go in
    this way, because Django's compiler was a measurable share of an Open311 POST's CPU
    (docs/benchmarks/open311.md)."""
    _insert(obj, "")


def _insert(obj: models.Model, conflict: str) -> bool:
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 (model metadata)
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"{conflict}RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True
