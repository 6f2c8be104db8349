"""Village affairs' tables: one board per village (村务公开栏), its items with their versions,
files and finance statements, the villagers' questions (tickets), and an append-only audit trail.

A village *is* its `org.Division` of level 5; the board is keyed by the division's code, so a
village imported is a village with a board (`services.ensure_boards`, run after every division
import and by `seed_demo`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minsheng.org.models import Division


class ReviewBy(models.TextChoices):
    """Who must approve an item before it is published (per village, configurable)."""

    MONITOR = "monitor", _("村务监督委员会")
    TOWNSHIP = "township", _("乡镇")
    BOTH = "both", _("村务监督委员会和乡镇")


class Board(models.Model):
    """村务公开栏 of one village: its settings, and the facts the township's overview reads."""

    village = models.OneToOneField(
        Division,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="board",
        verbose_name=_("村（社区）"),
        db_constraint=False,  # boards are written in bulk right after an import
    )
    # The township's code, copied from the division so that the overview of a province
    # (52,378 villages) groups one table by one indexed column.
    township_code = models.CharField(_("乡镇代码"), max_length=12)
    # 村民委员会组织法 §30: finances monthly where the village has frequent transactions,
    # otherwise at least quarterly.
    frequent_finance = models.BooleanField(_("财务往来频繁（按月公开财务）"), default=False)
    review_by = models.CharField(
        _("发布前审核"), max_length=8, choices=ReviewBy.choices, default=ReviewBy.TOWNSHIP
    )
    last_published_at = models.DateTimeField(_("最近公开时间"), null=True, blank=True)
    # The clock's facts (villages/clock.py keeps them; overviews only read them):
    # the sections whose owed period is past its deadline ("affairs,finance"), since when, and
    # when the worker next has to look at this board (a narrow indexed probe when nothing is due).
    late_sections = models.CharField(_("逾期栏目"), max_length=40, blank=True, default="")
    late_since = models.DateField(_("逾期起"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("村务公开栏")
        verbose_name_plural = _("村务公开栏")
        indexes: ClassVar[list[models.Index]] = [
            # The township's and the province's overviews: boards of a code prefix, grouped.
            models.Index(fields=["township_code", "village"], name="villages_board_township"),
            # The worker's sweep: boards whose next check has come.
            models.Index(
                fields=["next_check_at"],
                name="villages_board_check",
                condition=Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.village_id)


class Section(models.TextChoices):
    PARTY = "party", _("党务公开")
    AFFAIRS = "affairs", _("村务公开")
    FINANCE = "finance", _("财务公开")
    OTHER = "other", _("其他")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")
    IMMEDIATE = "immediate", _("即时")  # major matters: published at once


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    # Approved by one reviewer where the village's setting asks for two.
    PARTLY_APPROVED = "partly", _("待乡镇审核")
    PUBLISHED = "published", _("已公开")
    RETURNED = "returned", _("已退回")


class Item(models.Model):
    """One publication on a village's board. Published items are never edited: a correction is a
    new item that `supersedes` the published one, and both stay readable."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("栏目"), max_length=8, choices=Section.choices)
    title = models.CharField(_("标题"), max_length=200)
    period_kind = models.CharField(_("公开周期"), max_length=10, choices=PeriodKind.choices)
    # The period the item covers (a month, a quarter, a year); for 即时 both are the day.
    period_start = models.DateField(_("所属期间起"))
    period_end = models.DateField(_("所属期间止"))
    body = models.TextField(_("内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    # The display window: shown on the physical and the phone board from..until.
    display_from = models.DateField(_("公示起"), null=True, blank=True)
    display_until = models.DateField(_("公示止"), null=True, blank=True)
    # Corrections: version 1 is the original; a correction is version n+1 of the same chain.
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("更正的公开项"),
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    correction_note = models.CharField(_("更正说明"), max_length=300, blank=True)
    # Optimistic lock for the staff pages (as tickets' `version`): a stale form is refused.
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")
        indexes: ClassVar[list[models.Index]] = [
            # A board's page: its published items, newest first (10 years × 12 months × 4
            # sections stays one index range).
            models.Index(
                fields=["board", "-published_at"],
                name="villages_item_board_pub",
                condition=Q(status="published"),
            ),
            # The reviewers' queue: what waits for review.
            models.Index(
                fields=["status", "board"],
                name="villages_item_waiting",
                condition=Q(status__in=["submitted", "partly"]),
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="villages_item_period_order",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="villages_item_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ItemFile(models.Model):
    """A photo or a PDF of an item, or the photo of the physical board (公开栏实景, item null).
    Its type is read from the content, never from the name."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        PDF = "pdf", _("PDF 文件")
        WALL = "wall", _("公开栏实景")

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="files")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    file = models.FileField(upload_to="villages/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公开附件")
        verbose_name_plural = _("公开附件")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["board", "kind", "-uploaded_at"], name="villages_file_board"),
        ]

    def __str__(self) -> str:
        return self.original_name


class FinanceStatement(models.Model):
    """财务公开 as data: an opening balance, dated lines, a closing balance that must follow."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="statement")
    opening_balance = models.DecimalField(_("期初余额"), max_digits=14, decimal_places=2)
    closing_balance = models.DecimalField(_("期末余额"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("财务收支明细")
        verbose_name_plural = _("财务收支明细")

    def __str__(self) -> str:
        return str(self.item_id)


class FinanceLine(models.Model):
    class Direction(models.TextChoices):
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("支出")

    statement = models.ForeignKey(FinanceStatement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()  # the order typed or imported
    date = models.DateField(_("日期"))
    direction = models.CharField(_("收支"), max_length=8, choices=Direction.choices)
    summary = models.CharField(_("摘要"), max_length=200)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    voucher = models.CharField(_("凭证号"), max_length=40, blank=True)
    handler = models.CharField(_("经办人"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("收支明细行")
        verbose_name_plural = _("收支明细行")
        ordering: ClassVar[list[str]] = ["statement", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["statement", "position"], name="villages_line_pos"),
            models.CheckConstraint(condition=Q(amount__gt=Decimal(0)), name="villages_line_amount"),
        ]

    def __str__(self) -> str:
        return self.summary


class Question(models.Model):
    """A villager's 质询 or 异议 about an item: the work is a ticket to the village committee
    (tickets.actions, channel h5), so its deadline, reply and rates come from the ticket core.
    The phone is proven by an SMS code and kept on the ticket only, never here."""

    class Kind(models.TextChoices):
        QUERY = "query", _("质询")
        OBJECTION = "objection", _("异议")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="questions")
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="village_question"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    asked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("村民质询")
        verbose_name_plural = _("村民质询")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["item", "asked_at"], name="villages_question_item"),
        ]

    def __str__(self) -> str:
        return str(self.ticket_id)


class Event(models.Model):
    """The app's audit trail, append-only: every change of a board, an item, a matter or a
    register writes one row in the same transaction (services)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="events")
    subject = models.CharField(max_length=16)  # "board", "item", "matter", "register", ...
    subject_id = models.BigIntegerField(null=True)
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("村务操作记录")
        verbose_name_plural = _("村务操作记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["subject", "subject_id", "at"], name="villages_event_subject"),
            models.Index(fields=["board", "-at"], name="villages_event_board"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}:{self.subject_id} {self.verb}"


# --- 四议两公开 (decisions) ---------------------------------------------------------------------
# The village decision procedure: the registers its quorums are counted from (kept with history),
# the matters, and their steps (append-only). The law's arithmetic is minsheng/villages/law.py;
# the only writer is minsheng/villages/services/matters.py.


class RegisterKind(models.TextChoices):
    """The numbers a village keeps for its quorums (the 村民代表 are a roster, `Representative`)."""

    ADULTS = "adults", _("十八周岁以上村民")
    HOUSEHOLDS = "households", _("户数")
    PARTY_MEMBERS = "party", _("党员")
    BRANCH = "branch", _("村党组织委员")
    COUNCILS = "councils", _("村“两委”成员")


class RegisterCount(models.Model):
    """One of a village's counts, effective from a date: the count on a day is the row of the
    latest `effective_from` on or before it (the latest recorded among rows of the same date).
    Rows are never changed: a new count, or a corrected one, is a new row."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="register_counts")
    kind = models.CharField(_("项目"), max_length=10, choices=RegisterKind.choices)
    value = models.PositiveIntegerField(_("人数（户数）"))
    effective_from = models.DateField(_("起算日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("村情登记")
        verbose_name_plural = _("村情登记")
        indexes: ClassVar[list[models.Index]] = [
            # The count of a kind at a date: the latest row on or before it.
            models.Index(
                fields=["board", "kind", "-effective_from", "-id"], name="villages_regcount_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board_id} {self.kind}={self.value}@{self.effective_from}"


class Representative(models.Model):
    """A member of the village's 村民代表会议 (村民代表 and the villagers' committee's members,
    组织法第二十五条), from `from_date`; `until_date` is the day from which they no longer count
    (set once, when they leave). The meeting's expected number is the roster counted at its date."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField(_("姓名"), max_length=40)
    from_date = models.DateField(_("任职起"))
    until_date = models.DateField(_("离任日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("村民代表")
        verbose_name_plural = _("村民代表")
        indexes: ClassVar[list[models.Index]] = [
            # The roster of a village (counted at a date, listed on the registers page).
            models.Index(fields=["board", "from_date"], name="villages_rep_board"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(until_date__isnull=True) | Q(until_date__gt=models.F("from_date")),
                name="villages_rep_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MatterKind(models.TextChoices):
    ROAD = "road", _("村道硬化")
    LAND = "land", _("集体土地承包")
    DIBAO = "dibao", _("低保评议")
    OTHER = "other", _("其他")


class MatterStatus(models.TextChoices):
    """Where a matter stands: the step it waits for, then 决议 and 实施结果."""

    PROPOSING = "proposing", _("① 待村党组织提议")
    CONSULTING = "consulting", _("② 待村“两委”会商议")
    REVIEWING = "reviewing", _("③ 待党员大会审议")
    RESOLVING = "resolving", _("④ 待村民代表会议或村民会议决议")
    DECIDED = "decided", _("已决议，待公开实施结果")
    DONE = "done", _("已公开实施结果")


# The status of a matter whose next step is n (1..4), and after ④ passed.
STATUS_AT_STEP: dict[int, str] = {
    1: MatterStatus.PROPOSING,
    2: MatterStatus.CONSULTING,
    3: MatterStatus.REVIEWING,
    4: MatterStatus.RESOLVING,
    5: MatterStatus.DECIDED,
}
# Statuses in which a matter waits at a step (and may be flagged as stuck).
OPEN_STATUSES = (
    MatterStatus.PROPOSING,
    MatterStatus.CONSULTING,
    MatterStatus.REVIEWING,
    MatterStatus.RESOLVING,
)


class Matter(models.Model):
    """A matter decided by 四议两公开 (村道硬化, 集体土地承包, 低保评议 …)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="matters")
    title = models.CharField(_("事项名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=8, choices=MatterKind.choices)
    description = models.TextField(_("事项说明"), blank=True)
    status = models.CharField(
        _("进度"), max_length=10, choices=MatterStatus.choices, default=MatterStatus.PROPOSING
    )
    # The step it waits for (1..4; 5 once decided) and since when: a matter waiting longer than
    # MINSHENG_VILLAGE_MATTER_STUCK_DAYS is flagged.
    next_step = models.PositiveSmallIntegerField(default=1)
    step_since = models.DateTimeField()
    # 决议公开 and 实施结果公开: the board's draft items the service created.
    resolution_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_text = models.TextField(_("实施结果"), blank=True)
    result_on = models.DateField(_("实施完成日期"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("四议两公开事项")
        verbose_name_plural = _("四议两公开事项")
        indexes: ClassVar[list[models.Index]] = [
            # A village's matters, newest first; a township's are a prefix of the same column.
            models.Index(fields=["board", "-created_at"], name="villages_matter_board"),
            # Matters waiting at a step, oldest first (the stuck ones).
            models.Index(
                fields=["step_since"],
                name="villages_matter_waiting",
                condition=Q(status__in=["proposing", "consulting", "reviewing", "resolving"]),
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(next_step__gte=1, next_step__lte=5), name="villages_matter_step"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StepMeeting(models.TextChoices):
    BRANCH = "branch", _("村党组织会议")
    COUNCILS = "councils", _("村“两委”会议")
    PARTY_ASSEMBLY = "party_assembly", _("党员大会")
    REPRESENTATIVES = "representatives", _("村民代表会议")
    ASSEMBLY = "assembly", _("村民会议")


class StepOutcome(models.TextChoices):
    PASSED = "passed", pgettext_lazy("vote", "通过")
    FAILED = "failed", pgettext_lazy("vote", "未通过")


class Step(models.Model):
    """One meeting of a matter's procedure: ① 村党组织提议 ② 村“两委”会商议 ③ 党员大会审议
    ④ 村民代表会议或村民会议决议. Append-only: a correction is a new Step that `corrects` this
    one, with a reason; the original stays, marked as corrected."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("步骤"))
    meeting = models.CharField(_("会议"), max_length=16, choices=StepMeeting.choices)
    held_on = models.DateField(_("会议日期"))
    # Attendance: `expected` is the register's number at `held_on` (never typed).
    expected = models.PositiveIntegerField(_("应到人数"))
    present = models.PositiveIntegerField(_("实到人数"))
    # 村民会议 only: households, and the households represented.
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    households_present = models.PositiveIntegerField(_("到会户代表"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    votes_abstain = models.PositiveIntegerField(_("弃权"))
    outcome = models.CharField(_("表决结果"), max_length=8, choices=StepOutcome.choices)
    resolution = models.TextField(_("决议内容"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        verbose_name=_("更正的记录"),
    )
    correction_reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事步骤")
        verbose_name_plural = _("议事步骤")
        ordering: ClassVar[list[str]] = ["matter", "number", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["matter", "number", "id"], name="villages_step_matter"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=4), name="villages_step_number"
            ),
            models.CheckConstraint(
                condition=Q(present__lte=models.F("expected")), name="villages_step_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}#{self.number}"


class StepFile(models.Model):
    """A photo or a PDF of a step's minutes (签到表, 会议记录, 表决票); its type is read from the
    content, never from the name."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="villages/matters/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事附件")
        verbose_name_plural = _("议事附件")

    def __str__(self) -> str:
        return self.original_name


# --- The law's deadlines (villages/clock.py; issue 21, part "clock and oversight") -------------


class ClockNotice(models.Model):
    """A reminder (before a deadline) or an alarm (after it) that the clock sent for one period
    of one section of one board — once: the unique constraint makes a second pass, or a second
    worker, add nothing. An alarm row is also the record that the deadline was missed: the
    oversight pages' "published on time this month/quarter" counts the villages without one."""

    class Kind(models.TextChoices):
        REMIND = "remind", _("临期提醒")
        ALARM = "alarm", _("逾期提醒")

    board = models.ForeignKey(
        Board,
        on_delete=models.CASCADE,
        related_name="clock_notices",
        db_constraint=False,
        db_index=False,  # the unique constraint's index leads with the board
    )
    section = models.CharField(_("栏目"), max_length=8, choices=Section.choices)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("所属期间起"))
    period_end = models.DateField(_("所属期间止"))
    # The last day on which publishing the period was on time (period end + grace).
    due_on = models.DateField(_("公开期限"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    sent_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("公开期限提醒")
        verbose_name_plural = _("公开期限提醒")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["board", "section", "period_start", "period_end", "kind"],
                name="villages_clocknotice_once",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The oversight figures: missed deadlines (alarms) of a window, by code prefix.
            models.Index(
                fields=["due_on", "board"],
                name="villages_notice_missed",
                condition=Q(kind="alarm"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board_id} {self.section} {self.period_start} {self.kind}"
