"""The township's governance tables. Each part appends its own block below, headed by its name:
民生议事会 (councils), 专项行动 (campaigns), 民生实事 (commitments), 包村 / 走访 (assignments)."""

from __future__ import annotations

# --- 民生实事 (commitments) ------------------------------------------------------------------
# A year's public commitments (十大民生实事): the list, its commitments, their works (projects)
# and the works' tasks, with the owners' monthly progress reports. Progress is computed, never
# stored (minsheng/governance/commitments.py); the only writer is
# minsheng/governance/services/commitments.py, each write with a `CommitmentEvent`.
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

_PERCENT_RANGE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _weight() -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(_("权重"), max_digits=9, decimal_places=3, default=Decimal(1))


def _percent(default: Decimal | None = None) -> models.DecimalField[Decimal, Decimal]:
    if default is None:
        return models.DecimalField(
            _("进度（%）"), max_digits=5, decimal_places=2, validators=_PERCENT_RANGE
        )
    return models.DecimalField(
        _("进度（%）"), max_digits=5, decimal_places=2, validators=_PERCENT_RANGE, default=default
    )


class CommitmentList(models.Model):
    """A year's list of commitments of a county (or another area), e.g. 2026年十大民生实事.
    Only a published list is shown on the public page."""

    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.ForeignKey(
        "org.Division", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=100)
    published = models.BooleanField(_("已公开"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("民生实事清单")
        verbose_name_plural = _("民生实事清单")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["area", "year", "title"], name="gov_clist_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """One of the list's commitments (一件实事), in the list's order."""

    clist = models.ForeignKey(CommitmentList, on_delete=models.CASCADE, related_name="commitments")
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    weight = _weight()
    # Citizens' tickets (suggestions, demands) that this commitment answers.
    origin_tickets = models.ManyToManyField(
        "tickets.Ticket", verbose_name=_("来源诉求"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("民生实事")
        verbose_name_plural = _("民生实事")
        ordering = ("clist", "position", "id")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["clist", "position"], name="gov_commitment_position")
        ]

    def __str__(self) -> str:
        return self.title


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("未开工")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    SUSPENDED = "suspended", _("暂停")


class Work(models.Model):
    """A concrete work (project) of a commitment, owned by one unit."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="works")
    title = models.CharField(_("名称"), max_length=100)
    owner = models.ForeignKey(
        "org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    budget = models.DecimalField(
        _("预算（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_end = models.DateField(_("实际完工"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=WorkStatus.choices, default=WorkStatus.PLANNED
    )
    weight = _weight()

    class Meta:
        verbose_name = _("实事项目")
        verbose_name_plural = _("实事项目")
        ordering = ("commitment", "id")
        indexes: ClassVar[list[models.Index]] = [
            # The reminders' sweep: works in progress (commitments_clock.remind_due_reports).
            models.Index(fields=["status"], name="gov_work_status"),
        ]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """A task (milestone) of a work, with its progress."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("名称"), max_length=100)
    weight = _weight()
    progress = _percent(Decimal(0))
    planned_on = models.DateField(_("计划完成"), null=True, blank=True)
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("实事任务")
        verbose_name_plural = _("实事任务")
        ordering = ("work", "id")

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """An owner's monthly report on a work. One per work and month: a second report of the same
    month is a correction that keeps the first (`corrects`), and the latest counts."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"))  # the month's first day
    percent = _percent()
    text = models.TextField(_("进展情况"))
    photo = models.FileField(upload_to="governance/commitments/%Y/%m/", blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("实事进展月报")
        verbose_name_plural = _("实事进展月报")
        ordering = ("work", "month", "id")
        indexes: ClassVar[list[models.Index]] = [
            # A work's latest report; who reported for a month (the reminders).
            models.Index(fields=["work", "month", "id"], name="gov_report_work_month"),
        ]

    def __str__(self) -> str:
        return f"{self.work_id} {self.month:%Y-%m}"


class CommitmentReminder(models.Model):
    """A reminder sent for a work's missing monthly report: once per work and month."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("实事月报提醒")
        verbose_name_plural = _("实事月报提醒")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["work", "month"], name="gov_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.work_id} {self.month:%Y-%m}"


class CommitmentEvent(models.Model):
    """The audit trail of 民生实事, append-only: every write of the services adds one row in the
    same transaction."""

    clist = models.ForeignKey(CommitmentList, on_delete=models.CASCADE, related_name="events")
    subject = models.CharField(max_length=16)  # "list", "commitment", "work", "task", "report"
    subject_id = models.BigIntegerField(null=True)
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("民生实事操作记录")
        verbose_name_plural = _("民生实事操作记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["clist", "-at"], name="gov_cevent_list"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}:{self.subject_id} {self.verb}"
