"""Read queries compiled to SQL once per process.

Django compiles a queryset to SQL each time it is evaluated: for a lookup that runs on every
API request (the Open311 key and its service account), compiling the SELECT cost more of the
process's CPU than the database spent answering it (docs/benchmarks/open311.md). A
`CompiledQuery` builds its queryset once per database vendor, with marker strings where the
arguments go, keeps the compiler with its SQL and parameters, and on each call executes that SQL
with the arguments in the markers' places. The rows still pass through the compiler's
converters (SQLite's dates and booleans), so they equal what the queryset would have returned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


def _marker(index: int) -> str:
    # A string no caller's value can equal: NUL is not allowed in PostgreSQL text.
    return f"\x00compiled-argument-{index}\x00"


class CompiledQuery:
    """`build(*markers)` returns the queryset (a `values_list`); `rows(*args)` its rows for
    those arguments. Every argument must reach the SQL as one parameter of its own, unchanged
    (an equality filter on a text column): anything else is refused when compiling."""

    def __init__(self, build: Callable[..., QuerySet[Any]], arity: int) -> None:
        self._build = build
        self._arity = arity
        self._compiled: dict[str, tuple[SQLCompiler, str, tuple[Any, ...], list[int]]] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> tuple[SQLCompiler, str, tuple[Any, ...], list[int]]:
        vendor = connections[using].vendor
        compiled = self._compiled.get(vendor)
        if compiled is not None:
            return compiled
        with self._lock:
            markers = [_marker(i) for i in range(self._arity)]
            queryset = self._build(*markers)
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = []
            for marker in markers:
                found = [i for i, value in enumerate(params) if value == marker]
                if len(found) != 1:
                    raise ValueError(f"argument {marker!r} is not one parameter of the SQL")
                slots.append(found[0])
            compiled = (compiler, sql, tuple(params), slots)
            self._compiled[vendor] = compiled
            return compiled

    def rows(self, *args: Any, using: str = "default") -> list[tuple[Any, ...]]:
        if len(args) != self._arity:
            raise TypeError(f"expected {self._arity} arguments, got {len(args)}")
        compiler, sql, template, slots = self._compile(using)
        params = list(template)
        for slot, value in zip(slots, args, strict=True):
            params[slot] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return [tuple(row) for row in compiler.results_iter(results=[fetched])]
