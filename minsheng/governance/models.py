"""The township's governance tables. Each part appends its own block below, headed by its name:
民生议事会 (councils), 专项行动 (campaigns), 民生实事 (commitments), 包村 / 走访 (assignments)."""

from __future__ import annotations

# --- 民生议事会 (councils) -----------------------------------------------------------------------
# The township's weekly livelihood council: its meetings, the agenda frozen when a meeting is
# held, its decisions and each decision's work for a unit — a ticket (channel 议事会) created and
# dispatched through minsheng.tickets.actions, never a task table of its own. The only writer is
# minsheng/governance/services/councils.py; every write appends a CouncilEvent.
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division, Unit
from minsheng.tickets.models import Category, Ticket


class Council(models.Model):
    """民生议事会: one per township (its division and its government unit)."""

    division = models.OneToOneField(
        Division, on_delete=models.PROTECT, related_name="council", verbose_name=_("乡镇")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="councils", verbose_name=_("乡镇政府")
    )
    weekday = models.PositiveSmallIntegerField(_("例会日（周一为0）"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("民生议事会")
        verbose_name_plural = _("民生议事会")
        ordering: ClassVar[list[str]] = ["division_id"]

    def __str__(self) -> str:
        return f"{self.division_id} 民生议事会"


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        HELD = "held", _("已召开")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("会议日期"))
    # The agenda covers the tickets taken in from `since` (the last meeting's date) to `date`.
    since = models.DateField(_("议题起始日期"))
    chair = models.CharField(_("主持人"), max_length=50, blank=True)
    attendees = models.TextField(_("参会人员"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会会议")
        verbose_name_plural = _("议事会会议")
        ordering: ClassVar[list[str]] = ["-date", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["council", "date"], name="governance_meeting_day")
        ]

    def __str__(self) -> str:
        return f"{self.council_id} {self.date}"


class AgendaItem(models.Model):
    """One line of a meeting's agenda, a snapshot: written when the meeting is opened, written
    again when it is held, never after."""

    class Kind(models.TextChoices):
        NEW_DEMANDS = "new", _("本周新诉求")
        HOT_SPOT = "hot", _("热点问题")
        OVERDUE = "overdue", _("超期工单")
        UNSATISFIED = "unsatisfied", _("不满意工单")
        REPEAT_CALLER = "repeat", _("重复来电")
        CARRY_OVER = "carry", _("上次决定的落实")
        QUESTION = "question", _("村民质询")
        SUGGESTION = "suggestion", _("走访和集中收集的意见建议")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(_("议题"), max_length=300)
    count = models.PositiveIntegerField(_("件数"), default=0)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)  # e.g. a work's state, a group's ids

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering: ClassVar[list[str]] = ["meeting", "position"]

    def __str__(self) -> str:
        return self.label


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("决定事项"))
    # The demands (citizens' tickets) the decision answers.
    demands = models.ManyToManyField(Ticket, blank=True, related_name="council_decisions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会决定")
        verbose_name_plural = _("议事会决定")
        ordering: ClassVar[list[str]] = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class DecisionWork(models.Model):
    """A decision's work for one unit: the ticket (channel 议事会) dispatched to it, and the
    date the council set. The ticket core's own deadlines follow its policy; whether the work
    was done on time is judged against `due_date` (see governance/councils.py)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="works")
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="council_work")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("完成期限"))

    class Meta:
        verbose_name = _("决定交办事项")
        verbose_name_plural = _("决定交办事项")
        ordering: ClassVar[list[str]] = ["decision", "id"]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.unit_id}"


class CouncilEvent(models.Model):
    """The councils' audit trail, append-only: one row per write, in the same transaction."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="events")
    subject = models.CharField(max_length=16)  # "council", "meeting", "decision"
    subject_id = models.BigIntegerField(null=True)
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会操作记录")
        verbose_name_plural = _("议事会操作记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["council", "-at"], name="governance_cevent_council"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}:{self.subject_id} {self.verb}"


# --- 专项行动 (campaigns) ---------------------------------------------------------------------
# A campaign (专项行动) of a township or the county: its indicators (a rate measured by sampled
# inspections, n of N points passing; or a count with a target), the teams' daily entries and the
# inspections. Values are exact (integers and Decimals). The only writer is
# minsheng/governance/services/campaigns.py; the reads are minsheng/governance/campaigns.py.


class Campaign(models.Model):
    """专项行动: a name, a period, a lead unit and the units taking part."""

    name = models.CharField(_("名称"), max_length=100)
    township = models.ForeignKey(
        "org.Division",
        verbose_name=_("乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("不填为全县"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("参与单位"), related_name="campaigns", blank=True
    )
    is_public = models.BooleanField(_("公开"), default=False)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="governance_campaign_period",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorKind(models.TextChoices):
    RATE = "rate", _("达标率")
    COUNT = "count", _("数量")


class Indicator(models.Model):
    """One measure of a campaign: a rate (baseline and target in percent, e.g. 82.00 → 98.00)
    or a count with a target (e.g. 217 家)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("指标名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=8, choices=IndicatorKind.choices)
    unit_label = models.CharField(_("计量单位"), max_length=16, blank=True)
    baseline = models.DecimalField(
        _("基线（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("目标"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("行动指标")
        verbose_name_plural = _("行动指标")
        ordering: ClassVar[list[str]] = ["campaign", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """A sampled inspection of a rate indicator: `passing` of `checked` points met the standard."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="inspections")
    day = models.DateField(_("检查日期"))
    place = models.CharField(_("地点"), max_length=200)
    village = models.ForeignKey(
        "org.Division",
        verbose_name=_("村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked = models.PositiveIntegerField(_("抽查点位数"))
    passing = models.PositiveIntegerField(_("达标点位数"))
    photo = models.FileField(upload_to="campaigns/%Y/%m/", blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽查记录")
        verbose_name_plural = _("抽查记录")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(passing__lte=models.F("checked")) & models.Q(checked__gt=0),
                name="governance_inspection_counts",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # the latest round and the trend (campaigns.rate_progress)
            models.Index(fields=["indicator", "day"], name="governance_inspection_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.place} {self.passing}/{self.checked}"


class Entry(models.Model):
    """A team's daily entry on a count indicator: how many, where, by whom."""

    # The campaign is the indicator's, kept on the row for the dashboard's latest entries.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField(_("日期"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "org.Division",
        verbose_name=_("村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("数量"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    photo = models.FileField(upload_to="campaigns/%Y/%m/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("行动台账")
        verbose_name_plural = _("行动台账")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(count__gt=0), name="governance_entry_count"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # an indicator's entries by day (the export, checks of the tallies)
            models.Index(fields=["indicator", "day"], name="governance_entry_day"),
            # the dashboard's latest entries
            models.Index(fields=["campaign", "-day", "-id"], name="governance_entry_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.count}"


class TallyBy(models.TextChoices):
    DAY = "day", _("日期")
    UNIT = "unit", _("单位")
    VILLAGE = "village", _("村（社区）")


class EntryTally(models.Model):
    """A count indicator's running sums by day, by unit and by village (key: the ISO day, the
    unit's id, the village's code or "" for none), kept by `entry_add` in the entry's
    transaction, so the dashboard reads a few hundred rows instead of scanning every entry."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="tallies")
    by = models.CharField(max_length=8, choices=TallyBy.choices)
    key = models.CharField(max_length=16, blank=True)
    total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("台账汇总")
        verbose_name_plural = _("台账汇总")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["indicator", "by", "key"], name="governance_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.by}:{self.key} {self.total}"


class CampaignEvent(models.Model):
    """The campaigns' audit trail, append-only: one row per change, in the same transaction."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    subject = models.CharField(max_length=16)  # "campaign", "indicator", "inspection", "entry"
    subject_id = models.BigIntegerField(null=True)
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专项行动操作记录")
        verbose_name_plural = _("专项行动操作记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["campaign", "-at"], name="governance_cevent_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}:{self.subject_id} {self.verb}"


class CampaignTicket(models.Model):
    """A ticket tagged to a campaign: a citizen's demand the campaign answers (a trader on the
    main road, a noise source before the 高考). The ticket itself is not changed; the dashboard
    counts these tickets by state and the public summary counts them only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tagged")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    tagged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专项行动关联工单")
        verbose_name_plural = _("专项行动关联工单")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "ticket"], name="gov_campaign_ticket_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.ticket_id}"


# --- 民生实事 (commitments) ------------------------------------------------------------------
# A year's public commitments (十大民生实事): the list, its commitments, their works (projects)
# and the works' tasks, with the owners' monthly progress reports. Progress is computed, never
# stored (minsheng/governance/commitments.py); the only writer is
# minsheng/governance/services/commitments.py, each write with a `CommitmentEvent`.

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


# --- 意见建议 (suggestions for the council) -------------------------------------------------------
# A demand collected off the hotline — a need a cadre heard on a 走访 visit, a row of a bulk
# intake (the seed's 1,141 suggestions) — that its collector chose to put before the township's
# council rather than make a ticket at once. It sits on every agenda while open; the council
# takes it up (a decision answers it, whose work is tickets) or sets it aside with a reason. It is
# not a task: whatever a unit must do about it becomes a ticket. The only writer is
# minsheng/governance/services/suggestions.py.


class Suggestion(models.Model):
    class Source(models.TextChoices):
        VISIT = "visit", _("走访")
        IMPORT = "import", _("集中收集")

    class Status(models.TextChoices):
        OPEN = "open", _("待议")
        DECIDED = "decided", _("已议定")
        TICKET = "ticket", _("已转工单")
        DECLINED = "declined", _("不予采纳")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="suggestions")
    village = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村（社区）"),
    )
    text = models.TextField(_("意见建议"))
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("分类"),
    )
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    # Where it came from, for idempotency: "visit:<id>:<n>" or "import:<row hash>"; a second
    # intake of the same origin finds the first row instead of adding one.
    reference = models.CharField(max_length=80, blank=True)
    contributor = models.CharField(_("提出人"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("处理说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["council", "reference"],
                condition=~models.Q(reference=""),
                name="gov_suggestion_once",
            )
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["council", "status", "created_at"], name="gov_suggestion_open"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


# --- 包村 / 走访 (assignments) ------------------------------------------------------------------
# Cadres assigned to villages (包村: county leaders, the township's cadres, 驻村工作队) for a
# period, and their visit logs: the households visited and the needs heard, each of which the
# visitor turned into a ticket (channel 走访, taken in through minsheng.tickets.actions and then
# dispatched like any other) or a suggestion for the township's council. The only writer is
# minsheng/governance/services/visits.py; every write appends a VisitEvent in its transaction.
# Reads and figures: minsheng/governance/visits.py.


class VillageAssignment(models.Model):
    """A person responsible for a village (包村) from `starts_on` to `ends_on` (open: still
    responsible). One person may hold several villages, a village several people."""

    class Duty(models.TextChoices):
        LEADER = "leader", _("包村领导")
        TEAM = "team", _("驻村工作队员")
        CADRE = "cadre", _("包村干部")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="village_assignments",
        verbose_name=_("包村人员"),
    )
    village = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    # The village's township, kept on the row: a township's assignments are one indexed filter.
    township = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    duty = models.CharField(_("职责"), max_length=8, choices=Duty.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("包村安排")
        verbose_name_plural = _("包村安排")
        ordering: ClassVar[list[str]] = ["village_id", "starts_on", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="gov_assignment_period",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["person", "village"], name="gov_assignment_person"),
            models.Index(fields=["village", "starts_on"], name="gov_assignment_village"),
            models.Index(fields=["township", "village"], name="gov_assignment_township"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.village_id}"


class Visit(models.Model):
    """A visit log (走访记录): who went to which village on which day, how many households."""

    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="village_visits",
        verbose_name=_("走访人"),
    )
    village = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    township = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    date = models.DateField(_("走访日期"))
    households = models.PositiveIntegerField(_("走访户数"))
    note = models.TextField(_("走访情况"), blank=True)
    # The form's one-time token: a resent form finds this visit instead of recording another.
    token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering: ClassVar[list[str]] = ["-date", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["village", "-date"], name="gov_visit_village"),
            models.Index(fields=["township", "date"], name="gov_visit_township"),
            models.Index(fields=["visitor", "-date"], name="gov_visit_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.date}"


class VisitNeed(models.Model):
    """A need heard on a visit, and what became of it: a ticket (channel 走访) or a suggestion
    before the township's council."""

    class Outcome(models.TextChoices):
        TICKET = "ticket", _("转工单")
        SUGGESTION = "suggestion", _("提交议事会")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="needs")
    # The visit's township and date, kept on the row: a township's figures read its needs of a
    # period by one index range, without scanning every need.
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("群众诉求"))
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("分类"),
    )
    citizen_name = models.CharField(_("群众姓名"), max_length=50, blank=True)
    citizen_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    outcome = models.CharField(_("处理方式"), max_length=10, choices=Outcome.choices)
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="visit_need"
    )
    suggestion = models.OneToOneField(
        Suggestion, null=True, blank=True, on_delete=models.PROTECT, related_name="visit_need"
    )

    class Meta:
        verbose_name = _("走访收集的诉求")
        verbose_name_plural = _("走访收集的诉求")
        ordering: ClassVar[list[str]] = ["visit", "position"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["township", "date"], name="gov_need_township"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class VisitEvent(models.Model):
    """The audit trail of 包村 and 走访, append-only: one row per write, in its transaction."""

    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=16)  # "assignment", "visit"
    subject_id = models.BigIntegerField(null=True)
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("包村走访操作记录")
        verbose_name_plural = _("包村走访操作记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["township", "-at"], name="gov_vevent_township"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}:{self.subject_id} {self.verb}"


# --- 集中导入 (bulk intake of collected suggestions) ---------------------------------------------
# The suggestions cadres collected in the villages (the seed's 1,141), uploaded as one Excel file:
# a batch and its rows are the server-side preview (nothing else is made); confirming makes each
# row a ticket (channel 导入, through minsheng.tickets.actions) or a council suggestion. Each row's
# fingerprint (a hash of its normalised text, place and contributor) is recorded with what it
# became, once (`IntakeRecord`, unique), so a second confirm or a re-upload makes nothing twice.
# The only writer is minsheng/governance/services/intake.py; every write appends an IntakeEvent.


class IntakeBatch(models.Model):
    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        DONE = "done", _("已导入")

    area = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（乡镇）")
    )
    filename = models.CharField(_("文件名"), max_length=200)
    digest = models.CharField(max_length=64)  # sha256 of the file's bytes
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PREVIEW
    )
    # Only suggestions to the township's council (a township's own staff), not tickets.
    council_only = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, blank=True)  # the confirm's outcome, by kind
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("意见建议导入批次")
        verbose_name_plural = _("意见建议导入批次")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"


class IntakeRow(models.Model):
    """One data row of an uploaded file, as read, checked and (by the user) corrected."""

    class Destination(models.TextChoices):
        TICKET = "ticket", _("转工单")
        COUNCIL = "council", _("提交议事会")
        SKIP = "skip", _("不导入")

    class Outcome(models.TextChoices):
        PENDING = "", _("待确认")
        TICKET = "ticket", _("已转工单")
        COUNCIL = "council", _("已提交议事会")
        SKIPPED = "skipped", _("未导入")
        ALREADY = "already", _("此前已导入")

    batch = models.ForeignKey(IntakeBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("行号"))  # the Excel row number
    text = models.TextField(_("意见建议内容"), blank=True)
    place = models.CharField(_("村（社区）/地点"), max_length=200, blank=True)
    contributor = models.CharField(_("提出人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)  # normalised
    fingerprint = models.CharField(max_length=64)
    errors = models.JSONField(default=list, blank=True)  # reasons the row cannot be imported
    notes = models.JSONField(default=list, blank=True)  # warnings (place guessed, similar rows)
    # For the preview's filters and counts (JSON lists are not portable in WHERE clauses).
    bad = models.BooleanField(default=False)  # has errors
    attention = models.BooleanField(default=False)  # has notes
    duplicate = models.BooleanField(default=False)  # like an open ticket or an earlier row
    village = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村（社区）"),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("分类"),
    )
    destination = models.CharField(
        _("处理方式"), max_length=8, choices=Destination.choices, default=Destination.TICKET
    )
    duplicates = models.JSONField(default=list, blank=True)  # open tickets: [{id, number, score}]
    same_as = models.PositiveIntegerField(null=True, blank=True)  # an earlier row of the file
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.CharField(max_length=200, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering: ClassVar[list[str]] = ["batch", "number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["batch", "number"], name="gov_intakerow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"


class IntakeRecord(models.Model):
    """What a row's content became, once: a second confirm or upload of it makes nothing."""

    fingerprint = models.CharField(max_length=64, unique=True)
    batch = models.ForeignKey(IntakeBatch, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")

    def __str__(self) -> str:
        return self.fingerprint[:12]


class IntakeEvent(models.Model):
    """The bulk intake's audit trail, append-only: one row per upload, correction and confirm."""

    batch = models.ForeignKey(IntakeBatch, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(max_length=16)  # "uploaded", "corrected", "confirmed"
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入操作记录")
        verbose_name_plural = _("导入操作记录")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.verb}"


# --- 服务点 / 服务矩阵 (service points) -----------------------------------------------------------
# Their tables live in a module of their own (models_servicepoints.py), imported here so that
# they belong to this app: service points, the villages each serves, entries of service given
# and their audit trail. Writer: services/servicepoints.py; reads and the matrix: servicepoints.py.
from minsheng.governance.models_servicepoints import (  # noqa: E402, I001
    ServiceEntry as ServiceEntry,
    ServicePoint as ServicePoint,
    ServicePointEvent as ServicePointEvent,
    ServicePointVillage as ServicePointVillage,
)
