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
