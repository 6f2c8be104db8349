"""Every action on a ticket, once, for both interfaces: the ticket page (a form per action,
office/actions.py) and the REST API (a serializer per action, api/actions.py).

An entry names the service and the input fields it takes by name; the page's form and the
API's serializer validate fields of those names, and `perform` passes them on. Who may take the
action, and when, is the rulebook's (tickets/rules.py, same names); the service enforces it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import User
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket

# An input field whose service keyword differs from its name.
KEYWORDS = {"assignment": "assignment_id"}


@dataclass(frozen=True)
class TicketAction:
    name: str  # the rulebook's name, and the page's form name
    url: str  # the API's URL segment: /api/v1/tickets/{number}/{url}/
    service: Callable[..., object]
    fields: tuple[str, ...]  # input passed to the service by name, where given
    label: Promise  # the page's button
    done: Promise  # the page's success message
    summary: str  # the API's documentation
    who: str
    fixed: Mapping[str, Any] = field(default_factory=dict)
    accesskey: str = ""
    on_page: bool = True
    in_api: bool = True

    def perform(
        self, ticket: Ticket, actor: User, data: Mapping[str, Any], version: int | None
    ) -> object:
        given = {KEYWORDS.get(f, f): data[f] for f in self.fields if f in data}
        return self.service(
            ticket=ticket, actor=actor, expected_version=version, **given, **self.fixed
        )


TABLE: tuple[TicketAction, ...] = (
    TicketAction(
        "direct_answer",
        "direct-answer",
        actions.ticket_direct_answer,
        ("answer",),
        _("直接答复办结"),
        _("已直接答复并办结。"),
        "直接答复咨询并办结",
        "话务员",
        accesskey="a",
    ),
    TicketAction(
        "emergency_transfer",
        "emergency-transfer",
        actions.ticket_emergency_transfer,
        ("to", "note"),
        _("转警情"),
        _("已转警情。"),
        "转警情（110/119/120/122）",
        "话务员",
    ),
    TicketAction(
        "legal_channel",
        "legal-channel",
        actions.ticket_legal_channel,
        ("channel", "note"),
        _("告知法定途径"),
        _("已告知法定途径并办结。"),
        "告知法定途径并办结",
        "话务员",
    ),
    TicketAction(
        "dispatch",
        "dispatch",
        actions.ticket_dispatch,
        ("lead_unit", "assisting_units", "instructions"),
        _("派单"),
        _("已派单。"),
        "派单",
        "派单员",
        accesskey="d",
    ),
    TicketAction(
        "sign",
        "sign",
        actions.ticket_sign,
        ("assignment",),
        _("签收"),
        _("已签收。"),
        "签收",
        "承办单位",
        accesskey="s",
    ),
    TicketAction(
        "return",
        "return",
        actions.ticket_return,
        ("reason", "assignment"),
        _("退单"),
        _("已提交退单，等待派单员审核。"),
        "退单",
        "承办单位",
    ),
    TicketAction(
        "return_accept",
        "return-accept",
        actions.ticket_return_accept,
        ("lead_unit", "note", "assignment"),
        _("同意退单并改派"),
        _("已同意退单。"),
        "同意退单并改派",
        "派单员",
    ),
    TicketAction(
        "return_refuse",
        "return-refuse",
        actions.ticket_return_refuse,
        ("note", "assignment"),
        _("驳回退单"),
        _("已驳回退单。"),
        "驳回退单",
        "派单员",
    ),
    TicketAction(
        "reassign",
        "reassign",
        actions.ticket_reassign,
        ("lead_unit", "note"),
        _("改派"),
        _("已改派。"),
        "改派主办单位",
        "派单员",
    ),
    TicketAction(
        "add_assisting",
        "add-assisting",
        actions.ticket_add_assisting,
        ("unit", "note"),
        _("增加协办"),
        _("已增加协办单位。"),
        "增加协办单位",
        "派单员",
    ),
    TicketAction(
        "decompose",
        "decompose",
        actions.ticket_decompose,
        ("units", "instructions", "assignment"),
        _("分解下派"),
        _("已下派。"),
        "分解下派给本单位的下级单位",
        "承办单位",
    ),
    TicketAction(
        "contact",
        "contact",
        actions.ticket_contact,
        ("method", "note", "at"),
        _("登记联系诉求人"),
        _("已登记联系。"),
        "登记联系诉求人",
        "承办单位",
        accesskey="c",
    ),
    TicketAction(
        "progress",
        "progress",
        actions.ticket_progress,
        ("note", "public", "photos", "keep_location", "position", "taken"),
        _("填写办理进展"),
        _("已记录进展。"),
        "填写办理进展",
        "承办单位",
    ),
    TicketAction(
        "extension_request",
        "extend",
        actions.ticket_extension_request,
        ("days", "reason"),
        _("申请延期"),
        _("已提交延期申请。"),
        "申请延期",
        "主办单位",
    ),
    TicketAction(
        "extension_approve",
        "extension-approve",
        actions.ticket_extension_decide,
        ("note",),
        _("同意延期"),
        _("已同意延期。"),
        "同意延期",
        "派单员",
        fixed={"approve": True},
    ),
    TicketAction(
        "extension_refuse",
        "extension-refuse",
        actions.ticket_extension_decide,
        ("note",),
        _("驳回延期"),
        _("已驳回延期。"),
        "驳回延期",
        "派单员",
        fixed={"approve": False},
    ),
    TicketAction(
        "reply",
        "reply",
        actions.ticket_reply,
        ("result", "content", "assignment", "photos", "keep_location", "position", "taken"),
        _("答复"),
        _("已答复。"),
        "答复",
        "承办单位",
        accesskey="r",
    ),
    TicketAction(
        "callback",
        "callback",
        actions.ticket_callback,
        ("reached", "resolved", "satisfaction", "comment"),
        _("回访"),
        _("已登记回访。"),
        "回访",
        "话务员、派单员、督办员",
        accesskey="b",
    ),
    TicketAction(
        "reopen",
        "reopen",
        actions.ticket_reopen,
        ("note",),
        _("重办"),
        _("已退回重办。"),
        "重办（回访不满意后）",
        "话务员、派单员、督办员",
    ),
    TicketAction(
        "close",
        "close",
        actions.ticket_close,
        ("note",),
        _("热线办结"),
        _("已办结。"),
        "热线办结",
        "话务员、派单员、督办员",
    ),
    TicketAction(
        "merge",
        "merge",
        actions.ticket_merge,
        ("master", "note"),
        _("并单"),
        _("已并入主工单。"),
        "并单：本工单随主工单办理",
        "话务员、派单员",
    ),
    TicketAction(
        "supervise",
        "supervise",
        actions.ticket_supervise,
        ("note", "due_at"),
        _("督办"),
        _("已督办。"),
        "督办",
        "督办员",
    ),
    TicketAction(
        "remind",
        "remind",
        actions.ticket_remind,
        ("note",),
        _("催办"),
        _("已催办。"),
        "催办",
        "督办员、派单员",
        on_page=False,  # the deadline boards' button
    ),
    TicketAction(
        "praise",
        "praise",
        actions.ticket_praise,
        ("kind", "note"),
        _("登记表扬"),
        _("已登记表扬。"),
        "登记表扬（表扬主办单位）",
        "话务员、派单员、督办员",
        in_api=False,
    ),
)

BY_NAME: dict[str, TicketAction] = {action.name: action for action in TABLE}
