"""`{% load ticket_text %}`: a ticket's title as the viewing user may read it.

    {% ticket_title t %}

Lists call `selectors.with_titles(user, tickets)` first (one query for the page); a ticket
that did not pass through it is worked out here on its own, so a list that forgets costs
queries, never a leak.
"""

from __future__ import annotations

from typing import Any

from django import template

from minsheng.tickets import selectors
from minsheng.tickets.models import Ticket

register = template.Library()


@register.simple_tag(takes_context=True)
def ticket_title(context: dict[str, Any], ticket: Ticket) -> str:
    shown = getattr(ticket, "shown_title", None)
    if shown is not None:
        return str(shown)
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return selectors.title_for(user, ticket)
