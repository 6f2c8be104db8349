"""Every change to a ticket: one function each, keyword-only, permission-checked, transactional,
writing its timeline event in the same transaction. Views, APIs, admin actions and the worker
call these; nothing else sets `Ticket.status`. One module per family of verbs (Zulip's
`zerver/actions/`); callers import from this package, never from its modules.

Concurrency: each action locks the ticket row (`select_for_update`; on SQLite the IMMEDIATE
transaction mode serialises writers instead) and re-reads it, so the state checks see the truth.
Callers that show a page may pass `expected_version`; a page that went stale is refused with
StaleTicket instead of acting on what the user no longer sees. Two dispatchers racing: one wins,
the other gets InvalidTransition ("已派单").

Who may do what, and when, is decided by minsheng/tickets/rules.py: every action locks its row,
asks the rulebook's `check_<action>` (which raises the refusal), validates its own input, and
only then writes.
"""

from minsheng.tickets.actions._steps import MAX_EXTENSION_DAYS, MAX_TEXT
from minsheng.tickets.actions.alarms import ALARM_ACTIONS, Alarm, tickets_raise_alarms
from minsheng.tickets.actions.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    sniff_image,
    ticket_attach,
)
from minsheng.tickets.actions.closing import (
    ticket_callback,
    ticket_close,
    ticket_merge,
    ticket_reopen,
)
from minsheng.tickets.actions.dispatch import (
    ticket_add_assisting,
    ticket_decompose,
    ticket_dispatch,
    ticket_reassign,
    ticket_return,
    ticket_return_accept,
    ticket_return_refuse,
    ticket_sign,
)
from minsheng.tickets.actions.handling import (
    CONTACT_METHODS,
    ticket_contact,
    ticket_extension_decide,
    ticket_extension_request,
    ticket_pause,
    ticket_progress,
    ticket_reply,
    ticket_resume,
)
from minsheng.tickets.actions.intake import (
    EMERGENCY_SERVICES,
    LEGAL_CHANNELS,
    Intake,
    ticket_direct_answer,
    ticket_emergency_transfer,
    ticket_intake,
    ticket_intake_answered,
    ticket_intake_once,
    ticket_legal_channel,
)
from minsheng.tickets.actions.once import ticket_action_once
from minsheng.tickets.actions.supervision import (
    ticket_praise,
    ticket_remind,
    ticket_supervise,
    unit_praise,
)

__all__ = [
    "ALARM_ACTIONS",
    "CONTACT_METHODS",
    "EMERGENCY_SERVICES",
    "LEGAL_CHANNELS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTOS",
    "MAX_EXTENSION_DAYS",
    "MAX_TEXT",
    "Alarm",
    "Intake",
    "sniff_image",
    "ticket_action_once",
    "ticket_add_assisting",
    "ticket_attach",
    "ticket_callback",
    "ticket_close",
    "ticket_contact",
    "ticket_decompose",
    "ticket_direct_answer",
    "ticket_dispatch",
    "ticket_emergency_transfer",
    "ticket_extension_decide",
    "ticket_extension_request",
    "ticket_intake",
    "ticket_intake_answered",
    "ticket_intake_once",
    "ticket_legal_channel",
    "ticket_merge",
    "ticket_pause",
    "ticket_praise",
    "ticket_progress",
    "ticket_reassign",
    "ticket_reopen",
    "ticket_reply",
    "ticket_resume",
    "ticket_return",
    "ticket_return_accept",
    "ticket_return_refuse",
    "ticket_sign",
    "ticket_supervise",
    "ticket_remind",
    "tickets_raise_alarms",
    "unit_praise",
]
