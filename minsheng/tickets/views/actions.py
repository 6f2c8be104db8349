"""What a user may do to a ticket right now, and how each action's form reaches its service.

`available_actions` mirrors the checks of minsheng.tickets.actions (roles, status, the state of
the user's unit's part) so that the ticket page offers exactly the buttons that would succeed.
The services stay the authority: a POST for an action the page did not offer still goes to the
service, which refuses it with its Chinese message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from minsheng.org.models import HOTLINE_ROLES, Role, Unit, User
from minsheng.tickets import actions, forms
from minsheng.tickets.errors import InvalidTransition
from minsheng.tickets.models import (
    OPEN_STATUSES,
    Assignment,
    Callback,
    ExtensionRequest,
    Kind,
    Satisfaction,
    Status,
    Ticket,
)

# Timeline event codes → Chinese labels (the service writes the code, the page shows the label).
EVENT_LABELS: dict[str, Any] = {
    "intake": _("受理"),
    "dispatch": _("派单"),
    "sign": _("签收"),
    "return": _("退单"),
    "return_accept": _("同意退单并改派"),
    "return_refuse": _("驳回退单"),
    "reassign": _("改派"),
    "add_assisting": _("增加协办"),
    "decompose": _("分解下派"),
    "contact": _("联系诉求人"),
    "progress": _("办理进展"),
    "extension_request": _("申请延期"),
    "extension_approve": _("同意延期"),
    "extension_refuse": _("驳回延期"),
    "reply": _("答复"),
    "callback": _("回访"),
    "reopen": _("重办"),
    "close": _("办结"),
    "merge": _("并单"),
    "merge_in": _("并入"),
    "follow_master": _("随主单办结"),
    "direct_answer": _("直接答复"),
    "emergency_transfer": _("转警情"),
    "legal_channel": _("告知法定途径"),
    "supervise": _("督办"),
    "praise": _("表扬"),
}


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


# --- The state a decision needs, loaded once per page ------------------------------------------


@dataclass
class TicketFacts:
    """What the action checks read besides the ticket row; `load` costs a fixed few queries."""

    parts: list[Assignment]  # every round, with units
    pending_extension: bool
    last_reached_callback: Callback | None
    is_master: bool

    @classmethod
    def load(cls, ticket: Ticket, parts: list[Assignment] | None = None) -> TicketFacts:
        if parts is None:
            parts = list(ticket.assignments.select_related("unit"))
        return cls(
            parts=parts,
            pending_extension=ticket.extension_requests.filter(
                state=ExtensionRequest.State.PENDING
            ).exists(),
            last_reached_callback=ticket.callbacks.filter(round=ticket.round, reached=True)
            .order_by("-at", "-id")
            .first(),
            is_master=ticket.merged_tickets.exists(),
        )

    def active(self, ticket: Ticket) -> list[Assignment]:
        return [
            a
            for a in self.parts
            if a.round == ticket.round and a.state != Assignment.State.CANCELLED
        ]


def my_part(
    user: User, ticket: Ticket, facts: TicketFacts, states: tuple[str, ...]
) -> Assignment | None:
    """The part the services would act on for this user (None: they would refuse)."""
    return actions.pick_part(user, facts.active(ticket), states)


def has_sub_units(unit: Unit) -> bool:
    return (
        Unit.objects.filter(is_active=True, path__startswith=unit.path).exclude(pk=unit.pk).exists()
    )


def _reply_possible(ticket: Ticket, facts: TicketFacts, part: Assignment) -> bool:
    return actions.reply_blocker(ticket, part, facts.active(ticket)) is None


def available_actions(user: User, ticket: Ticket, facts: TicketFacts | None = None) -> list[str]:
    """The actions `user` may take on `ticket` now, in the order the page shows them."""
    if not user.is_active:
        return []
    facts = facts or TicketFacts.load(ticket)
    status = ticket.status
    working = status in (Status.DISPATCHED, Status.IN_PROGRESS)
    offered: list[str] = []
    role = user.has_role

    if role(*actions.INTAKE_ROLES):
        if status == Status.NEW and ticket.kind == Kind.CONSULTATION:
            offered.append("direct_answer")
        if status in (Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS):
            offered.append("emergency_transfer")
        if status == Status.NEW:
            offered.append("legal_channel")
    if role(*actions.DISPATCH_ROLES):
        if status == Status.NEW:
            offered.append("dispatch")
        if any(a.state == Assignment.State.RETURN_REQUESTED for a in facts.active(ticket)):
            offered += ["return_accept", "return_refuse"]
        if working:
            offered += ["reassign", "add_assisting"]
        if facts.pending_extension:
            offered += ["extension_approve", "extension_refuse"]

    if working:
        if my_part(user, ticket, facts, (Assignment.State.PENDING,)):
            offered.append("sign")
        part = my_part(user, ticket, facts, (Assignment.State.PENDING, Assignment.State.SIGNED))
        if part is not None and part.role != Assignment.Role.SUBTASK:
            offered.append("return")
        signed = my_part(user, ticket, facts, (Assignment.State.SIGNED,))
        if signed is not None and has_sub_units(signed.unit):
            offered.append("decompose")
        if signed is not None and status == Status.IN_PROGRESS:
            offered += ["contact", "progress"]
            if signed.role == Assignment.Role.LEAD and not facts.pending_extension:
                offered.append("extension_request")
            if _reply_possible(ticket, facts, signed):
                offered.append("reply")

    if role(*actions.CALLBACK_ROLES) and status == Status.REPLIED:
        offered.append("callback")
        last = facts.last_reached_callback
        unsatisfied = last is not None and (
            last.satisfaction == Satisfaction.UNSATISFIED or last.resolved is False
        )
        if unsatisfied and ticket.round < actions.max_rounds():
            offered.append("reopen")
        offered.append("close")
    merge_roles = (*actions.DISPATCH_ROLES, Role.OPERATOR)
    if (
        role(*merge_roles)
        and status in (Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED)
        and not facts.is_master
    ):
        offered.append("merge")
    if role(*actions.SUPERVISE_ROLES) and status in OPEN_STATUSES:
        offered.append("supervise")
    if role(*HOTLINE_ROLES) and ticket.lead_unit_id is not None:
        offered.append("praise")
    return offered


# --- Each action: its label, form and the one service it calls ----------------------------------

Runner = Callable[[Ticket, User, dict[str, Any], "int | None"], object]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@dataclass(frozen=True)
class ActionSpec:
    label: Any
    form: type[forms.ActionForm]
    run: Runner
    done: Any  # the success message
    accesskey: str = ""


ACTIONS: dict[str, ActionSpec] = {
    "direct_answer": ActionSpec(
        _("直接答复办结"),
        forms.DirectAnswerForm,
        lambda t, u, d, v: actions.ticket_direct_answer(
            ticket=t, actor=u, answer=d["answer"], expected_version=v
        ),
        _("已直接答复并办结。"),
        "a",
    ),
    "emergency_transfer": ActionSpec(
        _("转警情"),
        forms.EmergencyTransferForm,
        lambda t, u, d, v: actions.ticket_emergency_transfer(
            ticket=t, actor=u, to=d["to"], note=d["note"], expected_version=v
        ),
        _("已转警情。"),
    ),
    "legal_channel": ActionSpec(
        _("告知法定途径"),
        forms.LegalChannelForm,
        lambda t, u, d, v: actions.ticket_legal_channel(
            ticket=t, actor=u, channel=d["channel"], note=d["note"], expected_version=v
        ),
        _("已告知法定途径并办结。"),
    ),
    "dispatch": ActionSpec(
        _("派单"),
        forms.DispatchForm,
        lambda t, u, d, v: actions.ticket_dispatch(
            ticket=t,
            actor=u,
            lead_unit=d["lead_unit"],
            assisting_units=list(d["assisting_units"]),
            instructions=d["instructions"],
            expected_version=v,
        ),
        _("已派单。"),
        "d",
    ),
    "sign": ActionSpec(
        _("签收"),
        forms.EmptyActionForm,
        lambda t, u, d, v: actions.ticket_sign(ticket=t, actor=u, expected_version=v),
        _("已签收。"),
        "s",
    ),
    "return": ActionSpec(
        _("退单"),
        forms.ReturnForm,
        lambda t, u, d, v: actions.ticket_return(
            ticket=t, actor=u, reason=d["reason"], expected_version=v
        ),
        _("已提交退单，等待派单员审核。"),
    ),
    "return_accept": ActionSpec(
        _("同意退单并改派"),
        forms.ReturnAcceptForm,
        lambda t, u, d, v: actions.ticket_return_accept(
            ticket=t, actor=u, lead_unit=d["lead_unit"], note=d["note"], expected_version=v
        ),
        _("已同意退单。"),
    ),
    "return_refuse": ActionSpec(
        _("驳回退单"),
        forms.RequiredNoteForm,
        lambda t, u, d, v: actions.ticket_return_refuse(
            ticket=t, actor=u, note=d["note"], expected_version=v
        ),
        _("已驳回退单。"),
    ),
    "reassign": ActionSpec(
        _("改派"),
        forms.ReassignForm,
        lambda t, u, d, v: actions.ticket_reassign(
            ticket=t, actor=u, lead_unit=d["lead_unit"] or "", note=d["note"], expected_version=v
        ),
        _("已改派。"),
    ),
    "add_assisting": ActionSpec(
        _("增加协办"),
        forms.AddAssistingForm,
        lambda t, u, d, v: actions.ticket_add_assisting(
            ticket=t, actor=u, unit=d["unit"], note=d["note"], expected_version=v
        ),
        _("已增加协办单位。"),
    ),
    "decompose": ActionSpec(
        _("分解下派"),
        forms.DecomposeForm,
        lambda t, u, d, v: actions.ticket_decompose(
            ticket=t,
            actor=u,
            units=list(d["units"]),
            instructions=d["instructions"],
            expected_version=v,
        ),
        _("已下派。"),
    ),
    "contact": ActionSpec(
        _("登记联系诉求人"),
        forms.ContactForm,
        lambda t, u, d, v: actions.ticket_contact(
            ticket=t, actor=u, method=d["method"], note=d["note"], expected_version=v
        ),
        _("已登记联系。"),
        "c",
    ),
    "progress": ActionSpec(
        _("填写办理进展"),
        forms.ProgressForm,
        lambda t, u, d, v: actions.ticket_progress(
            ticket=t, actor=u, note=d["note"], public=d["public"], expected_version=v
        ),
        _("已记录进展。"),
    ),
    "extension_request": ActionSpec(
        _("申请延期"),
        forms.ExtensionRequestForm,
        lambda t, u, d, v: actions.ticket_extension_request(
            ticket=t, actor=u, days=d["days"], reason=d["reason"], expected_version=v
        ),
        _("已提交延期申请。"),
    ),
    "extension_approve": ActionSpec(
        _("同意延期"),
        forms.NoteForm,
        lambda t, u, d, v: actions.ticket_extension_decide(
            ticket=t, actor=u, approve=True, note=d["note"], expected_version=v
        ),
        _("已同意延期。"),
    ),
    "extension_refuse": ActionSpec(
        _("驳回延期"),
        forms.RequiredNoteForm,
        lambda t, u, d, v: actions.ticket_extension_decide(
            ticket=t, actor=u, approve=False, note=d["note"], expected_version=v
        ),
        _("已驳回延期。"),
    ),
    "reply": ActionSpec(
        _("答复"),
        forms.ReplyForm,
        lambda t, u, d, v: actions.ticket_reply(
            ticket=t, actor=u, result=d["result"], content=d["content"], expected_version=v
        ),
        _("已答复。"),
        "r",
    ),
    "callback": ActionSpec(
        _("回访"),
        forms.CallbackForm,
        lambda t, u, d, v: actions.ticket_callback(
            ticket=t,
            actor=u,
            reached=d["reached"] == "yes",
            resolved=_yes_no(d["resolved"]),
            satisfaction=d["satisfaction"],
            comment=d["comment"],
            expected_version=v,
        ),
        _("已登记回访。"),
        "b",
    ),
    "reopen": ActionSpec(
        _("重办"),
        forms.RequiredNoteForm,
        lambda t, u, d, v: actions.ticket_reopen(
            ticket=t, actor=u, note=d["note"], expected_version=v
        ),
        _("已退回重办。"),
    ),
    "close": ActionSpec(
        _("热线办结"),
        forms.RequiredNoteForm,
        lambda t, u, d, v: actions.ticket_close(
            ticket=t, actor=u, note=d["note"], expected_version=v
        ),
        _("已办结。"),
    ),
    "merge": ActionSpec(
        _("并单"),
        forms.MergeForm,
        lambda t, u, d, v: actions.ticket_merge(
            ticket=t, actor=u, master=d["master"].strip(), note=d["note"], expected_version=v
        ),
        _("已并入主工单。"),
    ),
    "supervise": ActionSpec(
        _("督办"),
        forms.SuperviseForm,
        lambda t, u, d, v: actions.ticket_supervise(
            ticket=t, actor=u, note=d["note"], due_at=d["due_at"], expected_version=v
        ),
        _("已督办。"),
    ),
    "praise": ActionSpec(
        _("登记表扬"),
        forms.PraiseForm,
        lambda t, u, d, v: (
            actions.unit_praise(unit=t.lead_unit, actor=u, kind=d["kind"], note=d["note"], ticket=t)
            if t.lead_unit is not None
            else _no_lead()
        ),
        _("已登记表扬。"),
    ),
}


def _no_lead() -> None:
    raise InvalidTransition(_("该工单还没有主办单位，无法登记表扬。"))
