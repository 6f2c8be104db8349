"""Who is told what when a ticket changes — called by the ticket services inside their
transaction, so every notification is an outbox row (or an in-app message) committed with the
event that caused it, and nothing leaves before commit.

Keys make each notification idempotent: the same event (a replayed sweep, a retried request)
never notifies twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from minsheng.notify.services import Notice, enqueue, notify_users, notify_users_many
from minsheng.org.models import Role, Unit, User
from minsheng.tickets.models import Channel, Kind, Ticket

# Units' own systems hear about some events too (the REST API's webhooks). They subscribe from
# their AppConfig.ready(), so the ticket core does not import the apps built on top of it.
# Subscribers run inside the action's transaction, like everything here. "dispatch" and
# "unsatisfied" handlers get one ticket; "overdue" handlers get the sweep batch's list of
# (ticket, deadline, due_at), so that they can look up what they need once per batch.
HOOK_EVENTS = ("dispatch", "unsatisfied", "overdue")
_subscribers: dict[str, list[Callable[..., object]]] = {event: [] for event in HOOK_EVENTS}


def subscribe(event: str, handler: Callable[..., object]) -> None:
    if event not in _subscribers:
        raise ValueError(f"unknown ticket event {event!r}")
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def _publish(event: str, *args: object, **kwargs: object) -> None:
    for handler in _subscribers[event]:
        handler(*args, **kwargs)


STAGE_LABELS = {
    "dispatch": "派单",
    "sign": "签收",
    "contact": "联系诉求人",
    "reply": "答复",
    "callback": "回访",
}


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m月%d日 %H:%M") if moment else "—"


def _detail_url() -> Callable[[str], str]:
    """The ticket page's URL for a ticket number: one reverse() for any number of tickets (a
    sweep batch's alarms), since a ticket number is URL-safe (digits and letters)."""
    return reverse("tickets:detail", args=["NUMBER"]).replace("NUMBER", "{}", 1).format


def _url(ticket: Ticket) -> str:
    return _detail_url()(ticket.number)


def unit_members(units: Iterable[Unit | int]) -> dict[int, list[User]]:
    """Active handlers and leaders of each unit, in one query."""
    ids = {u.pk if isinstance(u, Unit) else u for u in units}
    members: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        unit_id__in=ids, is_active=True, roles__role__in=[Role.HANDLER, Role.UNIT_LEADER]
    ).distinct():
        assert user.unit_id is not None
        members[user.unit_id].append(user)
    return members


def hotline_users(*roles: str) -> list[User]:
    return list(User.objects.filter(is_active=True, roles__role__in=roles).distinct())


def _context(ticket: Ticket, **extra: object) -> dict[str, object]:
    return {"number": ticket.number, "title": ticket.title, **extra}


def on_intake(ticket: Ticket) -> None:
    """受理短信 — except for a hotline consultation, which is usually answered on the spot."""
    if not ticket.citizen_phone:
        return
    if ticket.channel == Channel.HOTLINE and ticket.kind == Kind.CONSULTATION:
        return
    if ticket.channel == Channel.H5:
        return  # the citizens' side sends its own receipt, with the query code
    enqueue(
        key=f"ticket:{ticket.number}:accepted:sms",
        channel="sms",
        recipient=ticket.citizen_phone,
        template="ticket_accepted_sms",
        context={"number": ticket.number},
    )


def on_dispatch(ticket: Ticket, units: Sequence[Unit], *, event_id: int) -> None:
    """A unit has new work: the lead and the assisting units each hear about it."""
    members = unit_members(units)
    for unit in units:
        notify_users(
            key_prefix=f"ticket:{ticket.number}:dispatch:{event_id}:unit:{unit.pk}",
            users=members.get(unit.pk, []),
            template="ticket_dispatched",
            context=_context(ticket, sign_due=_when(ticket.sign_due)),
            url=_url(ticket),
        )
    _publish("dispatch", ticket, list(units), event_id=event_id)


def on_unsatisfied(
    ticket: Ticket, *, callback_id: int, resolved: bool | None, comment: str
) -> None:
    """回访不满意 (or not resolved): the lead unit's own system hears it at once; the unit's
    people hear it when the hotline reopens the ticket (on_reopen)."""
    _publish("unsatisfied", ticket, callback_id=callback_id, resolved=resolved, comment=comment)


def on_reply(ticket: Ticket, followers: Sequence[Ticket]) -> None:
    """The reply goes to the citizen by SMS, and to each citizen of a merged duplicate."""
    for each in [ticket, *followers]:
        if not each.citizen_phone:
            continue
        base = str(settings.MINSHENG_PUBLIC_URL)
        context = {"number": each.number, "reply": ticket.reply_text}
        if base:
            context["link"] = f"{base}/h5/t/{each.number}/"
        enqueue(
            key=f"ticket:{each.number}:reply:{ticket.round}:sms",
            channel="sms",
            recipient=each.citizen_phone,
            template="ticket_replied_rate_sms" if base else "ticket_replied_sms",
            context=context,
        )


def on_reopen(ticket: Ticket, *, note: str) -> None:
    if ticket.lead_unit is None:
        return
    notify_users(
        key_prefix=f"ticket:{ticket.number}:reopen:{ticket.round}",
        users=unit_members([ticket.lead_unit]).get(ticket.lead_unit.pk, []),
        template="citizen_unsatisfied",
        context=_context(ticket, due=_when(ticket.reply_due), note=note),
        url=_url(ticket),
    )


def on_supervise(ticket: Ticket, *, note: str, due_at: dt.datetime, supervision_id: int) -> None:
    if ticket.lead_unit is None:
        return
    notify_users(
        key_prefix=f"ticket:{ticket.number}:supervise:{supervision_id}",
        users=unit_members([ticket.lead_unit]).get(ticket.lead_unit.pk, []),
        template="escalation",
        context=_context(ticket, due=_when(due_at), note=note),
        url=_url(ticket),
    )


def on_remind(ticket: Ticket, *, note: str, event_id: int) -> None:
    if ticket.lead_unit is None:
        return
    notify_users(
        key_prefix=f"ticket:{ticket.number}:remind:{event_id}",
        users=unit_members([ticket.lead_unit]).get(ticket.lead_unit.pk, []),
        template="reminder",
        context=_context(ticket, due=_when(ticket.reply_due), note=note),
        url=_url(ticket),
    )


def on_alarms(raised: Sequence[tuple[Ticket, str, str, dt.datetime]]) -> None:
    """The worker's alarms: (ticket, deadline, level, due). 临期 and 超期 go to the lead unit;
    escalations (督办) to the supervisors; the callback deadline to the operators.

    A sweep batch raises hundreds of alarms: recipients are read once per batch, the in-app
    messages written with one INSERT, and the "overdue" subscribers called once with the
    batch's overdue deadlines (so that the webhooks are looked up once, not per ticket).
    """
    if not raised:
        return
    members = unit_members({t.lead_unit_id for t, *_ in raised if t.lead_unit_id})
    hotline: dict[str, list[User]] = {}

    def staff(role: str) -> list[User]:
        if role not in hotline:
            hotline[role] = hotline_users(role)
        return hotline[role]

    url_of = _detail_url()  # one reverse() per batch, not per alarm
    overdue: list[tuple[Ticket, str, dt.datetime]] = []
    notices: list[Notice] = []
    for ticket, deadline, level, due in raised:
        if level == "overdue" and deadline in ("sign", "contact", "reply"):
            overdue.append((ticket, deadline, due))
        if deadline == "callback":
            if level != "warn":
                continue
            users, template = staff(Role.OPERATOR), "callback_due"
        elif level == "escalate":
            users, template = staff(Role.SUPERVISOR), "deadline_overdue"
        elif deadline == "dispatch":  # the hotline's own deadline: tell the dispatchers
            users = staff(Role.DISPATCHER)
            template = "deadline_warning" if level == "warn" else "deadline_overdue"
        else:
            users = members.get(ticket.lead_unit_id or 0, [])
            template = "deadline_warning" if level == "warn" else "deadline_overdue"
        notices.append(
            Notice(
                key_prefix=(
                    f"ticket:{ticket.number}:alarm:{ticket.round}:{deadline}:{level}:"
                    f"{due.isoformat()}"
                ),
                users=users,
                template=template,
                context=_context(
                    ticket, stage=STAGE_LABELS.get(deadline, deadline), due=_when(due)
                ),
                url=url_of(ticket.number),
            )
        )
    notify_users_many(notices)
    if overdue:
        _publish("overdue", overdue)
