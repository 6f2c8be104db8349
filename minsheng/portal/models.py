"""The citizens' side keeps only what proving a phone and finding one's ticket need: the SMS
codes (hashed), the receipt of each report (its query code, hashed; the submission's key that
makes a resent form one ticket) and failed lookups (for the lockout). The ticket itself, its
photos and its timeline are the ticket core's, written by its services."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.tickets.models import Ticket


class PhoneCode(models.Model):
    """One SMS code sent to a phone: valid CODE_MINUTES, used once, a few tries."""

    class Purpose(models.TextChoices):
        REPORT = "report", _("反映诉求")
        TRACK = "track", _("查询诉求")

    phone = models.CharField(max_length=20)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["phone", "created_at"], name="portal_code_phone"),
            models.Index(fields=["address", "created_at"], name="portal_code_address"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class Receipt(models.Model):
    """What a citizen's report left on the citizens' side: how to find it again."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="receipt")
    query_hash = models.CharField(max_length=64)
    submission_key = models.CharField(max_length=64, unique=True)
    wants_public = models.BooleanField(_("愿意公开"), default=False)
    # The configured sensitive words the report contained ("" for none): such a report is never
    # published without a moderator (MINSHENG_SENSITIVE_ACTION=hold).
    screened = models.CharField(_("敏感词"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群众端受理回执")
        verbose_name_plural = _("群众端受理回执")

    def __str__(self) -> str:
        return self.ticket.number


class LookupFailure(models.Model):
    """A wrong query code: tries are limited per ticket number and per address."""

    number = models.CharField(max_length=32)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["number", "at"], name="portal_fail_number"),
            models.Index(fields=["address", "at"], name="portal_fail_address"),
        ]

    def __str__(self) -> str:
        return self.number
