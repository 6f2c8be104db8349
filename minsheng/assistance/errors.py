"""Why an assistance action was refused: the ticket core's refusals (Chinese messages shown as
they are, stable API codes), so pages and APIs answer them the same way."""

from __future__ import annotations

from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed, TicketActionError

AssistanceError = TicketActionError


class Duplicate(InvalidInput):
    """The ID number is already in the ledger: the existing entry is offered, not duplicated."""

    def __init__(self, message: str, *, person_id: int, visible: bool) -> None:
        super().__init__(message, field="id_number")
        self.person_id = person_id
        self.visible = visible


__all__ = ["AssistanceError", "Duplicate", "InvalidInput", "InvalidTransition", "NotAllowed"]
