"""The 接诉即办 core: tickets (工单), their assignments to units, their timeline, the dispatch
catalogue (派单目录) and the knowledge base (知识库).

Nothing here changes state on its own: every change goes through minsheng.tickets.actions,
which checks permissions, writes the timeline event and bumps `Ticket.version` in one transaction.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division, Unit


class Category(models.Model):
    """A node of the category tree (诉求分类); leaves are what tickets are filed under."""

    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("层级"))
    full_name = models.CharField(
        _("完整名称"), max_length=200, unique=True
    )  # 城乡建设/安全生产/事故处理
    is_active = models.BooleanField(_("启用"), default=True)
    # What callers say for this matter ("没水|断水|水管爆"), "|"-separated: the router's
    # lexicon (insight.triage) reads the leaf's name, its ancestors' names and these.
    synonyms = models.TextField(_("同义词"), blank=True, help_text=_("来电常用说法，用“|”分隔。"))

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering: ClassVar[list[str]] = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    def ancestors_and_self(self) -> list[Category]:
        chain: list[Category] = []
        node: Category | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class CatalogueEntry(models.Model):
    """派单目录: who is responsible for a category, optionally only within one township.

    Lookups go from the most specific (leaf category + township) to the least (root category,
    any township), so a county can say "roads belong to 交通运输局" once and override per township.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="catalogue")
    township = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("乡镇（可选）")
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("责任单位")
    )
    # 属地管理: the township government of the ticket's place, whichever township that is
    # (a village's street lamp, its roads, its rubbish). Without a place the entry does not
    # apply and the lookup goes on up the tree.
    to_township = models.BooleanField(
        _("属地乡镇"), default=False, help_text=_("由诉求所在乡镇（街道）的人民政府办理。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["category", "township"], name="tickets_catalogue_unique"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(township__isnull=True),
                name="tickets_catalogue_unique_default",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, to_township=False)
                | models.Q(unit__isnull=True, to_township=True),
                name="tickets_catalogue_unit_or_township",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.unit or _('属地乡镇')}"


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("电话")
    WEB = "web", _("网站")
    H5 = "h5", _("手机网页")
    OPEN311 = "open311", _("应用接口")
    PATROL = "patrol", _("巡查")
    VISIT = "visit", _("走访")
    IMPORT = "import", _("导入")
    # Work a township's 民生议事会 decided (minsheng/governance): tickets like any other.
    COUNCIL = "council", _("议事会")


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Urgency(models.TextChoices):
    GENERAL = "general", _("一般")
    UTILITIES = "utilities", _("水电气暖")
    COMPLEX = "complex", _("复杂")
    EMERGENCY = "emergency", _("紧急")


class Status(models.TextChoices):
    NEW = "new", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("退单待审")
    REPLIED = "replied", _("待回访")
    CLOSED = "closed", _("已办结")
    TRANSFERRED = "transferred", _("已转警情")
    MERGED = "merged", _("已并单")


OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED, Status.REPLIED)


class CloseReason(models.TextChoices):
    DIRECT_ANSWER = "direct_answer", _("直接答复")
    LEGAL_CHANNEL = "legal_channel", _("告知法定途径")
    CALLBACK = "callback", _("回访办结")
    HOTLINE = "hotline", _("热线办结")
    MASTER = "master", _("随主单办结")


class ReplyResult(models.TextChoices):
    RESOLVED = "resolved", _("已解决")
    PARTLY_RESOLVED = "partly_resolved", _("部分解决")
    EXPLAINED = "explained", _("已解释说明")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Ticket(models.Model):
    number = models.CharField(_("工单号"), max_length=16, unique=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("诉求类型"), max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("分类"),
        # (category, created_at) serves every lookup by category; a plain index would only
        # cost every write (the sweep rewrites every index of each ticket it touches).
        db_index=False,
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.GENERAL
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("诉求内容"))
    # The citizen. `citizen_phone` is normalised (digits, landlines as 0393-1234567).
    citizen_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    # Looked up by equality only: indexed in Meta (db_index on a CharField would add a second,
    # LIKE-pattern index on PostgreSQL that no query uses).
    citizen_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    citizen_id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    confidential = models.BooleanField(_("保密"), default=False)
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所在区划")
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    # The operator's word that the address is a public place (a road, a market, a school gate),
    # not someone's home: only then is it published (Open311) as given.
    address_public = models.BooleanField(_("地址为公共场所"), default=False)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    affected_population = models.PositiveIntegerField(_("涉及人数"), default=1)

    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEW)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    lead_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("主办单位"),
        # Composite indexes lead with it ((lead_unit, status), (lead_unit, reply_due), and the
        # statistics' (lead_unit, closed_at) …): a plain one would only cost every write.
        db_index=False,
    )  # copy of the active lead assignment's unit, for lists and filters
    master = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_tickets",
        verbose_name=_("主工单"),
        db_index=False,  # a partial index in Meta: few tickets are merged into another
    )
    reply_result = models.CharField(
        _("答复结果"), max_length=16, choices=ReplyResult.choices, blank=True
    )
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    close_reason = models.CharField(
        _("办结方式"), max_length=16, choices=CloseReason.choices, blank=True
    )
    transferred_to = models.CharField(_("转接"), max_length=8, blank=True)  # 110/119/120/122
    satisfaction = models.CharField(
        _("满意度"), max_length=24, choices=Satisfaction.choices, blank=True
    )  # from the last successful callback
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0)
    # Deadlines as data (minsheng/deadlines/schedule.py sets them in the services).
    dispatch_started_at = models.DateTimeField(null=True, blank=True)
    dispatch_due = models.DateTimeField(_("派单时限"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due = models.DateTimeField(_("签收时限"), null=True, blank=True)
    contact_due = models.DateTimeField(_("联系时限"), null=True, blank=True)
    reply_due = models.DateTimeField(_("答复时限"), null=True, blank=True)
    callback_due = models.DateTimeField(_("回访时限"), null=True, blank=True)
    deadlines_provisional = models.BooleanField(_("时限待定"), default=False)
    paused_at = models.DateTimeField(_("暂停计时"), null=True, blank=True)
    # Set by the worker's first overdue alarm. No index covers it, so that the sweep's write of
    # it can be a HOT update. When the worker next looks at the ticket is not here but in
    # deadlines.DeadlineCheck, for the same reason.
    overdue_at = models.DateTimeField(_("首次超期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("受理时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)
    # Bumped by every service call; a form posts the version it showed, so a stale page is
    # refused instead of silently overwriting someone else's action.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["division", "created_at"]),
            models.Index(fields=["category", "created_at"]),
            models.Index(fields=["status", "reply_due"]),
            models.Index(fields=["lead_unit", "reply_due"]),
            models.Index(fields=["citizen_phone"], name="tickets_ticket_phone"),
            models.Index(
                fields=["master"], name="tickets_ticket_merged", condition=Q(master__isnull=False)
            ),
            # The statistics' drill-down lists (stats.drill.tickets_behind): a figure dated by
            # closing, the contact deadline, the reply deadline or intake lists its tickets by
            # that column, for the whole installation or for one lead unit.
            models.Index(fields=["closed_at"], name="stats_ticket_closed_at"),
            models.Index(fields=["contact_due"], name="stats_ticket_contact_due"),
            models.Index(fields=["reply_due"], name="stats_ticket_reply_due"),
            models.Index(fields=["lead_unit", "closed_at"], name="stats_ticket_lead_closed"),
            models.Index(fields=["lead_unit", "created_at"], name="stats_ticket_lead_created"),
            models.Index(fields=["lead_unit", "contact_due"], name="stats_ticket_lead_contact"),
            # Used by the late-reply list (按时答复 not met): a few per cent of the reply
            # deadlines; stats.drill.measure_q states the same condition.
            models.Index(
                fields=["reply_due"],
                name="stats_ticket_reply_late",
                condition=Q(replied_at__isnull=True) | Q(replied_at__gt=F("reply_due")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # Every list row shows these two. Django's generated get_FOO_display rebuilds a dict of the
    # field's choices on each call, a hundred times on a page of 50 rows; the enum's own lookup
    # is a tenth of that. An unknown value shows as itself, as Django's does.
    def get_status_display(self) -> str:  # type: ignore[no-redef]  # replaces the generated one
        return _choice_label(Status, self.status)

    def get_kind_display(self) -> str:  # type: ignore[no-redef]  # replaces the generated one
        return _choice_label(Kind, self.kind)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketSequence(models.Model):
    """The last number handed out on a day; the ticket number is YYMMDD + this sequence."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class ActionToken(models.Model):
    """The one-time token of an action form on the ticket page (office/ticket.py): a resent
    form (a dropped connection, a double tap, the browser's resend) records nothing twice.

    Kept in the same transaction as the action (`actions.ticket_action_once`); the key is
    unique, so of two copies posted at once the second fails and rolls back, and the version
    check would refuse it anyway. `action` is what the token was used for.
    """

    key = models.UUIDField(primary_key=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never looked up by user: the key is the lookup
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("操作表单令牌")
        verbose_name_plural = _("操作表单令牌")

    def __str__(self) -> str:
        return str(self.key)


class IntakeToken(models.Model):
    """The desk form's one-time token (office/desk.py), kept with the ticket the form created.

    The same form sent again (a network retry, a double click, the browser's resend) finds the
    ticket instead of creating a second (`actions.ticket_intake_once`). The key is unique (the
    primary key), so two copies posted at the same moment end with one ticket: the second's
    insert waits for the first's commit, fails, and its whole intake rolls back. `fingerprint`
    is what the form said (a hash), so that a changed form under an old token is refused rather
    than answered with another call's ticket.
    """

    key = models.UUIDField(primary_key=True)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never looked up by user: the key is the lookup
    )
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("受理表单令牌")
        verbose_name_plural = _("受理表单令牌")

    def __str__(self) -> str:
        return f"{self.key} → {self.ticket_id}"


class Assignment(models.Model):
    """An assignment (承办任务): one unit's share of a ticket in one round: the lead (主办), an assistant (协办), or a
    sub-task (分解/下派) that a unit gave to one of its stations or teams."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        ASSIST = "assist", _("协办")
        SUBTASK = "subtask", _("下派")

    class State(models.TextChoices):
        PENDING = "pending", _("待签收")
        SIGNED = "signed", _("办理中")
        RETURN_REQUESTED = "return_requested", _("申请退单")
        REPLIED = "replied", _("已答复")
        CANCELLED = "cancelled", _("已撤销")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="subtasks"
    )
    round = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    instructions = models.TextField(_("办理要求"), blank=True)
    state_before_return = models.CharField(max_length=20, blank=True)
    return_reason = models.TextField(_("退单理由"), blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacted_at = models.DateTimeField(null=True, blank=True)
    reply_result = models.CharField(max_length=16, choices=ReplyResult.choices, blank=True)
    reply_text = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("承办任务")
        verbose_name_plural = _("承办任务")
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["ticket", "round"]),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} · {self.unit} · {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.state not in (self.State.CANCELLED,)


# The timeline events the statistics count (stats.derive.EVENT_ACTIONS).
RETURNS_AND_REOPENS = Q(action__in=["return", "reopen"])


class TicketEvent(models.Model):
    """The timeline: append-only, one row per action, the audit trail and the ticket's history."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("动作"), max_length=32)
    old_status = models.CharField(max_length=16, blank=True)
    new_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Whether citizens may read it (progress shown on public pages and Open311 notes).
    public = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("工单流转记录")
        verbose_name_plural = _("工单流转记录")
        ordering: ClassVar[list[str]] = ["at", "id"]
        # Returns and reopens are a few of millions of events: partial indexes find a period's
        # (stats drill-downs), a unit's (a small unit's drill-down) and a ticket's (the
        # rollup's derivation, stats.rollup.load) without reading the rest.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["at"], name="stats_event_rr_at", condition=RETURNS_AND_REOPENS),
            models.Index(
                fields=["ticket"], name="stats_event_rr_ticket", condition=RETURNS_AND_REOPENS
            ),
            models.Index(
                fields=["unit", "at"], name="stats_event_rr_unit", condition=RETURNS_AND_REOPENS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"


class Callback(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks")
    round = models.PositiveSmallIntegerField()
    reached = models.BooleanField(_("是否联系上"))
    resolved = models.BooleanField(_("是否解决"), null=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=24, choices=Satisfaction.choices, blank=True
    )
    comment = models.TextField(_("回访意见"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    # The round's verdict: its last reached callback (services.ticket_callback moves the flag).
    # The satisfaction and resolution lists of the statistics find a period's verdicts by it.
    verdict = models.BooleanField(_("本轮回访结论"), default=False, db_default=False)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["at"], condition=models.Q(verdict=True), name="tickets_callback_verdict_at"
            ),
            # The callbacks of a period, for the statistics' drill-down lists.
            models.Index(fields=["at"], name="stats_callback_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} 回访 {self.get_satisfaction_display()}"


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已驳回")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extension_requests")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField(_("延期天数"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(state="pending"), name="one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} 延期 {self.days} 天"


class Supervision(models.Model):
    """督办: a supervisor's instruction on a ticket, with its own deadline."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="supervisions")
    note = models.TextField(_("督办意见"))
    due_at = models.DateTimeField(_("督办期限"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")

    def __str__(self) -> str:
        return f"{self.ticket_id} 督办"


class Praise(models.Model):
    class Kind(models.TextChoices):
        PRAISE = "praise", _("表扬")
        BANNER = "banner", _("锦旗")
        LETTER = "letter", _("感谢信")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="praises")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="praises"
    )
    kind = models.CharField(_("形式"), max_length=8, choices=Kind.choices)
    note = models.TextField(_("内容"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表扬")
        verbose_name_plural = _("表扬")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()}"


PHOTO_STAGES = [("before", _("整改前")), ("after", _("整改后"))]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"tickets/{instance.ticket.number}/{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A handler's photo (office, the phone): the progress note or reply it came with, whether
    # it shows the site before or after the work, a small copy for the ticket page's
    # thumbnails, and the camera's time and (only where the handler allowed it) its position.
    # The file itself never keeps metadata (lib/images.clean_jpeg).
    event = models.ForeignKey(
        "TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    stage = models.CharField(max_length=8, blank=True, choices=PHOTO_STAGES)
    thumbnail = models.FileField(upload_to=attachment_path, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class KnowledgeArticle(models.Model):
    """知识库: authoritative, dated answers operators read out to callers."""

    title = models.CharField(_("标题"), max_length=200)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("分类")
    )
    body = models.TextField(_("正文"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    # Normalised, space-separated character bigrams of title and body: a portable index that
    # lets Chinese text (which has no spaces) be searched by words on SQLite and PostgreSQL.
    search_text = models.TextField(editable=False, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库")
        ordering: ClassVar[list[str]] = ["-updated_at"]

    def __str__(self) -> str:
        return self.title
