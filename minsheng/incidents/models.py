"""重大突发事件: a major incident raised from tickets, the resources registered beforehand, their
mobilisation and acknowledgement, the situation log, the residents' notice register and the
broadcasts to it, and the audit trail. Services (`services/`) are the only writers."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division, Unit
from minsheng.tickets.models import Ticket


class Kind(models.TextChoices):
    WATER = "water", _("停水")
    POWER = "power", _("停电")
    GAS = "gas", _("燃气")
    FLOOD = "flood", _("洪涝")
    ROAD = "road", _("道路中断")
    POLLUTION = "pollution", _("环境污染")
    HEALTH = "health", _("公共卫生")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    # 国家突发公共事件总体应急预案: four grades, IV (一般) to I (特别重大).
    GENERAL = "4", _("一般")
    LARGER = "3", _("较大")
    MAJOR = "2", _("重大")
    GRAVE = "1", _("特别重大")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("处置中")
    CLOSED = "closed", _("已结束")


class Incident(models.Model):
    Status = IncidentStatus

    kind = models.CharField(_("事件类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("事件名称"), max_length=200)
    severity = models.CharField(_("事件等级"), max_length=1, choices=Severity.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    divisions = models.ManyToManyField(Division, verbose_name=_("受影响村庄"), related_name="+")
    # Both kept: the register's figure when raised, and what the dispatcher typed over it.
    population_computed = models.PositiveIntegerField(_("登记人口合计"), null=True, blank=True)
    population_override = models.PositiveIntegerField(_("修正影响人数"), null=True, blank=True)
    started_at = models.DateTimeField(_("发生时间"))
    restored_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The after-action summary, written once by `incident_close` (facts, not recomputed later).
    summary = models.JSONField(_("处置总结"), default=dict, blank=True)
    summary_text = models.TextField(_("处置总结"), blank=True)

    class Meta:
        verbose_name = _("重大突发事件")
        verbose_name_plural = _("重大突发事件")
        ordering: ClassVar[list[str]] = ["-started_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            # The list page: open ones first, newest first.
            models.Index(fields=["status", "-started_at"], name="incidents_incident_list"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def affected_population(self) -> int | None:
        if self.population_override is not None:
            return self.population_override
        return self.population_computed


class IncidentTicket(models.Model):
    """A ticket of the incident. A ticket belongs to at most one open incident: the partial
    unique index is the guard that makes two dispatchers raising at once end with one incident
    (the service also locks the tickets first, so the loser is shown the winner's incident)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="+")
    is_open = models.BooleanField(default=True)  # False once the incident is closed
    merged = models.BooleanField(_("已并单"), default=False)
    # What closing did to the ticket: replied / noted (the dispatcher's 催办 with the summary) /
    # left (already replied or closed).
    outcome = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(is_open=True), name="incidents_one_open_per_ticket"
            ),
            models.UniqueConstraint(fields=["incident", "ticket"], name="incidents_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.ticket_id}"


class Team(models.Model):
    """A unit's team (队伍): the 水利局's repair crew, a township's emergency team."""

    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT)
    name = models.CharField(_("队伍名称"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)  # masked on pages
    members = models.PositiveIntegerField(_("人数"), default=0)
    is_active = models.BooleanField(_("可调用"), default=True)

    class Meta:
        verbose_name = _("应急队伍")
        verbose_name_plural = _("应急队伍")
        ordering: ClassVar[list[str]] = ["unit__code", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["unit", "name"], name="incidents_team_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class MachineKind(models.TextChoices):
    EXCAVATOR = "excavator", _("挖掘机")
    PUMP = "pump", _("抽水泵")
    TRACTOR = "tractor", _("拖拉机")
    HARVESTER = "harvester", _("收割机")
    GENERATOR = "generator", _("发电机")
    TRUCK = "truck", _("运输车")
    WATER_TRUCK = "water_truck", _("送水车")
    OTHER = "other", _("其他")


class Machine(models.Model):
    """A vehicle or machine, owned by a unit or by a company (the seed's 奶牛场)."""

    kind = models.CharField(_("类型"), max_length=16, choices=MachineKind.choices)
    label = models.CharField(_("车牌/型号"), max_length=60)
    count = models.PositiveIntegerField(_("数量"), default=1)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner_company = models.CharField(_("所属企业"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)  # masked on pages
    is_active = models.BooleanField(_("可调用"), default=True)

    class Meta:
        verbose_name = _("车辆机械")
        verbose_name_plural = _("车辆机械")
        ordering: ClassVar[list[str]] = ["kind", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # A unit or a company, never both, never neither.
            models.CheckConstraint(
                condition=(Q(owner_unit__isnull=False) & Q(owner_company=""))
                | (Q(owner_unit__isnull=True) & ~Q(owner_company="")),
                name="incidents_machine_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"

    @property
    def owner(self) -> str:
        return (
            self.owner_unit.name if self.owner_unit_id and self.owner_unit else self.owner_company
        )


class Volunteer(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)  # masked on pages
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    village = models.ForeignKey(
        Division,
        verbose_name=_("所在村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("可调用"), default=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["name", "phone"], name="incidents_volunteer_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerGroup(models.Model):
    name = models.CharField(_("志愿队名称"), max_length=100, unique=True)
    members = models.ManyToManyField(Volunteer, verbose_name=_("成员"), related_name="groups")

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourceKind(models.TextChoices):
    TEAM = "team", _("队伍")
    MACHINE = "machine", _("车辆机械")
    VOLUNTEER = "volunteer", _("志愿者")
    GROUP = "group", _("志愿服务队")


class Mobilisation(models.Model):
    """One resource assigned to an incident (调度), notified once and acknowledged once."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="mobilisations")
    kind = models.CharField(_("资源类型"), max_length=16, choices=ResourceKind.choices)
    resource_id = models.BigIntegerField()
    label = models.CharField(_("资源"), max_length=200)  # as it was when assigned
    task = models.CharField(_("任务"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("调度时间"), default=timezone.now)
    notified = models.PositiveIntegerField(_("通知条数"), default=0)
    acked_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ack_channel = models.CharField(_("确认方式"), max_length=8, blank=True)  # inapp / phone
    ack_note = models.CharField(_("确认说明"), max_length=200, blank=True)
    reply_code = models.CharField(_("回复码"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("资源调度")
        verbose_name_plural = _("资源调度")
        ordering: ClassVar[list[str]] = ["assigned_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # Assigning the same resource twice is one assignment (and one notice).
            models.UniqueConstraint(
                fields=["incident", "kind", "resource_id"], name="incidents_mobilisation_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class LogKind(models.TextChoices):
    PLAN = "plan", _("启动预案")
    ON_SITE = "on_site", _("抢修人员到场")
    CUT = "cut", _("停水抢修")
    RESTORED = "restored", _("恢复供水")
    NOTE = "note", _("情况说明")


class LogEntry(models.Model):
    """态势日志: what happened when (the time it happened, which may be before it was typed)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类型"), max_length=16, choices=LogKind.choices)
    text = models.CharField(_("内容"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("态势日志")
        verbose_name_plural = _("态势日志")
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class NoticeSubscriber(models.Model):
    """A resident's phone registered to receive a village's notices (同意接收通知短信).

    The phone is needed to send, so it is stored, but no page shows it unmasked and no log line
    carries it; `phone_hash` (HMAC keyed by SECRET_KEY) de-duplicates without comparing numbers.
    """

    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("手机号"), max_length=20)
    phone_hash = models.CharField(max_length=64)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    opted_in_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    opted_out_at = models.DateTimeField(_("退订时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知短信登记")
        verbose_name_plural = _("通知短信登记")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["village", "phone_hash"], name="incidents_subscriber_unique"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The broadcast: the subscribed phones of the affected villages.
            models.Index(
                fields=["village"],
                condition=Q(opted_out_at__isnull=True),
                name="incidents_subscriber_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} #{self.pk}"  # never the phone


class Broadcast(models.Model):
    """One broadcast SMS; its rows are in the outbox under `key_prefix`, counted from there."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="broadcasts")
    token = models.CharField(max_length=64, unique=True)  # the form's one-time key
    text = models.CharField(_("短信内容"), max_length=300)
    recipients = models.PositiveIntegerField(_("发送人数"), default=0)
    per_minute = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("群发短信")
        verbose_name_plural = _("群发短信")
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"broadcast {self.pk}"

    @property
    def key_prefix(self) -> str:
        return f"incident-bc:{self.pk}:"


class Event(models.Model):
    """The audit trail, append-only; never holds a phone."""

    incident = models.ForeignKey(Incident, null=True, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.verb
