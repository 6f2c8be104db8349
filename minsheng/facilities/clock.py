"""The upkeep clock, run by the worker (minsheng/worker/loop.py): missed rounds raise alarms.

Each active schedule keeps the next round it owes (`Schedule.next_due_at`) and the moment the
worker looks whether it was done (`Schedule.check_at`: the due moment plus
MINSHENG_FACILITY_ROUND_GRACE_MINUTES, moved to the next opening when the facility is closed
then; timing.alarm_at). The worker claims the schedules whose `check_at` has come, earliest first,
in batches of MINSHENG_FACILITY_CLOCK_BATCH through the partial index
`facilities_schedule_check` (an index probe when none is due), `SKIP LOCKED` on PostgreSQL so that
several workers share the work. For each due round not done within its window (timing.round_window)
while the facility is in use, one `MissedRound` (unique schedule × due moment: once only, whoever
runs the sweep and however often) and an in-app message to the keeper, the keeper team's staff and
the owner unit's staff. A facility closed for repair or retired owes nothing: its due rounds pass
without alarms. Then the schedule moves to its next due round. Each batch writes its alarms,
messages and the schedules' new moments with one statement each.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from minsheng.deadlines.clock import current_calendar
from minsheng.facilities.models import Facility, MissedRound, Round, Schedule, Status, UpkeepKind
from minsheng.facilities.timing import (
    Hours,
    Spec,
    alarm_at,
    next_due,
    parse_times,
    round_window,
)
from minsheng.lib.bulk import array_literal, insert_rows
from minsheng.notify.services import Notice, notify_users_many
from minsheng.org.models import UNIT_ROLES, User

# Due rounds one schedule works through in one pass (a worker back after a long stop catches
# up over several passes instead of holding a batch).
CATCH_UP = 96
KIND_TEXT = {UpkeepKind.CLEANING.value: "保洁", UpkeepKind.INSPECTION.value: "巡检"}


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def grace() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.MINSHENG_FACILITY_ROUND_GRACE_MINUTES))


def working_day(day: dt.date) -> bool:
    return current_calendar().is_working_day(day)


def hours_of(all_day: bool, opens: dt.time | None, closes: dt.time | None) -> Hours:
    return Hours(all_day=all_day, opens=opens, closes=closes)


def spec_of(
    rule: str,
    every_minutes: int | None,
    times: str,
    weekday: int | None,
    monthday: int | None,
    day_from: dt.time | None,
    day_to: dt.time | None,
    working_days_only: bool,
) -> Spec:
    try:
        parsed = parse_times(times)
    except ValueError:
        parsed = ()
    return Spec(
        rule=rule,
        every_minutes=every_minutes,
        times=parsed,
        weekday=weekday,
        monthday=monthday,
        day_from=day_from,
        day_to=day_to,
        working_days_only=working_days_only,
    )


def schedule_spec(schedule: Schedule) -> Spec:
    return spec_of(
        schedule.rule,
        schedule.every_minutes,
        schedule.times,
        schedule.weekday,
        schedule.monthday,
        schedule.day_from,
        schedule.day_to,
        schedule.working_days_only,
    )


def facility_hours(facility: Facility) -> Hours:
    return hours_of(facility.all_day, facility.opens_at, facility.closes_at)


def plan(
    spec: Spec, hours: Hours, after: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(next round due after `after`, when to check it)."""
    due = next_due(spec, hours, after, tz(), working_day)
    if due is None:
        return None, None
    return due, alarm_at(spec, hours, due, grace(), tz(), working_day)


def replan(schedule: Schedule, facility: Facility, now: dt.datetime) -> None:
    """Set the schedule's next due round from `now` (a new or changed schedule, changed
    opening hours, a facility back in use): rounds owed before are not owed any more."""
    if schedule.active:
        schedule.next_due_at, schedule.check_at = plan(
            schedule_spec(schedule), facility_hours(facility), now
        )
    else:
        schedule.next_due_at, schedule.check_at = None, None


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class _Due:
    schedule_id: int
    kind: str
    spec: Spec
    next_due_at: dt.datetime
    facility_id: int
    facility_name: str
    status: str
    hours: Hours
    owner_id: int
    keeper_user_id: int | None
    keeper_unit_id: int | None


@dataclass
class SweepResult:
    schedules: int = 0
    alarms: int = 0


FIELDS = (
    "id",
    "kind",
    "rule",
    "every_minutes",
    "times",
    "weekday",
    "monthday",
    "day_from",
    "day_to",
    "working_days_only",
    "next_due_at",
    "facility_id",
)
FACILITY_FIELDS = (
    "id",
    "name",
    "status",
    "all_day",
    "opens_at",
    "closes_at",
    "owner_id",
    "keeper_user_id",
    "keeper_unit_id",
)


def _claim(now: dt.datetime, limit: int) -> list[_Due]:
    """Schedules whose check has come, earliest first: a range scan of
    facilities_schedule_check. PostgreSQL locks the schedules' rows (SKIP LOCKED: other workers
    take the next ones); SQLite's IMMEDIATE transactions serialise every writer. Their
    facilities are read by primary key afterwards, not joined: a join would let the planner
    hash the whole facilities table for a batch of a thousand."""
    rows = list(
        Schedule.objects.filter(check_at__lte=now)
        .order_by("check_at")
        .select_for_update(skip_locked=True)
        .values_list(*FIELDS)[:limit]
    )
    if not rows:
        return []
    facilities = {
        row[0]: row[1:]
        for row in Facility.objects.filter(pk__in={row[11] for row in rows}).values_list(
            *FACILITY_FIELDS
        )
    }
    found: list[_Due] = []
    for row in rows:
        (sid, kind, rule, every, times, weekday, monthday, day_from, day_to, working) = row[:10]
        due, fid = row[10], row[11]
        if due is None or fid not in facilities:
            continue
        name, status, all_day, opens, closes, owner, keeper, team = facilities[fid]
        found.append(
            _Due(
                sid,
                kind,
                spec_of(rule, every, times, weekday, monthday, day_from, day_to, working),
                due,
                fid,
                name,
                status,
                hours_of(all_day, opens, closes),
                owner,
                keeper,
                team,
            )
        )
    return found


def _done(
    schedules: list[_Due], windows: list[tuple[dt.datetime, dt.datetime]]
) -> dict[tuple[int, str], list[dt.datetime]]:
    """The rounds logged at the batch's facilities between the earliest and the latest window:
    (facility, kind) → done moments. A round counts for every schedule of its kind at the
    facility (a toilet cleaned at fixed times and every two hours in the afternoon: one
    cleaning is one cleaning)."""
    if not schedules or not windows:
        return {}
    start = min(w[0] for w in windows)
    end = max(w[1] for w in windows)
    ids = {s.facility_id for s in schedules}
    done: dict[tuple[int, str], list[dt.datetime]] = defaultdict(list)
    for fid, kind, at in Round.objects.filter(
        facility_id__in=ids, done_at__gte=start, done_at__lte=end
    ).values_list("facility_id", "kind", "done_at"):
        done[(fid, kind)].append(at)
    return done


def sweep_schedules(*, now: dt.datetime | None = None, limit: int | None = None) -> SweepResult:
    """One batch: the due schedules' missed rounds raised, their next rounds planned."""
    now = now or timezone.now()
    limit = limit or int(settings.MINSHENG_FACILITY_CLOCK_BATCH)
    result = SweepResult()
    zone, slack = tz(), grace()
    with transaction.atomic():
        schedules = _claim(now, limit)
        if not schedules:
            return result
        result.schedules = len(schedules)
        # Each schedule's due rounds whose check has come (at most CATCH_UP), and its next.
        owed: dict[int, list[dt.datetime]] = {}
        updates: list[tuple[int, dt.datetime | None, dt.datetime | None]] = []
        windows: list[tuple[dt.datetime, dt.datetime]] = []
        for s in schedules:
            dues: list[dt.datetime] = []
            due: dt.datetime | None = s.next_due_at
            check: dt.datetime | None = alarm_at(
                s.spec, s.hours, s.next_due_at, slack, zone, working_day
            )
            while due is not None and check is not None and check <= now and len(dues) < CATCH_UP:
                dues.append(due)
                due, check = plan(s.spec, s.hours, due)
            owed[s.schedule_id] = dues
            windows += [round_window(s.spec, d, slack, zone) for d in dues]
            updates.append((s.schedule_id, due, check))
        done = _done(schedules, windows)
        missed: list[tuple[_Due, dt.datetime]] = []
        for s in schedules:
            if s.status != Status.IN_USE:
                continue  # closed for repair or retired: nothing is owed
            rounds = done.get((s.facility_id, s.kind), [])
            for due in owed[s.schedule_id]:
                start, end = round_window(s.spec, due, slack, zone)
                if not any(start <= at <= end for at in rounds):
                    missed.append((s, due))
        if missed:
            result.alarms = _raise(missed, now)
        _save_moments(updates)
    return result


def _raise(missed: list[tuple[_Due, dt.datetime]], now: dt.datetime) -> int:
    """The batch's alarms: recipients read once; alarms and messages one INSERT each (the
    unique key and the messages' keys make both idempotent)."""
    people = _people(
        {s.keeper_user_id for s, _ in missed if s.keeper_user_id},
        {s.owner_id for s, _ in missed} | {s.keeper_unit_id for s, _ in missed if s.keeper_unit_id},
    )
    by_id = {u.pk: u for u in people}
    by_unit: dict[int, list[User]] = defaultdict(list)
    for user in people:
        if getattr(user, "staff", False) and user.unit_id is not None:
            by_unit[user.unit_id].append(user)
    rows: list[tuple[object, ...]] = []
    notices: list[Notice] = []
    url = reverse("facilities:detail", args=[0])
    zone = tz()
    for s, due in missed:
        users: dict[int, User] = {}
        if s.keeper_user_id and s.keeper_user_id in by_id:
            users[s.keeper_user_id] = by_id[s.keeper_user_id]
        for unit in (s.owner_id, s.keeper_unit_id):
            for user in by_unit.get(unit or 0, []):
                users[user.pk] = user
        rows.append((s.schedule_id, s.facility_id, due, now, len(users)))
        local = due.astimezone(zone)
        notices.append(
            Notice(
                key_prefix=f"facility:{s.schedule_id}:{local:%Y%m%d%H%M}:missed",
                users=list(users.values()),
                template="facility_round_missed",
                context={
                    "facility": s.facility_name,
                    "kind": KIND_TEXT.get(s.kind, s.kind),
                    "due": f"{local:%m月%d日 %H:%M}",
                },
                url=url.replace("/0/", f"/{s.facility_id}/"),
            )
        )
    insert_rows(
        MissedRound,
        ("schedule_id", "facility_id", "due_at", "raised_at", "recipients"),
        rows,
        ignore_conflicts=True,
    )
    notify_users_many(notices)
    return len(rows)


def _people(keepers: set[int], units: set[int]) -> list[User]:
    """The keepers, and the active handlers and leaders of the units (marked `staff`)."""
    found: dict[int, User] = {}
    if keepers:
        for user in User.objects.filter(pk__in=keepers, is_active=True).only(
            "id", "is_active", "unit_id"
        ):
            found[user.pk] = user
    if units:
        for user in (
            User.objects.filter(unit_id__in=units, is_active=True, roles__role__in=UNIT_ROLES)
            .distinct()
            .only("id", "is_active", "unit_id")
        ):
            user.staff = True  # type: ignore[attr-defined]
            found[user.pk] = user
    return list(found.values())


def _save_moments(updates: list[tuple[int, dt.datetime | None, dt.datetime | None]]) -> None:
    """The batch's schedules' next rounds, in one statement on PostgreSQL."""
    table = Schedule._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} AS s SET next_due_at = v.due, check_at = v.chk "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS v(id, due, chk) "
            "WHERE s.id = v.id"
        )
        params = [
            array_literal(u[0] for u in updates),
            array_literal(u[1].isoformat() if u[1] else None for u in updates),
            array_literal(u[2].isoformat() if u[2] else None for u in updates),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET next_due_at = %s, check_at = %s WHERE id = %s",  # noqa: S608
            [
                (ops.adapt_datetimefield_value(due), ops.adapt_datetimefield_value(chk), sid)
                for sid, due, chk in updates
            ],
        )


def sweep_schedules_until_done(
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    max_batches: int = 10,
    stop: threading.Event | None = None,
) -> int:
    """Batches until no schedule is due, at most `max_batches`; returns schedules checked."""
    total = 0
    for _ in range(max_batches):
        if stop is not None and stop.is_set():
            break
        done = sweep_schedules(now=now, limit=limit)
        total += done.schedules
        if done.schedules == 0:
            break
    return total
