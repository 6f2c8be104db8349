"""A citizen's problem report from a facility's QR code: a ticket on the ticket core, linked to
the facility (`FacilityTicket`) and dispatched straight to the facility's owner unit, with the
keeper team assisting, by the facilities' own service account — no operator in between.

Who gets it: the owner unit registered on the facility is the facility's catalogue entry, more
specific than the county's 派单目录 for the category (市政公用/公共设施/公共设施损坏); only
when the owner unit has been dissolved does the 派单目录 decide (`dispatch_decision` for the
category in the facility's place), and without an answer there the ticket waits for a
dispatcher like any other. The keeper (a person) is told in-app as well.

The actions are the ticket core's (`ticket_intake`, `ticket_attach`, `ticket_dispatch`), so the
deadlines, the alarms, the timeline and the figures see an ordinary ticket of channel 手机网页.
The citizens' side's guards (sensitive words, the photo's checks, the per-address limit, a
proven phone only) are applied by the portal before it calls `facility_report`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.facilities.errors import InvalidInput, InvalidTransition
from minsheng.facilities.models import Facility, FacilityTicket, Problem, Status
from minsheng.facilities.services.registry import log_event
from minsheng.notify.services import notify_users
from minsheng.org.models import Role, RoleGrant, Unit, User
from minsheng.tickets import actions
from minsheng.tickets.catalogue import dispatch_decision
from minsheng.tickets.models import Category, Channel, Kind, Ticket

ACCOUNT = "facility-qr"
CATEGORY_PATH = ("市政公用", "公共设施", "公共设施损坏")
MAX_TEXT = 500
# Stored words are Chinese whatever the page's language: they are the ticket's content.
PROBLEM_WORDS = {
    Problem.DIRTY.value: "脏乱",
    Problem.BROKEN.value: "损坏",
    Problem.CLOSED.value: "关闭",
    Problem.OTHER.value: "其他问题",
}


def report_actor() -> User:
    """The facilities' service account (operator and dispatcher, no usable password)."""
    user = User.objects.filter(username=ACCOUNT).first()
    if user is None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=ACCOUNT, defaults={"display_name": "公共设施扫码反映（群众端）"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            for role in (Role.OPERATOR, Role.DISPATCHER):
                RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def report_category() -> Category:
    """The reports' category, created with its parents where the tree lacks them."""
    parent: Category | None = None
    for depth in range(1, len(CATEGORY_PATH) + 1):
        full_name = "/".join(CATEGORY_PATH[:depth])
        node = Category.objects.filter(full_name=full_name).first()
        if node is None:
            node = Category.objects.create(
                name=CATEGORY_PATH[depth - 1], parent=parent, level=depth, full_name=full_name
            )
        parent = node
    assert parent is not None
    return parent


@dataclass
class NewProblem:
    problem: str
    text: str
    submission_key: str
    phone: str = ""  # a phone proven by an SMS code, or none
    sender: str = ""  # a keyed hash of the sender's address
    photos: tuple[object, ...] = ()  # already made fit to keep by the portal


def existing(submission_key: str) -> FacilityTicket | None:
    return (
        FacilityTicket.objects.select_related("ticket", "facility")
        .filter(submission_key=submission_key)
        .first()
    )


def _lead(facility: Facility, category: Category) -> Unit | None:
    if facility.owner.is_active:
        return facility.owner
    return dispatch_decision(category=category, division=facility.place).unit


def facility_report(*, facility: Facility, report: NewProblem) -> tuple[FacilityTicket, bool]:
    """(the link to the new ticket, whether this form had made it before)."""
    earlier = existing(report.submission_key)
    if earlier is not None:
        return earlier, True
    if report.problem not in Problem.values:
        raise InvalidInput(_("请选择遇到的问题。"), field="problem")
    text = report.text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("内容太长了，请控制在 %(n)s 字以内。") % {"n": MAX_TEXT}, field="text")
    if not report.submission_key or len(report.submission_key) > 64:
        raise InvalidInput(_("表单已失效，请刷新页面后重新填写。"))
    current = (
        Facility.objects.select_related("place", "owner", "keeper_unit", "keeper_user")
        .filter(pk=facility.pk)
        .first()
    )
    if current is None or current.status == Status.RETIRED:
        raise InvalidTransition(_("这个设施已停用，如有问题请拨打 12345。"))
    actor = report_actor()
    category = report_category()
    lead = _lead(current, category)
    words = PROBLEM_WORDS[report.problem]
    title = f"{current.name}：{words}"[:200]
    description = f"【公共设施扫码反映】{current.kind}“{current.name}”（{current.address or current.place.name}）：{words}"
    if text:
        description += f"\n{text}"
    try:
        with transaction.atomic():
            ticket: Ticket = actions.ticket_intake(
                actor=actor,
                channel=Channel.H5,
                kind=Kind.COMPLAINT if report.problem != Problem.OTHER else Kind.HELP,
                title=title,
                description=description,
                citizen_phone=report.phone,
                anonymous=not report.phone,
                category=category,
                division=current.place,
                address=(current.address or current.name)[:200],
                lat=current.lat,
                lng=current.lng,
            )
            for photo in report.photos:
                actions.ticket_attach(ticket=ticket, actor=actor, upload=photo)
            if lead is not None:
                assisting = [
                    u
                    for u in [current.keeper_unit]
                    if u is not None and u.is_active and u.pk != lead.pk
                ]
                ticket = actions.ticket_dispatch(
                    ticket=ticket,
                    actor=actor,
                    lead_unit=lead,
                    assisting_units=assisting,
                    instructions=f"群众扫描设施二维码反映“{words}”，请设施管理员及时处理并答复。",
                )
            link = FacilityTicket.objects.create(
                facility=current,
                ticket=ticket,
                problem=report.problem,
                submission_key=report.submission_key,
                sender=report.sender[:64],
            )
            log_event(
                current,
                actor,
                "problem_reported",
                ticket=ticket.number,
                problem=report.problem,
                unit=lead.code if lead else None,
            )
            keeper = current.keeper_user
            if keeper is not None and keeper.is_active:
                notify_users(
                    key_prefix=f"facility:problem:{ticket.number}",
                    users=[keeper],
                    template="facility_problem_reported",
                    context={"facility": current.name, "problem": words, "number": ticket.number},
                    url=reverse("facilities:detail", args=[current.pk]),
                )
    except IntegrityError:
        earlier = existing(report.submission_key)
        if earlier is None:
            raise
        return earlier, True
    return link, False
