"""Rates from counts: the formulas of docs/metrics.md, in one place.

A `Figures` holds the additive counts of one scope and period (measures.py) and derives every
rate from them; the pages, the exports and `manage.py rates` all print these properties, so they
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from minsheng.stats.measures import NAMES


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """A rate in percent with one decimal (half up), or None when nothing was counted."""
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


def weights() -> tuple[int, int, int]:
    return tuple(settings.MINSHENG_STATS_WEIGHTS)  # type: ignore[return-value]


@dataclass
class Figures:
    counts: dict[str, int] = field(default_factory=dict)
    # The resolved tickets the participation share is a share of (the enclosing scope's).
    part_base: int = 0

    @classmethod
    def of(cls, row: Mapping[str, int | None], part_base: int | None = None) -> Figures:
        counts = {n: int(row.get(n) or 0) for n in NAMES}
        return cls(counts, part_base if part_base is not None else counts["part"])

    def __getitem__(self, name: str) -> int:
        # Only the counts: templates try item lookup before attributes, so `figures.composite`
        # must miss here to reach the property.
        if name not in NAMES:
            raise KeyError(name)
        return self.counts.get(name, 0)

    def __add__(self, other: Figures) -> Figures:
        counts = {n: self[n] + other[n] for n in NAMES}
        return Figures(counts, self.part_base)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    # --- the three rates and the composite ---------------------------------------------------

    @property
    def response_rate(self) -> Decimal | None:
        return ratio(self["resp_ok"], self["resp_due"])

    @property
    def resolution_rate(self) -> Decimal | None:
        return ratio(self["cb_resolved"], self["cb_reached"])

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return ratio(self["cb_satisfied"] + self["cb_basic"], self["cb_reached"])

    @property
    def composite(self) -> Decimal | None:
        """Weighted mean of the three rates; a rate with nothing counted is left out and the
        other weights are scaled up, so a unit is not marked down for having no callbacks."""
        pairs = [
            (w, r)
            for w, r in zip(
                weights(),
                (self.response_rate, self.resolution_rate, self.satisfaction_rate),
                strict=True,
            )
            if r is not None and w
        ]
        total = sum(w for w, _ in pairs)
        if not total:
            return None
        score = sum((Decimal(w) * Decimal(r) for w, r in pairs), Decimal(0)) / total
        return score.quantize(Decimal("0.1"), ROUND_HALF_UP)

    # --- the others --------------------------------------------------------------------------

    @property
    def reply_rate(self) -> Decimal | None:
        return ratio(self["reply_ok"], self["reply_due"])

    @property
    def direct_rate(self) -> Decimal | None:
        return ratio(self["direct"], self["consult"])

    @property
    def share(self) -> Decimal | None:
        return ratio(self["part"], self.part_base)

    @property
    def avg_handling_hours(self) -> Decimal | None:
        if not self["handle_n"]:
            return None
        hours = Decimal(self["handle_secs"]) / 3600 / self["handle_n"]
        return hours.quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def resp_late(self) -> int:
        return self["resp_due"] - self["resp_ok"]

    @property
    def reply_late(self) -> int:
        return self["reply_due"] - self["reply_ok"]

    @property
    def cb_unsatisfied(self) -> int:
        return self["cb_reached"] - self["cb_satisfied"] - self["cb_basic"]


def change(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """Year-on-year (or period-on-period) change in percent of a count, None if not defined."""
    if now is None or before is None or not before:
        return None
    return (Decimal(100) * (Decimal(now) - Decimal(before)) / Decimal(before)).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


def points(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """Change of a rate in percentage points."""
    if now is None or before is None:
        return None
    return now - before
