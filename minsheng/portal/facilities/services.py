"""The citizens' side's guards around a facility's problem report, the same as the report's
(portal/services.py): the installation's sensitive words, photos checked and cleaned by their
content (no GPS kept), a phone only when proven by an SMS code, and a limit per network address
(MINSHENG_FACILITY_REPORTS_PER_ADDRESS_HOUR; the address is kept only as a keyed hash). Then one
service of the facilities app makes the ticket (`facility_report`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from minsheng.facilities.models import Facility, FacilityTicket
from minsheng.facilities.services.reports import NewProblem, existing, facility_report
from minsheng.portal import photos
from minsheng.portal.codes import Refused
from minsheng.portal.services import screen

MAX_PHOTOS = 3


def sender_hash(address: str | None) -> str:
    return salted_hmac("minsheng.facilities.sender", address or "-").hexdigest()


def citizen_facility_report(
    *,
    facility: Facility,
    problem: str,
    text: str,
    submission_key: str,
    phone: str | None,
    address: str | None,
    uploads: list[Any],
) -> tuple[FacilityTicket, bool]:
    """(the link to the ticket, whether this form had made it before); Refused with the reason."""
    earlier = existing(submission_key)
    if earlier is not None:
        return earlier, True
    sender = sender_hash(address)
    hour = timezone.now() - dt.timedelta(hours=1)
    recent = FacilityTicket.objects.filter(sender=sender, created_at__gte=hour).count()
    if recent >= int(settings.MINSHENG_FACILITY_REPORTS_PER_ADDRESS_HOUR):
        raise Refused(_("当前网络反映的次数太多，请稍后再试或拨打 12345。"))
    found = screen().find(text)
    if found and settings.MINSHENG_SENSITIVE_ACTION == "refuse":
        raise Refused(
            _("内容含有不宜使用的词语（%(w)s），请修改后再提交。") % {"w": "、".join(found[:5])}
        )
    if len(uploads) > MAX_PHOTOS:
        raise Refused(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
    prepared = tuple(photos.prepare(u, keep_place=False)[0] for u in uploads)
    return facility_report(
        facility=facility,
        report=NewProblem(
            problem=problem,
            text=text,
            submission_key=submission_key,
            phone=phone or "",
            sender=sender,
            photos=prepared,
        ),
    )
