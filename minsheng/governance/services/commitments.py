"""民生实事: the only writer of lists, commitments, works, tasks and monthly progress reports.

Every function locks what it changes, checks who may (`can_manage`, `can_report`), validates the
whole input, and only then writes, with a `CommitmentEvent` in the same transaction. A refusal
raises an error of `minsheng.tickets.errors` with a Chinese message and writes nothing.

Who may do what:
- the hotline's administrators (`admin`) set up lists, commitments, works and tasks;
- a work's owner unit's staff (`handler` / `unit_leader` of the owner unit or of a unit above it)
  update its tasks' progress, its status and actual dates, and file its monthly reports;
  administrators may update tasks and status too, but only the owner reports;
- leaders and supervisors read everything and write nothing.

Monthly reports: one per work and month. A second report for the same month is a **correction**:
it is stored as a new row pointing at the month's first report (`corrects`), which is kept
unchanged; the latest row counts. The month may not be in the future; the percent is 0–100.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.governance.models import (
    Commitment,
    CommitmentEvent,
    CommitmentList,
    ProgressReport,
    Task,
    Work,
    WorkStatus,
)
from minsheng.lib import images
from minsheng.lib.numbers import plain_decimal
from minsheng.org.models import UNIT_ROLES, Division, Role, Unit, User
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.tickets.models import Ticket

TITLE_MAX = 100
TEXT_MAX = 5_000
ORIGINS_MAX = 200
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
PHOTO_BYTES_MAX = 10 * 1024 * 1024
WEIGHT_MAX = Decimal("1000")
BUDGET_MAX = Decimal("9999999999.99")


# --- who may ----------------------------------------------------------------------------------


def can_manage(user: User | Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_role(Role.ADMINISTRATOR)
    )


def can_report(user: User | Any, work: Work) -> bool:
    """The work's owner unit's staff: a handler or unit leader of the owner unit or above it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    unit = user.unit
    if unit is None or not user.has_role(*UNIT_ROLES):
        return False
    return bool(work.owner.path.startswith(unit.path))


def can_update_work(user: User | Any, work: Work) -> bool:
    return can_manage(user) or can_report(user, work)


def _check_manage(actor: User) -> None:
    if not can_manage(actor):
        raise NotAllowed(_("只有系统管理员可以维护民生实事清单。"))


# --- validation -------------------------------------------------------------------------------


def _text(value: Any, field: str, label: str, *, required: bool, maximum: int) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > maximum:
        raise InvalidInput(
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": maximum}, field=field
        )
    return text


def _decimal(
    value: Any,
    field: str,
    label: str,
    *,
    minimum: Decimal,
    maximum: Decimal,
    places: int,
    above_minimum: bool = False,
) -> Decimal:
    if isinstance(value, Decimal):
        number: Decimal | None = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        number = plain_decimal(str(value or ""))
    if number is None or not number.is_finite():
        raise InvalidInput(_("%(label)s应是一个数字。") % {"label": label}, field=field)
    low_ok = number > minimum if above_minimum else number >= minimum
    if not low_ok or number > maximum:
        raise InvalidInput(
            _("%(label)s应在 %(min)s 到 %(max)s 之间。")
            % {"label": label, "min": minimum, "max": maximum},
            field=field,
        )
    if -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise InvalidInput(
            _("%(label)s最多 %(n)d 位小数。") % {"label": label, "n": places}, field=field
        )
    return number


def _weight(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(1)
    return _decimal(
        value,
        "weight",
        _("权重"),
        minimum=Decimal(0),
        maximum=WEIGHT_MAX,
        places=3,
        above_minimum=True,
    )


def _percent(value: Any, field: str = "percent") -> Decimal:
    return _decimal(value, field, _("进度"), minimum=Decimal(0), maximum=Decimal(100), places=2)


def _date(value: Any, field: str, label: str, *, required: bool = False) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(
            _("%(label)s的日期格式应为 2026-05-01。") % {"label": label}, field=field
        ) from None


def _span(start: dt.date | None, end: dt.date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(_("完成日期不能早于开始日期。"), field=field)


def _event(
    clist_id: int, subject: str, subject_id: int | None, verb: str, actor: User, **data: Any
) -> None:
    CommitmentEvent.objects.create(
        clist_id=clist_id,
        subject=subject,
        subject_id=subject_id,
        verb=verb,
        actor=actor if actor.pk else None,
        data={k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in data.items()},
    )


# --- lists and commitments --------------------------------------------------------------------


@transaction.atomic
def list_create(
    *, actor: User, year: Any, area_code: str, title: str, published: bool = False
) -> CommitmentList:
    _check_manage(actor)
    try:
        number = int(str(year))
    except ValueError:
        number = 0
    if not 2000 <= number <= 2100:
        raise InvalidInput(_("年度应是 2000 到 2100 之间的年份。"), field="year")
    area = Division.objects.filter(pk=str(area_code or "").strip()).first()
    if area is None:
        raise InvalidInput(_("没有这个区划。"), field="area")
    name = _text(title, "title", _("名称"), required=True, maximum=TITLE_MAX)
    if CommitmentList.objects.filter(area=area, year=number, title=name).exists():
        raise InvalidInput(_("这个区划今年已有同名的清单。"), field="title")
    try:
        with transaction.atomic():  # two administrators creating the same list at once
            clist = CommitmentList.objects.create(
                year=number, area=area, title=name, published=bool(published)
            )
    except IntegrityError:
        raise InvalidInput(_("这个区划今年已有同名的清单。"), field="title") from None
    _event(clist.pk, "list", clist.pk, "create", actor, title=name, year=number)
    return clist


@transaction.atomic
def list_update(
    *, actor: User, clist: CommitmentList, title: str | None = None, published: bool | None = None
) -> CommitmentList:
    _check_manage(actor)
    clist = CommitmentList.objects.select_for_update().get(pk=clist.pk)
    changes: dict[str, Any] = {}
    if title is not None:
        name = _text(title, "title", _("名称"), required=True, maximum=TITLE_MAX)
        if (
            CommitmentList.objects.filter(area_id=clist.area_id, year=clist.year, title=name)
            .exclude(pk=clist.pk)
            .exists()
        ):
            raise InvalidInput(_("这个区划今年已有同名的清单。"), field="title")
        changes["title"] = name
    if published is not None:
        changes["published"] = bool(published)
    for key, value in changes.items():
        setattr(clist, key, value)
    if changes:
        clist.save(update_fields=list(changes))
        _event(clist.pk, "list", clist.pk, "update", actor, **changes)
    return clist


def _origins(ids: Any) -> list[int]:
    if not ids:
        return []
    try:
        wanted = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise InvalidInput(_("来源诉求应是工单编号。"), field="origins") from None
    if len(wanted) > ORIGINS_MAX:
        raise InvalidInput(_("来源诉求太多。"), field="origins")
    found = set(Ticket.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if len(found) != len(wanted):
        raise InvalidInput(_("有的来源诉求不存在。"), field="origins")
    return wanted


@transaction.atomic
def commitment_create(
    *,
    actor: User,
    clist: CommitmentList,
    title: str,
    description: str = "",
    weight: Any = None,
    position: Any = None,
    origin_ticket_ids: Any = None,
) -> Commitment:
    _check_manage(actor)
    clist = CommitmentList.objects.select_for_update().get(pk=clist.pk)
    name = _text(title, "title", _("名称"), required=True, maximum=TITLE_MAX)
    text = _text(description, "description", _("内容"), required=False, maximum=TEXT_MAX)
    w = _weight(weight)
    taken = set(clist.commitments.values_list("position", flat=True))
    if position in (None, ""):
        pos = max(taken, default=0) + 1
    else:
        try:
            pos = int(str(position))
        except ValueError:
            pos = 0
        if not 1 <= pos <= 1000:
            raise InvalidInput(_("序号应是 1 到 1000 之间的整数。"), field="position")
        if pos in taken:
            raise InvalidInput(_("清单中已有这个序号。"), field="position")
    origins = _origins(origin_ticket_ids)
    commitment = Commitment.objects.create(
        clist=clist, position=pos, title=name, description=text, weight=w
    )
    if origins:
        commitment.origin_tickets.set(origins)
    _event(clist.pk, "commitment", commitment.pk, "create", actor, title=name, origins=origins)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    actor: User,
    commitment: Commitment,
    title: str | None = None,
    description: str | None = None,
    weight: Any = None,
    origin_ticket_ids: Any = None,
) -> Commitment:
    _check_manage(actor)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _text(title, "title", _("名称"), required=True, maximum=TITLE_MAX)
    if description is not None:
        changes["description"] = _text(
            description, "description", _("内容"), required=False, maximum=TEXT_MAX
        )
    if weight is not None:
        changes["weight"] = _weight(weight)
    origins = _origins(origin_ticket_ids) if origin_ticket_ids is not None else None
    for key, value in changes.items():
        setattr(commitment, key, value)
    if changes:
        commitment.save(update_fields=list(changes))
    if origins is not None:
        commitment.origin_tickets.set(origins)
        changes["origins"] = origins
    if changes:
        _event(commitment.clist_id, "commitment", commitment.pk, "update", actor, **changes)
    return commitment


# --- works and tasks --------------------------------------------------------------------------


def _owner(code: Any) -> Unit:
    if isinstance(code, Unit):
        return code
    unit = Unit.objects.filter(code=str(code or "").strip(), is_active=True).first()
    if unit is None:
        raise InvalidInput(_("没有这个责任单位。"), field="owner")
    return unit


@transaction.atomic
def work_create(
    *,
    actor: User,
    commitment: Commitment,
    title: str,
    owner: Any,
    budget: Any = None,
    planned_start: Any = None,
    planned_end: Any = None,
    weight: Any = None,
) -> Work:
    _check_manage(actor)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    name = _text(title, "title", _("名称"), required=True, maximum=TITLE_MAX)
    unit = _owner(owner)
    money = (
        None
        if budget in (None, "")
        else _decimal(budget, "budget", _("预算"), minimum=Decimal(0), maximum=BUDGET_MAX, places=2)
    )
    start = _date(planned_start, "planned_start", _("计划开工"))
    end = _date(planned_end, "planned_end", _("计划完工"))
    _span(start, end, "planned_end")
    w = _weight(weight)
    work = Work.objects.create(
        commitment=commitment,
        title=name,
        owner=unit,
        budget=money,
        planned_start=start,
        planned_end=end,
        weight=w,
    )
    _event(commitment.clist_id, "work", work.pk, "create", actor, title=name, owner=unit.code)
    return work


def _lock_work(work: Work) -> Work:
    return Work.objects.select_for_update().select_related("owner", "commitment").get(pk=work.pk)


@transaction.atomic
def work_update(
    *,
    actor: User,
    work: Work,
    status: str | None = None,
    actual_start: Any = None,
    actual_end: Any = None,
    weight: Any = None,
) -> Work:
    """The owner (or an administrator) moves a work on: status and actual dates; a work marked
    done needs its actual completion date (today where none is given). Only administrators
    change its weight."""
    work = _lock_work(work)
    if not can_update_work(actor, work):
        raise NotAllowed(_("只有责任单位可以更新这个项目。"))
    changes: dict[str, Any] = {}
    if status is not None:
        if status not in WorkStatus.values:
            raise InvalidInput(_("没有这个状态。"), field="status")
        changes["status"] = status
    start = _date(actual_start, "actual_start", _("实际开工"))
    end = _date(actual_end, "actual_end", _("实际完工"))
    today = timezone.localdate()
    if start is not None:
        changes["actual_start"] = start
    if end is not None:
        changes["actual_end"] = end
    for day, field in ((start, "actual_start"), (end, "actual_end")):
        if day is not None and day > today:
            raise InvalidInput(_("实际日期不能晚于今天。"), field=field)
    _span(
        changes.get("actual_start", work.actual_start),
        changes.get("actual_end", work.actual_end),
        "actual_end",
    )
    if weight is not None:
        _check_manage(actor)
        changes["weight"] = _weight(weight)
    new_status = changes.get("status", work.status)
    if new_status == WorkStatus.DONE and changes.get("actual_end", work.actual_end) is None:
        changes["actual_end"] = today
    if new_status in (WorkStatus.IN_PROGRESS, WorkStatus.DONE) and (
        changes.get("actual_start", work.actual_start) is None
    ):
        changes["actual_start"] = min(today, changes.get("actual_end") or today)
    if new_status in (WorkStatus.PLANNED,) and work.status == WorkStatus.DONE:
        raise InvalidTransition(_("已完成的项目不能改回未开工。"), field="status")
    for key, value in changes.items():
        setattr(work, key, value)
    if changes:
        work.save(update_fields=list(changes))
        _event(work.commitment.clist_id, "work", work.pk, "update", actor, **changes)
    return work


@transaction.atomic
def task_create(
    *, actor: User, work: Work, title: str, weight: Any = None, planned_on: Any = None
) -> Task:
    _check_manage(actor)
    work = _lock_work(work)
    name = _text(title, "title", _("名称"), required=True, maximum=TITLE_MAX)
    w = _weight(weight)
    planned = _date(planned_on, "planned_on", _("计划完成"))
    task = Task.objects.create(work=work, title=name, weight=w, planned_on=planned)
    _event(work.commitment.clist_id, "task", task.pk, "create", actor, title=name, work=work.pk)
    return task


@transaction.atomic
def task_progress(*, actor: User, task: Task, progress: Any, done_on: Any = None) -> Task:
    """The owner sets a task's progress; 100 marks it done (on `done_on`, today by default),
    less clears its completion date."""
    task = (
        Task.objects.select_for_update()
        .select_related("work__owner", "work__commitment")
        .get(pk=task.pk)
    )
    if not can_update_work(actor, task.work):
        raise NotAllowed(_("只有责任单位可以更新这个项目的任务。"))
    value = _percent(progress, "progress")
    day = _date(done_on, "done_on", _("实际完成"))
    today = timezone.localdate()
    if day is not None and day > today:
        raise InvalidInput(_("实际日期不能晚于今天。"), field="done_on")
    task.progress = value
    task.done_on = (day or today) if value == 100 else None
    task.save(update_fields=["progress", "done_on"])
    _event(
        task.work.commitment.clist_id,
        "task",
        task.pk,
        "progress",
        actor,
        progress=value,
        done_on=task.done_on,
    )
    return task


# --- monthly reports --------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _photo(upload: Any) -> ContentFile[bytes] | None:
    if upload is None:
        return None
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_BYTES_MAX:
        raise InvalidInput(_("照片不能超过 10 MB。"), field="photo")
    try:
        image = images.open_image(upload, PHOTO_FORMATS)
    except images.NotAnImage:
        raise InvalidInput(
            _("只能上传照片（JPG、PNG 或 WebP），这个文件按内容不是。"), field="photo"
        ) from None
    return ContentFile(images.clean_jpeg(image), name=f"{uuid.uuid4().hex}.jpg")


@transaction.atomic
def report_progress(
    *,
    actor: User,
    work: Work,
    month: Any,
    percent: Any,
    text: str,
    photo: Any = None,
) -> ProgressReport:
    """The owner's monthly report. A second report of the same month is a correction of the
    first (kept); the latest counts."""
    work = _lock_work(work)
    if not can_report(actor, work):
        raise NotAllowed(_("只有责任单位的工作人员可以报送这个项目的进展。"))
    if work.status == WorkStatus.PLANNED:
        raise InvalidTransition(_("项目尚未开工，请先将状态改为推进中。"), field="status")
    raw = month if isinstance(month, dt.date) else str(month or "").strip()
    if isinstance(raw, str) and len(raw) == 7:
        raw = raw + "-01"
    day = _date(raw, "month", _("月份"), required=True)
    assert day is not None
    first = month_start(day)
    if first > month_start(timezone.localdate()):
        raise InvalidInput(_("不能报送未来月份的进展。"), field="month")
    value = _percent(percent)
    body = _text(text, "text", _("进展情况"), required=True, maximum=TEXT_MAX)
    content = _photo(photo)
    original = (
        ProgressReport.objects.filter(work=work, month=first, corrects__isnull=True)
        .order_by("id")
        .first()
    )
    report = ProgressReport(
        work=work,
        month=first,
        percent=value,
        text=body,
        corrects=original,
        reported_by=actor,
    )
    if content is not None:
        report.photo.save(content.name or "photo.jpg", content, save=False)
    report.save()
    _event(
        work.commitment.clist_id,
        "report",
        report.pk,
        "correct" if original is not None else "report",
        actor,
        work=work.pk,
        month=first,
        percent=value,
    )
    return report
