"""Why a facilities action was refused: the ticket core's refusals (Chinese messages shown as
they are, stable API codes), so pages answer them as every other app does."""

from __future__ import annotations

from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed, TicketActionError

FacilityError = TicketActionError

__all__ = ["FacilityError", "InvalidInput", "InvalidTransition", "NotAllowed"]
