"""研判: landmarks for place recognition, the duplicate index, reference cases, 每月一题.

The text work itself is pure Python in minsheng.textproc (place, similar, hotspots); this app
stores what it needs and feeds it from the database.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division
from minsheng.tickets.models import Ticket


class Landmark(models.Model):
    """A name people use that is not a division: a road, an estate, a market (铭功路 → 孙口镇)."""

    class Kind(models.TextChoices):
        ROAD = "road", _("道路")
        ESTATE = "estate", _("小区")
        MARKET = "market", _("市场")
        SCHOOL = "school", _("学校")
        HAMLET = "hamlet", _("自然村/村民小组")
        SITE = "site", _("单位/场所")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=60)
    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="landmarks", verbose_name=_("所在区划")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ROAD)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("地名（路、小区、市场）")
        verbose_name_plural = _("地名（路、小区、市场）")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["name", "division"], name="insight_landmark_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.division}"


class TicketSignature(models.Model):
    """A ticket's text as the duplicate index sees it: its truncated TF-IDF vector and place.

    One row per ticket, written by minsheng.insight.index.index_ticket; `TicketTerm` holds the
    postings (one row per signature term) that a query scans.
    """

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="signature"
    )
    created_at = models.DateTimeField(db_index=True)  # the ticket's, copied for range scans
    division_code = models.CharField(max_length=12, blank=True)
    township_code = models.CharField(max_length=12, blank=True)
    vector = models.TextField(blank=True)  # "term:weight term:weight …"

    class Meta:
        verbose_name = _("工单文本索引")
        verbose_name_plural = _("工单文本索引")

    def __str__(self) -> str:
        return f"{self.ticket_id}"


class TicketTerm(models.Model):
    """Postings: ticket × signature term (a 32-bit hash), with the ticket's time for recency."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=False)
    term = models.IntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("工单索引词")
        verbose_name_plural = _("工单索引词")
        indexes: ClassVar[list[models.Index]] = [
            # The query: term = ANY(…) AND created_at >= … → ticket ids, from the index alone.
            models.Index(fields=["term", "created_at", "ticket"], name="insight_term_recent"),
            models.Index(fields=["ticket"], name="insight_term_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.term}"


class PendingSignature(models.Model):
    """A ticket waiting for the worker to file it in the duplicate index (`index.index_pending`).

    Written by database triggers on `tickets_ticket` (insight migration 0002, both databases):
    every new ticket, and a ticket whose title, description or place changes, gets a row here
    in the transaction that wrote it, so every channel (the desk, the REST API, Open311, an
    import) is covered and the intake pays no more than one tiny insert. No foreign key, like
    the search's word table: a ticket deleted meanwhile is dropped by the worker.
    """

    ticket_id = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = _("待索引工单")
        verbose_name_plural = _("待索引工单")

    def __str__(self) -> str:
        return f"{self.ticket_id}"


class ReferenceCase(models.Model):
    """A past question with its official answer, shown to handlers as a reference.

    Kept apart from tickets on purpose: imported history (the demo loads real board messages
    from another city) must not enter the 三率, the rankings, the deadlines or ticket search.
    Closed tickets with replies serve as references too (minsheng.insight.index).
    """

    source = models.CharField(_("来源"), max_length=40)
    source_id = models.CharField(_("来源编号"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    question = models.TextField(_("诉求内容"))
    reply = models.TextField(_("答复"))
    asked_at = models.DateTimeField(_("诉求时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    vector = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("历史答复参考")
        verbose_name_plural = _("历史答复参考")
        ordering: ClassVar[list[str]] = ["-replied_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["source", "source_id"], name="insight_reference_unique")
        ]

    def __str__(self) -> str:
        return self.title


class MonthlyTheme(models.Model):
    """每月一题: the month's recurring problem, chosen from a hot issue, with its tickets."""

    month = models.DateField(_("月份"), unique=True)  # the first day of the month
    title = models.CharField(_("题目"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    top_words = models.CharField(_("关键词"), max_length=200, blank=True)
    tickets = models.ManyToManyField(Ticket, related_name="monthly_themes", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("每月一题")
        verbose_name_plural = _("每月一题")
        ordering: ClassVar[list[str]] = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"


class InsightAudit(models.Model):
    """Who did what in this app, with old and new values (an append-only trail)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    theme = models.ForeignKey(
        MonthlyTheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("研判操作记录")
        verbose_name_plural = _("研判操作记录")
        ordering: ClassVar[list[str]] = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
