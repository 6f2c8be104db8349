"""专项行动: who may see and do what, and the campaigns' progress (permission-aware reads).

Who: the hotline's leaders, supervisors and administrators see every campaign; a unit's handlers
and leaders see the campaigns whose lead unit or a participating unit is their unit, one of its
ancestors (a team of the 执法大队 sees the 执法大队's campaigns) or one of its sub-units.
Members of the lead unit itself manage the campaign (indicators) and may enter for any
participating unit; members of a participating unit (or of a unit below it: a 中队 of the
执法大队) inspect and enter for that unit — the closest participating unit above them;
administrators do everything. Campaigns are created by the lead unit's leader (or an administrator).

Progress, defined once here:
- a **rate** indicator's current value is the latest inspection round: the inspections of the
  most recent day that has any, passing points over checked points of that day (Σn / ΣN, in
  percent to one decimal, exact); its trend is the same ratio per day. A day is the round
  because the teams inspect a sample of points in one go; a rolling window would mix a bad
  week into a good one. Its progress is how far the value has gone from the baseline to the
  target (0–100%).
- a **count** indicator's value is the sum of its entries; progress is total / target (shown up
  to 100%, the figure itself may exceed the target); its trend is the running total per day, and
  it is broken down by unit and by village. These sums are read from `EntryTally` (by day, by
  unit, by village), which `entry_add` keeps in the entry's transaction: the dashboard reads a
  few hundred rows whatever the number of entries.
Tickets tagged to a campaign (`CampaignTicket`, the citizens' demands it answers) are counted by
state — open, answered (replied or closed) — and the latest listed; a ticket may be tagged when it
was filed in the campaign's township (any, for a county-wide campaign) and by whoever may inspect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from minsheng.governance.models import (
    Campaign,
    CampaignTicket,
    Entry,
    EntryTally,
    Indicator,
    IndicatorKind,
    Inspection,
    TallyBy,
)
from minsheng.org.models import Division, Role, Unit, User
from minsheng.tickets.models import Status, Ticket

SEE_ALL_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)
UNIT_ROLES = (Role.HANDLER, Role.UNIT_LEADER)
HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")


# --- who -----------------------------------------------------------------------------------


def _is_admin(user: User) -> bool:
    return user.is_active and user.has_role(Role.ADMINISTRATOR)


def _unit_path(user: User) -> str:
    if not user.is_active or not user.has_role(*UNIT_ROLES) or user.unit is None:
        return ""
    return user.unit.path


def campaigns_for(user: User) -> QuerySet[Campaign]:
    """The campaigns the user sees (module docstring)."""
    base = Campaign.objects.all()
    if user.is_active and user.has_role(*SEE_ALL_ROLES):
        return base
    path = _unit_path(user)
    if not path:
        return base.none()
    parts = [p for p in path.split("/") if p]
    ancestors = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    q = (
        Q(lead_unit__path__in=ancestors)
        | Q(lead_unit__path__startswith=path)
        | Q(units__path__in=ancestors)
        | Q(units__path__startswith=path)
    )
    ids = base.filter(q).values("pk")
    return base.filter(pk__in=ids)


def _lead_member(user: User, lead_unit: Unit) -> bool:
    """The user works in the lead unit itself (not in a station or team below it: those take
    part as participating units)."""
    return bool(_unit_path(user)) and user.unit_id == lead_unit.pk


def can_create_campaign(user: User, lead_unit: Unit) -> bool:
    return _is_admin(user) or (user.has_role(Role.UNIT_LEADER) and _lead_member(user, lead_unit))


def may_manage(user: User, campaign: Campaign) -> bool:
    return _is_admin(user) or _lead_member(user, campaign.lead_unit)


def participating_units(campaign: Campaign) -> list[Unit]:
    return list(campaign.units.order_by("path"))


def own_unit(user: User, units: list[Unit]) -> Unit | None:
    """The participating unit the user works for: the closest one at or above the user's unit
    (a 中队's member works for the 执法大队 when the 执法大队 takes part)."""
    path = _unit_path(user)
    found = [u for u in units if path and path.startswith(u.path)]
    return max(found, key=lambda u: len(u.path)) if found else None


def can_inspect(user: User, campaign: Campaign) -> bool:
    return may_manage(user, campaign) or own_unit(user, participating_units(campaign)) is not None


def can_enter_for(user: User, campaign: Campaign, unit: Unit) -> bool:
    if may_manage(user, campaign):
        return True
    mine = own_unit(user, participating_units(campaign))
    return mine is not None and mine.pk == unit.pk


def units_for_entry(user: User, campaign: Campaign, units: list[Unit]) -> list[Unit]:
    """The participating units the user may enter for (the form's choices)."""
    if may_manage(user, campaign):
        return units
    mine = own_unit(user, units)
    return [mine] if mine is not None else []


# --- progress ------------------------------------------------------------------------------


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    """part / whole in percent to one decimal (exact, half up)."""
    if not whole:
        return Decimal(0)
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass
class Share:
    label: str
    total: int


@dataclass
class Progress:
    indicator: Indicator
    value: Decimal | None = None  # the rate now (percent), or the count's total
    round_day: dt.date | None = None  # rate: the day of the latest round
    round_checked: int = 0
    round_passing: int = 0
    trend: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    by_unit: list[Share] = field(default_factory=list)
    by_village: list[Share] = field(default_factory=list)

    @property
    def is_rate(self) -> bool:
        return self.indicator.kind == IndicatorKind.RATE

    @property
    def done(self) -> Decimal:
        """How far along, 0–100 (percent of the way from baseline to target)."""
        target = self.indicator.target
        if self.value is None:
            return Decimal(0)
        if self.is_rate:
            baseline = self.indicator.baseline or Decimal(0)
            span = target - baseline
            share = percent(self.value - baseline, span) if span > 0 else HUNDRED
        else:
            share = percent(self.value, target)
        return max(Decimal(0), min(HUNDRED, share))

    @property
    def bar_width(self) -> str:
        """The progress bar's width in percent, as CSS wants it (no localised comma)."""
        return str(int(self.done))

    @property
    def reached(self) -> bool:
        return self.value is not None and self.value >= self.indicator.target

    @property
    def display_value(self) -> str:
        if self.value is None:
            return "—"
        if self.is_rate:
            return f"{self.value}%"
        return str(int(self.value))

    @property
    def display_target(self) -> str:
        target = self.indicator.target
        if self.is_rate:
            return f"{target.normalize():f}%"
        return str(int(target))

    @property
    def display_baseline(self) -> str:
        baseline = self.indicator.baseline
        return "" if baseline is None else f"{baseline.normalize():f}%"


def campaign_progress(campaign: Campaign) -> list[Progress]:
    """Every indicator's progress: five queries whatever the number of indicators, entries and
    inspections (indicators; rate rounds per day; the count indicators' tallies, kept by
    `entry_add`; the units' and villages' names)."""
    indicators = list(campaign.indicators.all())
    progress = {i.pk: Progress(indicator=i) for i in indicators}
    rate_ids = [i.pk for i in indicators if i.kind == IndicatorKind.RATE]
    count_ids = [i.pk for i in indicators if i.kind == IndicatorKind.COUNT]
    if rate_ids:
        rounds = (
            Inspection.objects.filter(indicator_id__in=rate_ids)
            .values_list("indicator_id", "day")
            .annotate(n=Sum("passing"), total=Sum("checked"))
            .order_by("indicator_id", "day")
        )
        for indicator_id, day, n, total in rounds:
            each = progress[indicator_id]
            value = percent(n, total)
            each.trend.append((day, value))
            each.value, each.round_day = value, day
            each.round_passing, each.round_checked = int(n), int(total)
    if count_ids:
        tallies = list(
            EntryTally.objects.filter(indicator_id__in=count_ids)
            .order_by("indicator_id", "by", "key")
            .values_list("indicator_id", "by", "key", "total")
        )
        for c in count_ids:
            progress[c].value = Decimal(0)
        unit_ids = {int(k) for _i, by, k, _t in tallies if by == TallyBy.UNIT}
        codes = {k for _i, by, k, _t in tallies if by == TallyBy.VILLAGE and k}
        unit_names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
        village_names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
        for indicator_id, by, key, total in tallies:
            each = progress[indicator_id]
            if by == TallyBy.DAY:  # ISO days sort as the days do
                running = (each.value or Decimal(0)) + Decimal(total)
                each.value = running
                each.trend.append((dt.date.fromisoformat(key), running))
            elif by == TallyBy.UNIT:
                each.by_unit.append(Share(unit_names.get(int(key), ""), int(total)))
            elif by == TallyBy.VILLAGE:
                each.by_village.append(Share(village_names.get(key, ""), int(total)))
        for each in progress.values():
            each.by_unit.sort(key=lambda s: (-s.total, s.label))
            each.by_village.sort(key=lambda s: (-s.total, s.label))
    return [progress[i.pk] for i in indicators]


def chart_data(rows: list[Progress]) -> dict[str, object]:
    """The trend for the statistics' chart script (stats/charts.js): one line per indicator
    (rates in percent, counts as running totals), labelled by day."""
    days = sorted({day for p in rows for day, _v in p.trend})
    series = []
    for p in rows:
        by_day = dict(p.trend)
        data: list[float | None] = []
        last: float | None = None
        for day in days:
            if day in by_day:
                last = float(by_day[day])
                data.append(last)
            else:
                data.append(None if p.is_rate else last)
        series.append({"name": p.indicator.name, "data": data, "rate": p.is_rate})
    return {"labels": [d.isoformat() for d in days], "series": series}


def recent_entries(campaign: Campaign, limit: int = 50) -> list[Entry]:
    return list(
        Entry.objects.filter(campaign=campaign)
        .select_related("indicator", "unit", "village", "entered_by")
        .order_by("-day", "-id")[:limit]
    )


def recent_inspections(campaign: Campaign, limit: int = 50) -> list[Inspection]:
    return list(
        Inspection.objects.filter(indicator__campaign=campaign)
        .select_related("indicator", "village", "inspector")
        .order_by("-day", "-id")[:limit]
    )


# --- tickets tagged to the campaign ---------------------------------------------------------

ANSWERED = (Status.REPLIED, Status.CLOSED)


@dataclass(frozen=True)
class TaggedCount:
    total: int
    answered: int

    @property
    def open(self) -> int:
        return self.total - self.answered


def may_tag(user: User, campaign: Campaign) -> bool:
    return can_inspect(user, campaign)


def area_tickets(campaign: Campaign) -> QuerySet[Ticket]:
    """The tickets that may be tagged: the township's (its division or a village), or any."""
    base = Ticket.objects.exclude(status__in=(Status.TRANSFERRED, Status.MERGED))
    if campaign.township_id is None:
        return base
    short = Division.objects.get(pk=campaign.township_id).short_code
    return base.filter(division__code__startswith=short)


def tagged_count(campaign: Campaign) -> TaggedCount:
    rows = CampaignTicket.objects.filter(campaign=campaign).aggregate(
        total=Count("id"), answered=Count("id", filter=Q(ticket__status__in=ANSWERED))
    )
    return TaggedCount(total=rows["total"] or 0, answered=rows["answered"] or 0)


def tagged_recent(campaign: Campaign, limit: int = 20) -> list[CampaignTicket]:
    return list(
        CampaignTicket.objects.filter(campaign=campaign)
        .select_related("ticket", "ticket__lead_unit", "ticket__division")
        .order_by("-tagged_at", "-id")[:limit]
    )
