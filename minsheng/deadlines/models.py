"""Administrator-entered calendar days and the deadline policy.

The State Council publishes each year's holidays and make-up working days (调休) around
November; until the chinesecalendar package knows a year, administrators enter it here.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One date's override: a holiday on a weekday, or a make-up working day on a weekend."""

    date = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("是否工作日"))
    name = models.CharField(
        _("名称"), max_length=40, blank=True, help_text=_("如：国庆节、国庆节调休")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering: ClassVar[list[str]] = ["date"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_working else _("休息")
        return f"{self.date} {self.name} {kind}"


class CalendarYear(models.Model):
    """A year whose whole official schedule administrators have entered: its deadlines are no
    longer provisional."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    note = models.CharField(
        _("依据"), max_length=200, blank=True, help_text=_("如：国办发明电〔2026〕X号")
    )

    class Meta:
        verbose_name = _("已录入全年安排的年份")
        verbose_name_plural = _("已录入全年安排的年份")

    def __str__(self) -> str:
        return str(self.year)


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("自然小时")
    WORKING_HOURS = "working_hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")
    DAYS = "days", _("自然日")


class DeadlinePolicy(models.Model):
    """Deadlines for tickets of one urgency (or consultations), optionally one category.

    Rows override the defaults in minsheng/deadlines/policy.py; a category row applies to that
    category and everything below it, and the most specific row wins.
    """

    class Applies(models.TextChoices):
        EMERGENCY = "emergency", _("紧急")
        UTILITIES = "utilities", _("水电气暖")
        GENERAL = "general", _("一般")
        COMPLEX = "complex", _("复杂")
        CONSULTATION = "consultation", _("咨询（未当场答复）")

    applies_to = models.CharField(_("适用"), max_length=16, choices=Applies.choices)
    category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("分类（可选）"),
    )
    dispatch_amount = models.DecimalField(_("派单时限"), max_digits=6, decimal_places=2)
    dispatch_unit = models.CharField(max_length=16, choices=TimeUnit.choices)
    sign_amount = models.DecimalField(_("签收时限"), max_digits=6, decimal_places=2)
    sign_unit = models.CharField(max_length=16, choices=TimeUnit.choices)
    contact_amount = models.DecimalField(
        _("联系时限"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    contact_unit = models.CharField(max_length=16, choices=TimeUnit.choices, blank=True)
    reply_amount = models.DecimalField(_("答复时限"), max_digits=6, decimal_places=2)
    reply_unit = models.CharField(max_length=16, choices=TimeUnit.choices)
    callback_amount = models.DecimalField(_("回访时限"), max_digits=6, decimal_places=2)
    callback_unit = models.CharField(max_length=16, choices=TimeUnit.choices)
    pause_allowed = models.BooleanField(
        _("允许暂停计时"), default=True, help_text=_("如等待诉求人补充材料")
    )

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["applies_to", "category"], name="deadlines_policy_unique"
            ),
            models.UniqueConstraint(
                fields=["applies_to"],
                condition=models.Q(category__isnull=True),
                name="deadlines_policy_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_applies_to_display()} {self.category or ''}".strip()


class DeadlineAlarm(models.Model):
    """One alarm the worker raised: the row's uniqueness is what makes sweeps idempotent — a
    restarted or second worker inserting the same alarm finds it there and does nothing."""

    class Level(models.TextChoices):
        WARN = "warn", _("临期")
        OVERDUE = "overdue", _("超期")
        ESCALATE = "escalate", _("升级督办")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="alarms")
    deadline = models.CharField(max_length=12)  # dispatch / sign / contact / reply / callback
    level = models.CharField(max_length=10, choices=Level.choices)
    due_at = models.DateTimeField()
    round = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("时限预警")
        verbose_name_plural = _("时限预警")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["ticket", "round", "deadline", "level", "due_at"],
                name="deadlines_alarm_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.deadline} {self.level}"


class JobRun(models.Model):
    """A periodic job's run (e.g. the morning digest of one day): inserting the row is the claim,
    so the job runs once however many workers see that it is due."""

    name = models.CharField(max_length=40)
    key = models.CharField(max_length=40)  # e.g. the date
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["name", "key"], name="deadlines_jobrun_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.key}"


class DeadlineCheck(models.Model):
    """When the worker must next look at a ticket: the time of its earliest alarm not raised
    yet. A row exists only while such an alarm is pending (open tickets with live deadlines), so
    the table stays as small as the open workload however many tickets are closed.

    It lives beside the ticket, not on it, because the sweep re-plans it for every ticket it
    claims: as an indexed column of `tickets_ticket` each re-plan was a non-HOT update that wrote
    a new entry into every one of the ticket's two dozen indexes (most of a due sweep's time;
    docs/benchmarks/sweep.md). Here the sweep writes one narrow row with two indexes, and the
    ticket row itself changes only when an alarm sets `overdue_at`, a column no index covers.

    Written only while the ticket's row is locked (the services' `_lock`, the sweep's claim),
    through `minsheng.deadlines.schedule.save_checks`.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="deadline_check",
    )
    # The sweep is an index range scan on it: `next_check_at <= now ORDER BY next_check_at`.
    next_check_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("时限检查")
        verbose_name_plural = _("时限检查")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.next_check_at.isoformat()}"
