"""Per-process snapshots of small tables that change rarely (deadline policies, the category
tree, the Open311 service catalogue), so that a hot path such as ticket intake reads them
without a round trip to the database.

A snapshot is rebuilt when it is older than `MAX_AGE` seconds, so every process sees an edit
made elsewhere (another gunicorn worker, the admin) within that time. The process that makes the
edit sees it at once: the models' save and delete signals call `changed()`. Bulk writes send no
signals; they are seen within `MAX_AGE` seconds everywhere.

`changed()` also keeps the snapshot honest about uncommitted edits: until the edit's transaction
commits (or `MAX_AGE` has passed, in case it rolled back) the snapshot is read afresh on every
call and not kept, because what this transaction sees might never become true.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import transaction

T = TypeVar("T")

MAX_AGE = 30.0

_every: list[Snapshot[Any]] = []


def forget_all() -> None:
    """Drop every snapshot: for tests, whose rolled-back rows (or bulk writes, which send no
    signals) must not live on in the next test's snapshot."""
    for snapshot in _every:
        snapshot.forget()


class Snapshot(Generic[T]):
    def __init__(self, load: Callable[[], T], max_age: float = MAX_AGE) -> None:
        self._load = load
        self._max_age = max_age
        self._lock = threading.Lock()
        self._value: tuple[float, T] | None = None
        self._unsettled_until = 0.0
        _every.append(self)

    def forget(self) -> None:
        with self._lock:
            self._value = None
            self._unsettled_until = 0.0

    def get(self) -> T:
        now = time.monotonic()
        with self._lock:
            value, unsettled = self._value, now < self._unsettled_until
        if value is not None and not unsettled and now - value[0] < self._max_age:
            return value[1]
        fresh = self._load()
        if not unsettled:
            with self._lock:
                self._value = (now, fresh)
        return fresh

    def changed(self) -> None:
        """A row behind the snapshot was saved or deleted in this process."""
        with self._lock:
            self._value = None
            self._unsettled_until = time.monotonic() + self._max_age
        transaction.on_commit(self._settled)

    def _settled(self) -> None:
        self.forget()
