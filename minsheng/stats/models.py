"""Rollups of the ticket figures, maintained incrementally by the worker (minsheng.stats.rollup).

Three kinds of rows, none of which is ever written by anything but `rollup`:

- `TicketContribution` — one per ticket: exactly what the ticket added to the rollups the last
  time it was derived. Refreshing a ticket subtracts it and adds the new one, so a repeat is a
  no-op and a unit moved in the tree meanwhile cannot skew the subtraction.
- `Cell` — the fine cube, by day × attributed unit × category × division × channel × kind.
  Answers every filtered figure. Unit ids are the *attributed* unit (see measures.py), so a
  subtree's figures are the sum over its units' ids; `part` rows are already per ancestor.
- `UnitDay` — the coarse cube, by day × unit with every measure rolled up to each ancestor
  (unit 0 = everything). Answers the rankings, trends and headlines that filter only by unit
  and period, with a handful of index lookups whatever the number of tickets.

Ids are plain integers (0 = none) rather than foreign keys: rollups are rebuilt from tickets,
never the other way round, and a unique key with NULLs would not be unique.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measures(models.Model):
    received = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    transferred = models.IntegerField(default=0)
    consult = models.IntegerField(default=0)
    direct = models.IntegerField(default=0)
    resp_due = models.IntegerField(default=0)
    resp_ok = models.IntegerField(default=0)
    reply_due = models.IntegerField(default=0)
    reply_ok = models.IntegerField(default=0)
    cb_reached = models.IntegerField(default=0)
    cb_resolved = models.IntegerField(default=0)
    cb_satisfied = models.IntegerField(default=0)
    cb_basic = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    handle_n = models.IntegerField(default=0)
    handle_secs = models.BigIntegerField(default=0)
    returns = models.IntegerField(default=0)
    reopens = models.IntegerField(default=0)
    part = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Cell(Measures):
    day = models.DateField()
    unit_id = models.BigIntegerField(default=0)
    category_id = models.BigIntegerField(default=0)
    division = models.CharField(max_length=12, blank=True, default="")
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("统计明细")
        verbose_name_plural = _("统计明细")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["day", "unit_id", "category_id", "division", "channel", "kind"],
                name="stats_cell_key",
            )
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["unit_id", "day"], name="stats_cell_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} u{self.unit_id} c{self.category_id} {self.division}"


class UnitDay(Measures):
    unit_id = models.BigIntegerField(default=0)
    day = models.DateField()

    class Meta:
        verbose_name = _("单位日统计")
        verbose_name_plural = _("单位日统计")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["unit_id", "day"], name="stats_unitday_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} u{self.unit_id}"


class TicketContribution(models.Model):
    ticket_id = models.BigIntegerField(primary_key=True)
    data = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)  # the ticket's version when derived

    class Meta:
        verbose_name = _("工单统计贡献")
        verbose_name_plural = _("工单统计贡献")

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} v{self.version}"


class RollupState(models.Model):
    """The refresh watermark: tickets changed after (cursor_at, cursor_id) are still to do."""

    name = models.CharField(max_length=32, primary_key=True)
    cursor_at = models.DateTimeField(null=True, blank=True)
    cursor_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    tickets_done = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("统计刷新进度")
        verbose_name_plural = _("统计刷新进度")

    def __str__(self) -> str:
        return f"{self.name} @ {self.cursor_at} #{self.cursor_id}"
