"""What a citizen does on the citizens' side, through the ticket core's services: a report is
`ticket_intake` (channel 手机网页) plus `ticket_attach` for each photo; a rating is
`ticket_callback` — the same 回访 as the operator's, counted in 满意率 the same way — and, when
unsatisfied, `ticket_reopen` for another round where the rules allow it. The citizens' side acts
through its own service account (an operator that cannot log in), so the timeline says who."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from minsheng.notify.services import enqueue
from minsheng.org.models import Division, Role, RoleGrant, User
from minsheng.portal import photos
from minsheng.portal.board import services as board
from minsheng.portal.codes import Refused
from minsheng.portal.models import Receipt
from minsheng.textproc.screen import Screen
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidTransition
from minsheng.tickets.models import Channel, Kind, Satisfaction, Ticket

ACCOUNT = "portal-h5"
MAX_PHOTOS = 6
MIN_TEXT = 5
MAX_TEXT = 2000
TITLE_CHARS = 30


def portal_actor() -> User:
    """The citizens' side's service account (话务员 role, no usable password)."""
    user = User.objects.filter(username=ACCOUNT).first()
    if user is None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=ACCOUNT, defaults={"display_name": "群众端（手机网页）"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            RoleGrant.objects.get_or_create(user=user, role=Role.OPERATOR)
    return user


def query_hash(number: str, code: str) -> str:
    return salted_hmac("minsheng.portal.query", f"{number}:{code}").hexdigest()


@dataclass
class NewReport:
    phone: str  # proven by an SMS code
    kind: str
    text: str
    division: Division | None
    submission_key: str
    address: str = ""
    name: str = ""
    anonymous: bool = False
    confidential: bool = False
    wants_public: bool = False
    share_place: bool = False
    lat: Decimal | None = None
    lng: Decimal | None = None
    photos: list[Any] = field(default_factory=list)


def _title(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:TITLE_CHARS] + ("…" if len(first) > TITLE_CHARS else "")


_screens: dict[tuple[object, ...], Screen] = {}


def screen() -> Screen:
    """The installation's sensitive words (settings and file), read again when they change."""
    path = str(settings.MINSHENG_SENSITIVE_WORDS_FILE)
    try:
        stamp = Path(path).stat().st_mtime if path else None
    except OSError:
        stamp = None
    key = (tuple(settings.MINSHENG_SENSITIVE_WORDS), path, stamp)
    if key not in _screens:
        words = list(settings.MINSHENG_SENSITIVE_WORDS)
        if stamp is not None:
            words += Path(path).read_text(encoding="utf-8-sig").splitlines()
        _screens.clear()
        _screens[key] = Screen(words)
    return _screens[key]


def _check(report: NewReport) -> None:
    if report.kind not in Kind.values:
        raise Refused(_("请选择诉求类型。"))
    text = report.text.strip()
    if len(text) < MIN_TEXT:
        raise Refused(_("请把问题写清楚一些（至少 %(n)s 个字）。") % {"n": MIN_TEXT})
    if len(text) > MAX_TEXT:
        raise Refused(_("内容太长了，请控制在 %(n)s 字以内。") % {"n": MAX_TEXT})
    if len(report.photos) > MAX_PHOTOS:
        raise Refused(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
    found = screen().find(f"{report.text} {report.address} {report.name}")
    if found and settings.MINSHENG_SENSITIVE_ACTION == "refuse":
        raise Refused(
            _("内容含有不宜使用的词语（%(w)s），请修改后再提交。") % {"w": "、".join(found[:5])}
        )
    county = str(settings.MINSHENG_COUNTY_CODE)[:6]
    if report.division is not None and not report.division.code.startswith(county):
        raise Refused(_("请选择本县的乡镇和村。"))


def existing(submission_key: str) -> Receipt | None:
    return Receipt.objects.select_related("ticket").filter(submission_key=submission_key).first()


def citizen_report(report: NewReport) -> tuple[Receipt, str | None]:
    """The report's receipt and its query code; a form sent again with the same submission key
    (a double tap, a network retry, two at once) gives the first receipt and no code."""
    earlier = existing(report.submission_key)
    if earlier is not None:
        return earlier, None
    _check(report)
    prepared = [photos.prepare(p, keep_place=report.share_place) for p in report.photos]
    # A point the citizen tapped on the map is theirs to give; the photos' GPS position only
    # when they ticked 使用照片中的位置.
    lat, lng = report.lat, report.lng
    if lat is None and report.share_place:
        lat, lng = next(((p[0], p[1]) for _f, p in prepared if p is not None), (None, None))
    code = f"{secrets.randbelow(10**6):06d}"
    actor = portal_actor()
    try:
        with transaction.atomic():
            ticket = actions.ticket_intake(
                actor=actor,
                channel=Channel.H5,
                kind=report.kind,
                title=_title(report.text),
                description=report.text.strip(),
                citizen_name=report.name.strip()[:40],
                citizen_phone=report.phone,
                anonymous=report.anonymous,
                confidential=report.confidential,
                division=report.division,
                address=report.address.strip()[:200],
                lat=lat,
                lng=lng,
            )
            for photo, _place in prepared:
                actions.ticket_attach(ticket=ticket, actor=actor, upload=photo)
            screened = "、".join(screen().find(f"{report.text} {report.address} {report.name}"))
            receipt = Receipt.objects.create(
                ticket=ticket,
                query_hash=query_hash(ticket.number, code),
                submission_key=report.submission_key,
                wants_public=report.wants_public and not report.confidential,
                screened=screened[:200],
            )
            if receipt.wants_public:  # 留言板: pending until a moderator approves it
                board.open_message(ticket)
            enqueue(
                key=f"portal:receipt:{ticket.number}",
                channel="sms",
                recipient=report.phone,
                template="portal_receipt_sms",
                context={"number": ticket.number, "code": code},
            )
    except IntegrityError:
        # The same form committed first in another request: that one is the report.
        earlier = existing(report.submission_key)
        if earlier is None:
            raise
        return earlier, None
    return receipt, code


def citizen_rate(*, ticket: Ticket, resolved: bool, satisfaction: str, comment: str = "") -> Ticket:
    """评价: the callback by the citizen. Unsatisfied or unresolved: another round (重办) where
    the rules allow it and MINSHENG_PORTAL_REOPEN_UNSATISFIED is on; else the hotline decides."""
    if satisfaction not in Satisfaction.values:
        raise Refused(_("请选择满意程度。"))
    actor = portal_actor()
    with transaction.atomic():
        ticket = actions.ticket_callback(
            ticket=ticket,
            actor=actor,
            reached=True,
            resolved=resolved,
            satisfaction=satisfaction,
            comment=comment.strip()[:500],
        )
        unhappy = satisfaction == Satisfaction.UNSATISFIED or not resolved
        if unhappy and settings.MINSHENG_PORTAL_REOPEN_UNSATISFIED:
            try:
                with transaction.atomic():
                    ticket = actions.ticket_reopen(
                        ticket=ticket,
                        actor=actor,
                        note=_("群众评价不满意：%(c)s")
                        % {"c": comment.strip()[:200] or _("未说明")},
                    )
            except InvalidTransition:
                pass  # the last round was reached: the hotline closes or supervises it
    return ticket
