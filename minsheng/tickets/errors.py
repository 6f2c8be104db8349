"""Why a ticket action was refused. Messages are Chinese (shown to users as they are); `code`
is stable for APIs: invalid_state → 409, forbidden → 403, conflict → 409, invalid → 400."""

from __future__ import annotations

from django.utils.functional import Promise


class TicketActionError(Exception):
    code = "invalid"

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class InvalidInput(TicketActionError):
    code = "invalid"


class InvalidTransition(TicketActionError):
    code = "invalid_state"


class NotAllowed(TicketActionError):
    code = "forbidden"


class StaleTicket(TicketActionError):
    code = "conflict"
