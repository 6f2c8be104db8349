"""公共设施: the registry (`Facility`), its photos and audit trail, upkeep schedules and the rounds
that keep them, the alarms of missed rounds, the inspection checklist, and the link between a
facility and the tickets its QR code brought in (docs/facilities.md)."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division, Unit
from minsheng.tickets.models import Ticket

# The built-in kinds (the seed's 公厕革命, 城市书房, 街边游园, "一有七中心"); any other name is a
# custom kind, typed by whoever registers the facility.
BUILTIN_KINDS: tuple[str, ...] = ("公厕", "A级旅游厕所", "城市书房", "街边游园", "社区综合服务设施")
TOURIST_TOILET = "A级旅游厕所"
# Unambiguous characters only: the code is printed under the QR and may be typed by hand.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 10


def new_public_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Status(models.TextChoices):
    IN_USE = "in_use", _("在用")
    REPAIR = "repair", _("维修关闭")
    RETIRED = "retired", _("停用")


class Standard(models.TextChoices):
    NONE = "", _("无")
    A = "A", "A"
    AA = "AA", "AA"
    AAA = "AAA", "AAA"


class Facility(models.Model):
    """A public facility. `township_code` repeats the place's township (its 9-digit prefix,
    padded) so that lists filter by township and an import finds a row by (township, name)
    without a join."""

    public_code = models.CharField(max_length=16, unique=True, default=new_public_code)
    kind = models.CharField(_("类型"), max_length=30)
    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在村（社区）或乡镇")
    )
    township_code = models.CharField(max_length=12)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("管理单位")
    )
    # The keeper (专人管理): a person, or a team (a unit); never both.
    keeper_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("管理员"),
    )
    keeper_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("管理班组"),
    )
    all_day = models.BooleanField(_("24小时开放"), default=True)
    opens_at = models.TimeField(_("开放时间"), null=True, blank=True)
    closes_at = models.TimeField(_("关闭时间"), null=True, blank=True)
    standard = models.CharField(
        _("等级"), max_length=3, choices=Standard.choices, default=Standard.NONE, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.IN_USE
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("公共设施")
        verbose_name_plural = _("公共设施")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The import's key: a township has one facility of a name.
            models.UniqueConstraint(
                fields=["township_code", "name"], name="facilities_township_name"
            ),
            models.CheckConstraint(
                condition=models.Q(keeper_user__isnull=True) | models.Q(keeper_unit__isnull=True),
                name="facilities_one_keeper",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The list by kind within a township (the staff list's filters).
            models.Index(fields=["kind", "township_code"], name="facilities_kind_township"),
            models.Index(fields=["owner", "kind"], name="facilities_owner_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def opening_text(self) -> str:
        if self.all_day or self.opens_at is None or self.closes_at is None:
            return str(_("24小时开放"))
        return f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class FacilityPhoto(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="facilities/%Y/%m/")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("设施照片")
        verbose_name_plural = _("设施照片")

    def __str__(self) -> str:
        return f"{self.facility_id} {self.file.name}"


class Event(models.Model):
    """The audit trail, append-only: every change writes one row in its transaction."""

    facility = models.ForeignKey(
        Facility, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("设施操作记录")
        verbose_name_plural = _("设施操作记录")

    def __str__(self) -> str:
        return f"{self.facility_id} {self.verb}"


class UpkeepKind(models.TextChoices):
    CLEANING = "cleaning", _("保洁")
    INSPECTION = "inspection", _("巡检")


class Rule(models.TextChoices):
    INTERVAL = "interval", _("开放时间内每隔若干分钟")
    TIMES = "times", _("每天固定时间")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


class Schedule(models.Model):
    """When a facility is cleaned or inspected. The clock (facilities/clock.py) keeps
    `next_due_at` (the next round owed) and `check_at` (when the worker looks whether it was
    done: the due moment plus the grace, moved to the next opening when the facility is closed
    then). `check_at` is NULL for an inactive schedule."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="schedules")
    kind = models.CharField(_("类别"), max_length=10, choices=UpkeepKind.choices)
    rule = models.CharField(_("频次"), max_length=10, choices=Rule.choices)
    every_minutes = models.PositiveIntegerField(_("间隔（分钟）"), null=True, blank=True)
    # "08:00,12:00,17:30" (TIMES), or the one time of day (WEEKLY, MONTHLY).
    times = models.CharField(_("时间"), max_length=200, blank=True)
    weekday = models.PositiveSmallIntegerField(_("星期（1—7）"), null=True, blank=True)
    monthday = models.PositiveSmallIntegerField(_("日期（1—28）"), null=True, blank=True)
    # An interval's daily window where it is narrower than the opening hours (a 24-hour
    # toilet cleaned every two hours from 06:00 to 22:00); empty: the opening hours.
    day_from = models.TimeField(_("每天自"), null=True, blank=True)
    day_to = models.TimeField(_("每天至"), null=True, blank=True)
    working_days_only = models.BooleanField(_("仅工作日"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    check_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保洁巡检计划")
        verbose_name_plural = _("保洁巡检计划")
        indexes: ClassVar[list[models.Index]] = [
            # The worker's claim (clock._claim): check_at <= now, earliest first; partial, so
            # the probe when nothing is due reads one leaf of a small index.
            models.Index(
                fields=["check_at"],
                name="facilities_schedule_check",
                condition=models.Q(check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.kind} {self.rule}"


class Round(models.Model):
    """One round done (保洁/巡检), logged by the keeper from the phone. `form_token` is the
    form's one-time token: a resent form records once."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rounds")
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds"
    )
    kind = models.CharField(max_length=10, choices=UpkeepKind.choices)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    photo = models.FileField(upload_to="facilities/rounds/%Y/%m/", blank=True)
    # Inspections: the checklist's points given and the points possible (stored, not summed
    # again on every page).
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(null=True, blank=True)
    form_token = models.UUIDField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保洁巡检记录")
        verbose_name_plural = _("保洁巡检记录")
        indexes: ClassVar[list[models.Index]] = [
            # The clock's "was the round done" (the batch's facilities, a time window), the
            # facility page's recent rounds and the figures' rounds in a period.
            models.Index(fields=["facility", "done_at"], name="facilities_round_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.kind} {self.done_at:%Y-%m-%d %H:%M}"


class ChecklistItem(models.Model):
    """An item of the inspection checklist with its points; `kind` empty: every kind."""

    kind = models.CharField(_("适用类型"), max_length=30, blank=True)
    text = models.CharField(_("检查内容"), max_length=200)
    points = models.PositiveSmallIntegerField(_("分值"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("巡检评分项")
        verbose_name_plural = _("巡检评分项")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return self.text


class RoundScore(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["round", "item"], name="facilities_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.item_id} {self.points}"


class MissedRound(models.Model):
    """A round not done by its due moment plus the grace: raised once (unique schedule × due)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="missed")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="missed")
    due_at = models.DateTimeField()
    raised_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("漏检告警")
        verbose_name_plural = _("漏检告警")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="facilities_missed_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["facility", "due_at"], name="facilities_missed_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.due_at:%Y-%m-%d %H:%M}"


class Problem(models.TextChoices):
    DIRTY = "dirty", _("脏乱")
    BROKEN = "broken", _("损坏")
    CLOSED = "closed", _("关闭")
    OTHER = "other", _("其他")


class FacilityTicket(models.Model):
    """A ticket about a facility (a citizen's QR report): the link, the problem picked, and the
    form's submission key (a resent form makes no second ticket)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="tickets")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="+")
    problem = models.CharField(max_length=8, choices=Problem.choices)
    submission_key = models.CharField(max_length=64, unique=True)
    # A keyed hash of the sender's address (never the address): the per-address limit.
    sender = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("设施问题工单")
        verbose_name_plural = _("设施问题工单")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["facility", "created_at"], name="facilities_ticket_facility"),
            models.Index(fields=["sender", "created_at"], name="facilities_ticket_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} → {self.ticket_id}"
