"""Why an incident action was refused: the ticket core's refusals (Chinese messages shown as
they are, stable API codes), so pages and APIs answer them the same way."""

from __future__ import annotations

from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed, TicketActionError

IncidentError = TicketActionError

__all__ = ["IncidentError", "InvalidInput", "InvalidTransition", "NotAllowed"]
