"""An action sent from a form that carries a one-time token: recorded once, however often the
form is sent (a dropped connection, a double tap, the browser's resend, a reply restored from
the phone's storage and sent again)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minsheng.org.models import User
from minsheng.tickets.errors import InvalidInput, StaleTicket
from minsheng.tickets.models import ActionToken, Ticket


def _used(key: uuid.UUID, ticket: Ticket, actor: User, action: str) -> bool:
    """Whether this form was recorded already; InvalidInput if the token is another form's."""
    token = ActionToken.objects.filter(key=key).first()
    if token is None:
        return False
    if token.ticket_id != ticket.pk or token.created_by_id != actor.pk or token.action != action:
        raise InvalidInput(_("表单已失效，请刷新页面后重新填写。"))
    return True


def ticket_action_once(
    *,
    ticket: Ticket,
    actor: User,
    action: str,
    form_token: uuid.UUID,
    perform: Callable[[], object],
) -> bool:
    """Run `perform` (one action service, with the version the page showed) and keep the token
    in the same transaction; True when the form was recorded before and nothing was done.

    The version check refuses a resent form whose first copy went through (StaleTicket); the
    token turns that refusal into "already recorded", and also catches a resend from a page
    that was reloaded in between (which shows the new version). Two copies at once: the
    second's token insert fails on the unique key and its action rolls back."""
    if _used(form_token, ticket, actor, action):
        return True
    try:
        with transaction.atomic():
            perform()
            ActionToken.objects.create(
                key=form_token, ticket=ticket, action=action, created_by=actor
            )
    except (IntegrityError, StaleTicket):
        if _used(form_token, ticket, actor, action):
            return True
        raise
    return False
