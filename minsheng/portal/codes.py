"""Proving a phone (手机验证码): a six-digit code by SMS through the outbox, valid for
CODE_MINUTES, used once, a few tries; codes are limited per phone and per address, with a plain
Chinese reason when a limit is hit. Only a keyed hash of a code is stored."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from minsheng.notify.services import enqueue
from minsheng.portal.models import PhoneCode
from minsheng.textproc.pii import normalize_phone

CODE_MINUTES = 5
TRIES_PER_CODE = 5
RESEND_SECONDS = 60


class Refused(ValueError):
    """The citizen's request cannot go on; the message says why, in Chinese."""


def mobile(raw: str) -> str:
    """The 11-digit mobile number in `raw`, or Refused: codes go by SMS, so only mobiles."""
    phone = normalize_phone(raw or "") or ""
    if not (len(phone) == 11 and phone.startswith("1") and phone.isdigit()):
        raise Refused(_("请填写 11 位手机号码。"))
    return phone


def _hash(phone: str, purpose: str, code: str) -> str:
    return salted_hmac("minsheng.portal.code", f"{phone}:{purpose}:{code}").hexdigest()


def _limits(phone: str, purpose: str, address: str | None, now: dt.datetime) -> None:
    hour = now - dt.timedelta(hours=1)
    recent = PhoneCode.objects.filter(phone=phone, created_at__gte=hour)
    resend = now - dt.timedelta(seconds=RESEND_SECONDS)
    if recent.filter(purpose=purpose, created_at__gte=resend).exists():
        raise Refused(_("验证码已发送，请 1 分钟后再重新获取。"))
    if recent.count() >= int(settings.MINSHENG_PORTAL_CODES_PER_PHONE_HOUR):
        raise Refused(_("这个号码获取验证码的次数太多，请 1 小时后再试。"))
    if address and PhoneCode.objects.filter(address=address, created_at__gte=hour).count() >= int(
        settings.MINSHENG_PORTAL_CODES_PER_ADDRESS_HOUR
    ):
        raise Refused(_("当前网络获取验证码的次数太多，请稍后再试。"))


@transaction.atomic
def send_code(*, phone: str, purpose: str, address: str | None) -> PhoneCode:
    """Send a new code to `phone` (raw input) for `purpose`; Refused when a limit is hit."""
    if purpose not in PhoneCode.Purpose.values:
        raise Refused(_("请求无效。"))
    number = mobile(phone)
    now = timezone.now()
    _limits(number, purpose, address, now)
    code = f"{secrets.randbelow(10**6):06d}"
    row = PhoneCode.objects.create(
        phone=number,
        purpose=purpose,
        code_hash=_hash(number, purpose, code),
        address=address,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    enqueue(
        key=f"portal:code:{row.pk}",
        channel="sms",
        recipient=number,
        template="portal_code_sms",
        context={"code": code, "minutes": CODE_MINUTES},
    )
    return row


def check_code(*, phone: str, purpose: str, code: str) -> str:
    """The phone (normalised) if `code` is the latest unused, unexpired code sent to it for
    `purpose`; the code is then used up. Refused otherwise; a wrong code counts a try (kept:
    the refusal is raised after the transaction that counted it)."""
    number = mobile(phone)
    code = (code or "").strip()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=number, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        now = timezone.now()
        if row is None or row.expires_at <= now:
            problem = _("验证码已过期或尚未获取，请重新获取。")
        elif row.tries >= TRIES_PER_CODE:
            problem = _("验证码错误次数太多，请重新获取。")
        elif not (code.isascii() and code.isdigit() and len(code) == 6) or not (
            constant_time_compare(row.code_hash, _hash(number, purpose, code))
        ):
            PhoneCode.objects.filter(pk=row.pk).update(tries=row.tries + 1)
            problem = _("验证码不正确，请核对短信后重新输入。")
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            return number
    raise Refused(problem)
