"""Every ticket action of the API: its URL name, body serializer and the one service it calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from minsheng.api import serializers as s
from minsheng.org.models import User
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket

Runner = Callable[[Ticket, User, dict[str, Any]], object]


@dataclass(frozen=True)
class Action:
    name: str  # the URL segment: /api/v1/tickets/{number}/{name}/
    serializer: type[serializers.Serializer[Any]]
    run: Runner
    summary: str
    who: str  # which role may call it, for the docs


def _v(data: dict[str, Any]) -> dict[str, Any]:
    return {"expected_version": data.get("expected_version")}


ACTIONS: tuple[Action, ...] = (
    Action(
        "dispatch",
        s.DispatchSerializer,
        lambda t, u, d: actions.ticket_dispatch(
            ticket=t,
            actor=u,
            lead_unit=d["lead_unit"],
            assisting_units=d["assisting_units"],
            instructions=d["instructions"],
            **_v(d),
        ),
        "派单",
        "派单员",
    ),
    Action(
        "sign",
        s.SignSerializer,
        lambda t, u, d: actions.ticket_sign(
            ticket=t, actor=u, assignment_id=d["assignment"], **_v(d)
        ),
        "签收",
        "承办单位",
    ),
    Action(
        "return",
        s.ReturnSerializer,
        lambda t, u, d: actions.ticket_return(
            ticket=t, actor=u, reason=d["reason"], assignment_id=d["assignment"], **_v(d)
        ),
        "退单",
        "承办单位",
    ),
    Action(
        "decompose",
        s.DecomposeSerializer,
        lambda t, u, d: actions.ticket_decompose(
            ticket=t,
            actor=u,
            units=d["units"],
            instructions=d["instructions"],
            assignment_id=d["assignment"],
            **_v(d),
        ),
        "分解下派给本单位的下级单位",
        "承办单位",
    ),
    Action(
        "contact",
        s.ContactSerializer,
        lambda t, u, d: actions.ticket_contact(
            ticket=t, actor=u, method=d["method"], note=d["note"], at=d["at"], **_v(d)
        ),
        "登记联系诉求人",
        "承办单位",
    ),
    Action(
        "progress",
        s.ProgressSerializer,
        lambda t, u, d: actions.ticket_progress(
            ticket=t, actor=u, note=d["note"], public=d["public"], **_v(d)
        ),
        "填写办理进展",
        "承办单位",
    ),
    Action(
        "extend",
        s.ExtendSerializer,
        lambda t, u, d: actions.ticket_extension_request(
            ticket=t, actor=u, days=d["days"], reason=d["reason"], **_v(d)
        ),
        "申请延期",
        "主办单位",
    ),
    Action(
        "reply",
        s.ReplySerializer,
        lambda t, u, d: actions.ticket_reply(
            ticket=t,
            actor=u,
            result=d["result"],
            content=d["content"],
            assignment_id=d["assignment"],
            **_v(d),
        ),
        "答复",
        "承办单位",
    ),
    Action(
        "callback",
        s.CallbackBodySerializer,
        lambda t, u, d: actions.ticket_callback(
            ticket=t,
            actor=u,
            reached=d["reached"],
            resolved=d["resolved"],
            satisfaction=d["satisfaction"],
            comment=d["comment"],
            **_v(d),
        ),
        "回访",
        "话务员、派单员、督办员",
    ),
    Action(
        "reopen",
        s.NoteSerializer,
        lambda t, u, d: actions.ticket_reopen(ticket=t, actor=u, note=d["note"], **_v(d)),
        "重办（回访不满意后）",
        "话务员、派单员、督办员",
    ),
    Action(
        "close",
        s.NoteSerializer,
        lambda t, u, d: actions.ticket_close(ticket=t, actor=u, note=d["note"], **_v(d)),
        "热线办结",
        "话务员、派单员、督办员",
    ),
    Action(
        "merge",
        s.MergeSerializer,
        lambda t, u, d: actions.ticket_merge(
            ticket=t, actor=u, master=d["master"], note=d["note"], **_v(d)
        ),
        "并单：本工单随主工单办理",
        "话务员、派单员",
    ),
    Action(
        "return-accept",
        s.ReturnAcceptSerializer,
        lambda t, u, d: actions.ticket_return_accept(
            ticket=t,
            actor=u,
            lead_unit=d["lead_unit"],
            note=d["note"],
            assignment_id=d["assignment"],
            **_v(d),
        ),
        "同意退单并改派",
        "派单员",
    ),
    Action(
        "return-refuse",
        s.ReturnRefuseSerializer,
        lambda t, u, d: actions.ticket_return_refuse(
            ticket=t, actor=u, note=d["note"], assignment_id=d["assignment"], **_v(d)
        ),
        "驳回退单",
        "派单员",
    ),
    Action(
        "extension-approve",
        s.OptionalNoteSerializer,
        lambda t, u, d: actions.ticket_extension_decide(
            ticket=t, actor=u, approve=True, note=d["note"], **_v(d)
        ),
        "同意延期",
        "派单员",
    ),
    Action(
        "extension-refuse",
        s.NoteSerializer,
        lambda t, u, d: actions.ticket_extension_decide(
            ticket=t, actor=u, approve=False, note=d["note"], **_v(d)
        ),
        "驳回延期",
        "派单员",
    ),
    Action(
        "reassign",
        s.ReassignSerializer,
        lambda t, u, d: actions.ticket_reassign(
            ticket=t, actor=u, lead_unit=d["lead_unit"], note=d["note"], **_v(d)
        ),
        "改派主办单位",
        "派单员",
    ),
    Action(
        "add-assisting",
        s.AddAssistingSerializer,
        lambda t, u, d: actions.ticket_add_assisting(
            ticket=t, actor=u, unit=d["unit"], note=d["note"], **_v(d)
        ),
        "增加协办单位",
        "派单员",
    ),
    Action(
        "supervise",
        s.SuperviseSerializer,
        lambda t, u, d: actions.ticket_supervise(
            ticket=t, actor=u, note=d["note"], due_at=d["due_at"], **_v(d)
        ),
        "督办",
        "督办员",
    ),
    Action(
        "remind",
        s.OptionalNoteSerializer,
        lambda t, u, d: actions.ticket_remind(ticket=t, actor=u, note=d["note"], **_v(d)),
        "催办",
        "督办员、派单员",
    ),
    Action(
        "direct-answer",
        s.DirectAnswerSerializer,
        lambda t, u, d: actions.ticket_direct_answer(
            ticket=t, actor=u, answer=d["answer"], **_v(d)
        ),
        "直接答复咨询并办结",
        "话务员",
    ),
    Action(
        "emergency-transfer",
        s.EmergencyTransferSerializer,
        lambda t, u, d: actions.ticket_emergency_transfer(
            ticket=t, actor=u, to=d["to"], note=d["note"], **_v(d)
        ),
        "转警情（110/119/120/122）",
        "话务员",
    ),
    Action(
        "legal-channel",
        s.LegalChannelSerializer,
        lambda t, u, d: actions.ticket_legal_channel(
            ticket=t, actor=u, channel=d["channel"], note=d["note"], **_v(d)
        ),
        "告知法定途径并办结",
        "话务员",
    ),
)

BY_NAME = {action.name: action for action in ACTIONS}
