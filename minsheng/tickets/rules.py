"""Who may do what to a ticket, and when: the one rulebook.

For every action there is a check, `check_<action>(user, ticket, facts)`, that raises the
refusal the user reads (NotAllowed: not yours to do; InvalidTransition: not now) and returns the
user's assignment where the action is done for a unit. The services call the check on the row
they have locked, so it decides on the truth; the pages and the API ask `can(action, …)` or
`available_actions(…)`, which run the same checks on what they show. A page therefore offers
exactly the actions that would succeed, and nothing here is written twice. Input (a note, a
unit, a date) is not the rulebook's: each service validates its own input, before any write.

Zulip's `zerver/lib/streams.py` `can_*` functions are the model: a rule is a function that a
writer enforces and a reader asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from minsheng.org.models import Role, Unit, User
from minsheng.org.scoping import scope_for
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed, TicketActionError
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

INTAKE_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR)
DISPATCH_ROLES = (Role.DISPATCHER, Role.ADMINISTRATOR)
CALLBACK_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR)
SUPERVISE_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)
REMIND_ROLES = (*SUPERVISE_ROLES, Role.DISPATCHER)
MERGE_ROLES = (*DISPATCH_ROLES, Role.OPERATOR)
# The hotline's roles that write; the leader (领导) only reads figures.
HOTLINE_STAFF_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR)
UNIT_ACTOR_ROLES = (Role.HANDLER, Role.UNIT_LEADER)

WORKING = (Status.DISPATCHED, Status.IN_PROGRESS)
PENDING, SIGNED = Assignment.State.PENDING, Assignment.State.SIGNED


def max_rounds() -> int:
    return int(settings.MINSHENG_MAX_ROUNDS)


class Facts:
    """What the checks read besides the ticket row, each loaded once and only when asked: a
    service pays for the queries its own check needs, a page for all of them once."""

    def __init__(self, ticket: Ticket, assignments: list[Assignment] | None = None) -> None:
        self.ticket = ticket
        if assignments is not None:
            self.__dict__["assignments"] = assignments

    @cached_property
    def assignments(self) -> list[Assignment]:
        """The current round's assignments that are not cancelled, with their units."""
        return list(
            self.ticket.assignments.filter(round=self.ticket.round)
            .exclude(state=Assignment.State.CANCELLED)
            .select_related("unit")
        )

    @property
    def active(self) -> list[Assignment]:
        return [
            a
            for a in self.assignments
            if a.round == self.ticket.round and a.state != Assignment.State.CANCELLED
        ]

    @cached_property
    def pending_extension(self) -> ExtensionRequest | None:
        return self.ticket.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()

    @cached_property
    def last_reached_callback(self) -> Callback | None:
        return (
            self.ticket.callbacks.filter(round=self.ticket.round, reached=True)
            .order_by("-at", "-id")
            .first()
        )

    @cached_property
    def is_master(self) -> bool:
        return self.ticket.merged_tickets.exists()


# --- Shared steps ---------------------------------------------------------------------------


def require_roles(user: User, roles: Iterable[str], what: str) -> None:
    if not user.is_active or not user.has_role(*roles):
        raise NotAllowed(_("您没有权限%(what)s。") % {"what": what})


def require_status(ticket: Ticket, allowed: Iterable[str], what: str) -> None:
    if ticket.status not in allowed:
        raise InvalidTransition(
            _("工单当前状态为“%(status)s”，不能%(what)s。")
            % {"status": ticket.get_status_display(), "what": what}
        )


def actor_assignments(user: User, assignments: Iterable[Assignment]) -> list[Assignment]:
    """The assignments the user may act on: handlers and unit leaders act for their own unit
    and for sub-tasks given to units beneath theirs."""
    if not user.is_active or not user.has_role(*UNIT_ACTOR_ROLES):
        return []
    scope = scope_for(user)
    return [a for a in assignments if scope.covers_unit_path(a.unit.path)]


def pick_assignment(
    user: User, assignments: Iterable[Assignment], states: Sequence[str]
) -> Assignment | None:
    """The assignment an action by `user` applies to, among those in `states`: the user's own
    unit first, then the nearest unit above."""
    candidates = [a for a in actor_assignments(user, assignments) if a.state in states]
    candidates.sort(key=lambda a: (a.unit_id != user.unit_id, len(a.unit.path)))
    return candidates[0] if candidates else None


def own_assignment(
    user: User,
    facts: Facts,
    states: Sequence[str],
    what: str,
    assignment_id: int | None = None,
) -> Assignment:
    """The assignment of this ticket the user's unit holds, in one of `states`, or a refusal
    that says why (not a unit user, not your ticket, or your unit's assignment is in another state)."""
    if not user.is_active or not user.has_role(*UNIT_ACTOR_ROLES):
        raise NotAllowed(_("只有承办单位的人员才能%(what)s。") % {"what": what})
    mine = actor_assignments(user, facts.active)
    if assignment_id is not None:
        mine = [a for a in mine if a.pk == assignment_id]
    if not mine:
        raise NotAllowed(_("该工单没有派给您的单位，不能%(what)s。") % {"what": what})
    assignment = pick_assignment(user, mine, states)
    if assignment is None:
        raise InvalidTransition(
            _("您单位的任务当前为“%(state)s”，不能%(what)s。")
            % {"state": mine[0].get_state_display(), "what": what}
        )
    return assignment


def reply_blocker(
    ticket: Ticket, assignment: Assignment, active: Iterable[Assignment]
) -> str | None:
    """Why `assignment` cannot reply yet (open sub-tasks, citizen not contacted), or None."""
    open_subtasks = [
        a for a in active if a.parent_id == assignment.pk and a.state != Assignment.State.REPLIED
    ]
    if open_subtasks:
        return _("下派任务尚未全部答复：%(units)s。") % {
            "units": "、".join(a.unit.name for a in open_subtasks)
        }
    if (
        assignment.role == Assignment.Role.LEAD
        and ticket.citizen_phone
        and assignment.contacted_at is None
    ):
        return _("请先联系诉求人并登记，再答复。")
    return None


def has_sub_units(unit: Unit) -> bool:
    return (
        Unit.objects.filter(is_active=True, path__startswith=unit.path).exclude(pk=unit.pk).exists()
    )


# --- The hotline's own actions --------------------------------------------------------------


def check_direct_answer(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, INTAKE_ROLES, _("直接答复"))
    require_status(ticket, [Status.NEW], _("直接答复"))
    if ticket.kind != Kind.CONSULTATION:
        raise InvalidTransition(_("只有咨询类诉求可以直接答复办结。"))


def check_answer_at_intake(user: User, kind: str) -> None:
    """直接答复 at the desk, before the ticket exists (actions.ticket_intake_answered): the
    rule of `check_direct_answer` for the call being taken in, refused on the form's field."""
    require_roles(user, INTAKE_ROLES, _("直接答复"))
    if kind != Kind.CONSULTATION:
        raise InvalidInput(_("只有咨询类诉求可以直接答复办结。"), field="kind")


def check_emergency_transfer(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, INTAKE_ROLES, _("转警情"))
    require_status(ticket, [Status.NEW, *WORKING], _("转警情"))


def check_legal_channel(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, INTAKE_ROLES, _("告知法定途径"))
    require_status(ticket, [Status.NEW], _("告知法定途径"))


def check_dispatch(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, DISPATCH_ROLES, _("派单"))
    require_status(ticket, [Status.NEW], _("派单"))


def returned_assignment(facts: Facts, assignment_id: int | None = None) -> Assignment:
    """The return (退单) waiting for review: the lead unit's first."""
    returned = [a for a in facts.active if a.state == Assignment.State.RETURN_REQUESTED]
    if assignment_id is not None:
        returned = [a for a in returned if a.pk == assignment_id]
    if not returned:
        raise InvalidTransition(_("该工单没有待审核的退单。"))
    returned.sort(key=lambda a: a.role != Assignment.Role.LEAD)
    return returned[0]


def check_return_review(
    user: User, ticket: Ticket, facts: Facts, assignment_id: int | None = None
) -> Assignment:
    require_roles(user, DISPATCH_ROLES, _("审核退单"))
    return returned_assignment(facts, assignment_id)


def check_reassign(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, DISPATCH_ROLES, _("改派"))
    require_status(ticket, WORKING, _("改派"))


def check_add_assisting(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, DISPATCH_ROLES, _("增加协办单位"))
    require_status(ticket, WORKING, _("增加协办单位"))


def pending_extension(facts: Facts) -> ExtensionRequest:
    request = facts.pending_extension
    if request is None:
        raise InvalidTransition(_("该工单没有待审核的延期申请。"))
    return request


def check_extension_decide(user: User, ticket: Ticket, facts: Facts) -> ExtensionRequest:
    require_roles(user, DISPATCH_ROLES, _("审核延期"))
    return pending_extension(facts)


def check_callback(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, CALLBACK_ROLES, _("回访"))
    require_status(ticket, [Status.REPLIED], _("回访"))


def check_reopen(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, CALLBACK_ROLES, _("重办"))
    require_status(ticket, [Status.REPLIED], _("重办"))
    last = facts.last_reached_callback
    if last is None or (
        last.satisfaction != Satisfaction.UNSATISFIED and last.resolved is not False
    ):
        raise InvalidTransition(_("只有回访不满意或未解决的工单才能重办。"))
    if ticket.round >= max_rounds():
        raise InvalidTransition(
            _("已办理 %(n)s 轮，达到重办上限，请由热线办结或督办。") % {"n": ticket.round}
        )


def check_close(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, CALLBACK_ROLES, _("办结"))
    require_status(ticket, [Status.REPLIED], _("办结"))


MERGEABLE = (Status.NEW, *WORKING, Status.RETURNED)


def check_merge(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, MERGE_ROLES, _("并单"))
    require_status(ticket, MERGEABLE, _("并单"))
    if facts.is_master:
        raise InvalidTransition(_("该工单本身是其他工单的主单，不能再并入别的工单。"))


def check_supervise(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, SUPERVISE_ROLES, _("督办"))
    require_status(ticket, OPEN_STATUSES, _("督办"))


def check_remind(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, REMIND_ROLES, _("催办"))
    require_status(ticket, WORKING, _("催办"))


def check_praise(user: User, ticket: Ticket, facts: Facts) -> None:
    require_roles(user, HOTLINE_STAFF_ROLES, _("登记表扬"))
    if ticket.lead_unit_id is None:
        raise InvalidTransition(_("该工单还没有主办单位，无法登记表扬。"))


# --- What a unit does -----------------------------------------------------------------------


def check_sign(
    user: User, ticket: Ticket, facts: Facts, assignment_id: int | None = None
) -> Assignment:
    require_status(ticket, WORKING, _("签收"))
    return own_assignment(user, facts, [PENDING], _("签收"), assignment_id)


def check_return(
    user: User, ticket: Ticket, facts: Facts, assignment_id: int | None = None
) -> Assignment:
    require_status(ticket, WORKING, _("退单"))
    assignment = own_assignment(user, facts, [PENDING, SIGNED], _("退单"), assignment_id)
    if assignment.role == Assignment.Role.SUBTASK:
        raise InvalidTransition(_("下派任务请与上级单位沟通，不能向热线退单。"))
    return assignment


def check_decompose(
    user: User, ticket: Ticket, facts: Facts, assignment_id: int | None = None
) -> Assignment:
    require_status(ticket, [Status.IN_PROGRESS, Status.DISPATCHED], _("分解下派"))
    assignment = own_assignment(user, facts, [SIGNED], _("分解下派"), assignment_id)
    if not has_sub_units(assignment.unit):
        raise InvalidTransition(_("本单位没有下级单位，不能分解下派。"))
    return assignment


def _handling(
    user: User, ticket: Ticket, facts: Facts, what: str, assignment_id: int | None = None
) -> Assignment:
    require_status(ticket, [Status.IN_PROGRESS], what)
    return own_assignment(user, facts, [SIGNED], what, assignment_id)


def check_contact(user: User, ticket: Ticket, facts: Facts) -> Assignment:
    return _handling(user, ticket, facts, _("登记联系"))


def check_progress(user: User, ticket: Ticket, facts: Facts) -> Assignment:
    return _handling(user, ticket, facts, _("填写进展"))


def check_extension_request(user: User, ticket: Ticket, facts: Facts) -> Assignment:
    assignment = _handling(user, ticket, facts, _("申请延期"))
    if assignment.role != Assignment.Role.LEAD:
        raise NotAllowed(_("只有主办单位可以申请延期。"))
    if facts.pending_extension is not None:
        raise InvalidTransition(_("已有待审核的延期申请。"))
    return assignment


def check_reply(
    user: User, ticket: Ticket, facts: Facts, assignment_id: int | None = None
) -> Assignment:
    assignment = _handling(user, ticket, facts, _("答复"), assignment_id)
    blocker = reply_blocker(ticket, assignment, facts.active)
    if blocker:
        raise InvalidTransition(blocker)
    return assignment


def check_pause(user: User, ticket: Ticket, facts: Facts) -> Assignment:
    # The deadline policy's "pause allowed" is the clock's to say (tickets.actions.handling).
    assignment = _handling(user, ticket, facts, _("暂停计时"))
    if assignment.role != Assignment.Role.LEAD:
        raise NotAllowed(_("只有主办单位可以暂停计时。"))
    if ticket.paused_at is not None:
        raise InvalidTransition(_("工单已在暂停计时中。"))
    return assignment


def check_resume(user: User, ticket: Ticket, facts: Facts) -> Assignment:
    if ticket.paused_at is None:
        raise InvalidTransition(_("工单没有暂停计时。"))
    return own_assignment(user, facts, [SIGNED], _("恢复计时"))


def check_attach(user: User, ticket: Ticket, facts: Facts) -> None:
    """Hotline staff attach to any ticket; a unit to the tickets it holds."""
    if user.is_active and user.has_role(*HOTLINE_STAFF_ROLES):
        return
    own_assignment(
        user, facts, [s for s in Assignment.State.values if s != "cancelled"], _("上传附件")
    )


# --- Asking ---------------------------------------------------------------------------------

Check = Callable[[User, Ticket, Facts], Any]

CHECKS: dict[str, Check] = {
    "direct_answer": check_direct_answer,
    "emergency_transfer": check_emergency_transfer,
    "legal_channel": check_legal_channel,
    "dispatch": check_dispatch,
    "sign": check_sign,
    "return": check_return,
    "return_accept": check_return_review,
    "return_refuse": check_return_review,
    "reassign": check_reassign,
    "add_assisting": check_add_assisting,
    "decompose": check_decompose,
    "contact": check_contact,
    "progress": check_progress,
    "extension_request": check_extension_request,
    "extension_approve": check_extension_decide,
    "extension_refuse": check_extension_decide,
    "reply": check_reply,
    "callback": check_callback,
    "reopen": check_reopen,
    "close": check_close,
    "merge": check_merge,
    "supervise": check_supervise,
    "remind": check_remind,
    "praise": check_praise,
    "pause": check_pause,
    "resume": check_resume,
    "attach": check_attach,
}

# The ticket page's buttons, in the order it shows them (催办 lives on the deadline boards;
# pausing, resuming and attaching are services that no page offers yet, so no button).
PAGE_ORDER = (
    "direct_answer",
    "emergency_transfer",
    "legal_channel",
    "dispatch",
    "return_accept",
    "return_refuse",
    "reassign",
    "add_assisting",
    "extension_approve",
    "extension_refuse",
    "sign",
    "return",
    "decompose",
    "contact",
    "progress",
    "extension_request",
    "reply",
    "callback",
    "reopen",
    "close",
    "merge",
    "supervise",
    "praise",
)


def can(action: str, user: User, ticket: Ticket, facts: Facts | None = None) -> bool:
    """Whether `user` may take `action` on `ticket` now: its check passes."""
    try:
        CHECKS[action](user, ticket, facts or Facts(ticket))
    except TicketActionError:
        return False
    return True


def available_actions(user: User, ticket: Ticket, facts: Facts | None = None) -> list[str]:
    """The actions `user` may take on `ticket` now, in the order the page shows them."""
    if not user.is_active:
        return []
    facts = facts or Facts(ticket)
    return [action for action in PAGE_ORDER if can(action, user, ticket, facts)]
