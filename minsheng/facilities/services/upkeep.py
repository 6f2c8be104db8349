"""Upkeep's writers: a schedule set (and planned on the clock), a round logged by the keeper.

A round's form carries a one-time token (`Round.form_token`, unique): a form sent twice (a double
tap, a dropped connection, the browser's resend) records one round; of two copies at once the
second's insert fails on the key and gives the first. An inspection is scored against the
checklist: the points given per item, their sum and the points possible stored on the round."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.facilities import clock, rules
from minsheng.facilities.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.facilities.models import (
    ChecklistItem,
    Facility,
    Round,
    RoundScore,
    Rule,
    Schedule,
    Status,
    UpkeepKind,
)
from minsheng.facilities.services.registry import log_event, prepare_photo
from minsheng.facilities.timing import parse_times
from minsheng.org.models import User

MAX_NOTE = 500
BACKDATE_HOURS = 24  # a round may be logged up to a day after it was done


@dataclass
class ScheduleInput:
    kind: str
    rule: str
    every_minutes: int | None = None
    times: str = ""
    weekday: int | None = None
    monthday: int | None = None
    day_from: dt.time | None = None
    day_to: dt.time | None = None
    working_days_only: bool = False
    active: bool = True


def _validate_schedule(data: ScheduleInput, facility: Facility) -> ScheduleInput:
    if data.kind not in UpkeepKind.values:
        raise InvalidInput(_("请选择保洁或巡检。"), field="kind")
    if data.rule not in Rule.values:
        raise InvalidInput(_("请选择频次。"), field="rule")
    if data.rule in (Rule.WEEKLY, Rule.MONTHLY) and data.kind != UpkeepKind.INSPECTION:
        raise InvalidInput(_("每周、每月的频次只用于巡检。"), field="rule")
    try:
        times = parse_times(data.times)
    except ValueError as bad:
        raise InvalidInput(
            _("时间格式不正确：%(t)s（请写成 08:00,12:00）。") % {"t": str(bad)[:20]},
            field="times",
        ) from None
    text = ",".join(f"{t:%H:%M}" for t in times)
    every = None
    weekday = monthday = None
    if data.rule == Rule.INTERVAL:
        if data.every_minutes is None or not (15 <= data.every_minutes <= 24 * 60):
            raise InvalidInput(_("间隔须在 15 到 1440 分钟之间。"), field="every_minutes")
        every, text = data.every_minutes, ""
        if data.day_from and data.day_to and data.day_to <= data.day_from:
            raise InvalidInput(_("每天的结束时间须晚于开始时间。"), field="day_to")
    elif data.rule == Rule.TIMES:
        if not times:
            raise InvalidInput(_("请填写每天的时间，如 08:00,12:00,17:00。"), field="times")
        hours = clock.facility_hours(facility)
        tz = clock.tz()
        day = timezone.localdate()
        start, end = hours.window(day, tz)
        outside = [t for t in times if not start <= dt.datetime.combine(day, t, tz) <= end]
        if outside:
            raise InvalidInput(
                _("时间 %(t)s 不在设施开放时间（%(h)s）内。")
                % {"t": ",".join(f"{t:%H:%M}" for t in outside), "h": facility.opening_text()},
                field="times",
            )
    elif data.rule == Rule.WEEKLY:
        if data.weekday is None or not 1 <= data.weekday <= 7:
            raise InvalidInput(_("请选择星期几（1—7）。"), field="weekday")
        weekday = data.weekday
        text = text.split(",")[0] if text else "09:00"
    else:
        if data.monthday is None or not 1 <= data.monthday <= 28:
            raise InvalidInput(_("每月的日期须在 1 到 28 之间。"), field="monthday")
        monthday = data.monthday
        text = text.split(",")[0] if text else "09:00"
    return ScheduleInput(
        kind=data.kind,
        rule=data.rule,
        every_minutes=every,
        times=text,
        weekday=weekday,
        monthday=monthday,
        day_from=data.day_from if data.rule == Rule.INTERVAL else None,
        day_to=data.day_to if data.rule == Rule.INTERVAL else None,
        working_days_only=data.working_days_only,
        active=data.active,
    )


@transaction.atomic
def schedule_save(
    *,
    actor: User,
    facility: Facility,
    data: ScheduleInput,
    schedule: Schedule | None = None,
    now: dt.datetime | None = None,
) -> Schedule:
    """Create or change a schedule and plan its next round from now."""
    locked = Facility.objects.select_for_update().select_related("owner").get(pk=facility.pk)
    if not rules.may_edit(actor, locked.owner):
        raise NotAllowed(_("只能修改本单位（或下属单位）管理的设施。"))
    clean = _validate_schedule(data, locked)
    if schedule is None:
        schedule = Schedule(facility=locked)
    elif schedule.facility_id != locked.pk:
        raise InvalidInput(_("计划不属于这个设施。"))
    for key, value in vars(clean).items():
        setattr(schedule, key, value)
    clock.replan(schedule, locked, now or timezone.now())
    verb = "schedule_changed" if schedule.pk else "schedule_added"
    schedule.save()
    log_event(
        locked,
        actor,
        verb,
        schedule=schedule.pk,
        kind=clean.kind,
        rule=clean.rule,
        every_minutes=clean.every_minutes,
        times=clean.times,
        working_days_only=clean.working_days_only,
        active=clean.active,
    )
    return schedule


@transaction.atomic
def schedule_set_active(
    *, actor: User, schedule: Schedule, active: bool, now: dt.datetime | None = None
) -> Schedule:
    """Stop a schedule (no more rounds owed, no alarms) or start it again from now."""
    locked = (
        Facility.objects.select_for_update().select_related("owner").get(pk=schedule.facility_id)
    )
    if not rules.may_edit(actor, locked.owner):
        raise NotAllowed(_("只能修改本单位（或下属单位）管理的设施。"))
    current = Schedule.objects.select_for_update().get(pk=schedule.pk)
    current.active = active
    clock.replan(current, locked, now or timezone.now())
    current.save(update_fields=["active", "next_due_at", "check_at"])
    log_event(
        locked, actor, "schedule_started" if active else "schedule_stopped", schedule=current.pk
    )
    return current


def checklist_for(kind: str) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(Q(kind="") | Q(kind=kind)))


def _earlier(form_token: uuid.UUID, facility: Facility, actor: User) -> Round | None:
    found = Round.objects.filter(form_token=form_token).first()
    if found is None:
        return None
    if found.facility_id != facility.pk or found.done_by_id != actor.pk:
        raise InvalidInput(_("表单已失效，请刷新页面后重新填写。"))
    return found


def round_log(
    *,
    actor: User,
    facility: Facility,
    kind: str,
    form_token: uuid.UUID,
    note: str = "",
    photo: Any = None,
    done_at: dt.datetime | None = None,
    scores: Mapping[int, int] | None = None,
) -> tuple[Round, bool]:
    """The keeper logs a round; (the round, whether this form had been recorded before)."""
    earlier = _earlier(form_token, facility, actor)
    if earlier is not None:
        return earlier, True
    current = Facility.objects.select_related("owner", "keeper_unit").get(pk=facility.pk)
    if not rules.may_log_round(
        actor,
        owner=current.owner,
        keeper_user_id=current.keeper_user_id,
        keeper_unit=current.keeper_unit,
    ):
        raise NotAllowed(_("只有设施管理员和管理单位可以登记保洁巡检。"))
    if current.status == Status.RETIRED:
        raise InvalidTransition(_("设施已停用，不再登记保洁巡检。"))
    if kind not in UpkeepKind.values:
        raise InvalidInput(_("请选择保洁或巡检。"), field="kind")
    now = timezone.now()
    done_at = done_at or now
    if done_at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("完成时间不能晚于现在。"), field="done_at")
    if done_at < now - dt.timedelta(hours=BACKDATE_HOURS):
        raise InvalidInput(
            _("只能补记 %(n)d 小时内完成的保洁巡检。") % {"n": BACKDATE_HOURS}, field="done_at"
        )
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("备注不能超过 %(n)d 字。") % {"n": MAX_NOTE}, field="note")
    content = prepare_photo(photo) if photo else None
    given: list[tuple[ChecklistItem, int]] = []
    score = max_score = None
    if kind == UpkeepKind.INSPECTION:
        items = checklist_for(current.kind)
        scores = scores or {}
        for item in items:
            points = scores.get(item.pk)
            if points is None:
                raise InvalidInput(
                    _("请为“%(t)s”打分。") % {"t": item.text}, field=f"item_{item.pk}"
                )
            if not 0 <= points <= item.points:
                raise InvalidInput(
                    _("“%(t)s”的得分须在 0 到 %(n)d 之间。") % {"t": item.text, "n": item.points},
                    field=f"item_{item.pk}",
                )
            given.append((item, points))
        if items:
            score = sum(p for _i, p in given)
            max_score = sum(i.points for i in items)
    schedule = (
        Schedule.objects.filter(facility=current, kind=kind, active=True).order_by("id").first()
    )
    try:
        with transaction.atomic():
            done = Round.objects.create(
                facility=current,
                schedule=schedule,
                kind=kind,
                done_at=done_at,
                done_by=actor,
                note=note,
                score=score,
                max_score=max_score,
                form_token=form_token,
                **({"photo": content} if content is not None else {}),
            )
            RoundScore.objects.bulk_create(
                [RoundScore(round=done, item=item, points=p) for item, p in given]
            )
            log_event(current, actor, "round_logged", round=done.pk, kind=kind, score=score)
    except IntegrityError:
        earlier = _earlier(form_token, facility, actor)
        if earlier is None:
            raise
        return earlier, True
    return done, False
