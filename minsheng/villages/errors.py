"""Why a village-affairs action was refused: the ticket core's refusals (same Chinese messages
shown as they are, same API codes), so pages and APIs answer them the same way."""

from minsheng.tickets.errors import (
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    StaleTicket,
    TicketActionError,
)

VillageActionError = TicketActionError
StaleItem = StaleTicket

__all__ = [
    "InvalidInput",
    "InvalidTransition",
    "NotAllowed",
    "StaleItem",
    "VillageActionError",
]
