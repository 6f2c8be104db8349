"""服务点 / 服务矩阵 (service points): where a unit serves people — a township hall's window, a
护学岗 at a school gate, a campaign's temporary point — the villages each point serves, and the
entries of service given there. Imported by `governance/models.py` (its last block), so the
tables belong to the governance app; a module of its own keeps the other blocks' merges apart.

The population a point or a township's matrix covers is never stored: it is read from the
population register (`minsheng.org.population`) over the villages served. The only writer is
minsheng/governance/services/servicepoints.py; every write appends a ServicePointEvent in its
transaction. Reads and the matrix: minsheng/governance/servicepoints.py.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division, Unit


class ServicePoint(models.Model):
    """A point where a unit serves people, at a place (a township or one of its villages)."""

    class Kind(models.TextChoices):
        WINDOW = "window", _("便民服务窗口")
        SCHOOL_GUARD = "guard", _("护学岗")
        TEMPORARY = "temporary", _("临时服务点")
        STATION = "station", _("综合服务站")
        OTHER = "other", _("其他")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="service_points", verbose_name=_("服务单位")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    # The name of a custom kind (类型为“其他”时填写, e.g. 流动服务车).
    kind_label = models.CharField(_("自定义类型"), max_length=20, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在乡镇或村")
    )
    # The place's township (the place itself when it is one), kept on the row: a township's
    # points are one indexed filter.
    township = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    hours = models.CharField(_("服务时间"), max_length=200, blank=True)
    services = models.JSONField(_("服务内容"), default=list, blank=True)  # ["政策咨询", "代办"]
    # Serves every village of its township, those added later too (a township hall's window).
    whole_township = models.BooleanField(_("服务全乡镇"), default=False)
    villages: models.ManyToManyField[Division, ServicePointVillage] = models.ManyToManyField(
        Division,
        through="ServicePointVillage",
        through_fields=("point", "village"),
        related_name="+",
        blank=True,
        verbose_name=_("服务的村（社区）"),
    )
    campaign = models.ForeignKey(
        "governance.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_points",
        verbose_name=_("所属专项行动"),
    )
    # The active period: empty ends are open (a permanent point has neither).
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务点")
        verbose_name_plural = _("服务点")
        ordering: ClassVar[list[str]] = ["township_id", "kind", "name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="gov_point_period",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["township", "kind"], name="gov_point_township"),
            models.Index(fields=["unit"], name="gov_point_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_name(self) -> str:
        if self.kind == self.Kind.OTHER and self.kind_label:
            return self.kind_label
        return str(self.get_kind_display())


class ServicePointVillage(models.Model):
    """A village a point serves (many per point; a village may be served by several points)."""

    point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="served")
    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    # The point's township, kept on the row: a township's matrix reads its rows by one index.
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("服务的村（社区）")
        verbose_name_plural = _("服务的村（社区）")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["point", "village"], name="gov_point_village_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["township", "village"], name="gov_point_village_township"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} → {self.village_id}"


class ServiceEntry(models.Model):
    """An entry of service given at a point: on a day, a kind of service, how many (e.g. the
    高考 point's 192 families)."""

    point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField(_("服务日期"))
    service = models.CharField(_("服务内容"), max_length=20)
    count = models.PositiveIntegerField(_("服务人次"))
    note = models.CharField(_("备注"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The form's one-time token: a resent form finds this entry instead of recording another.
    token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering: ClassVar[list[str]] = ["-date", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["point", "date"], name="gov_service_entry_point"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.date} {self.service} {self.count}"


class ServicePointEvent(models.Model):
    """The service points' audit trail, append-only: one row per write, in its transaction."""

    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(
        ServicePoint, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    verb = models.CharField(max_length=16)  # "created", "updated", "entry"
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务点操作记录")
        verbose_name_plural = _("服务点操作记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["township", "-at"], name="gov_point_event_township"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.verb}"
