"""A villager's question as the citizens' side takes it: the villages' service
(`villages.services.questions.question_ask`: a ticket to the village committee) plus what the
citizens' side keeps of every ticket it takes in — a receipt with a query code (sent by SMS as
for a report) and the form's one-time key, so a resent form ends with one question."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minsheng.notify.services import enqueue
from minsheng.portal.codes import Refused
from minsheng.portal.models import Receipt
from minsheng.portal.services import existing, query_hash, screen
from minsheng.villages.models import Item
from minsheng.villages.services.questions import question_ask


def villager_ask(
    *, item: Item, kind: str, text: str, phone: str, submission_key: str
) -> tuple[Receipt, str | None]:
    """The question's receipt and its query code; the same form sent again gives the first
    receipt and no code. Sensitive words: refused in `refuse` mode; in `hold` mode taken in,
    recorded on the receipt, and the text is not shown on the board (views.py)."""
    earlier = existing(submission_key)
    if earlier is not None:
        return earlier, None
    found = screen().find(text)
    if found and settings.MINSHENG_SENSITIVE_ACTION == "refuse":
        raise Refused(
            _("内容含有不宜使用的词语（%(w)s），请修改后再提交。") % {"w": "、".join(found[:5])}
        )
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        with transaction.atomic():
            question = question_ask(item=item, kind=kind, text=text, phone=phone)
            ticket = question.ticket
            receipt = Receipt.objects.create(
                ticket=ticket,
                query_hash=query_hash(ticket.number, code),
                submission_key=submission_key,
                screened="、".join(found)[:200],
            )
            enqueue(
                key=f"portal:receipt:{ticket.number}",
                channel="sms",
                recipient=ticket.citizen_phone,
                template="portal_receipt_sms",
                context={"number": ticket.number, "code": code},
            )
    except IntegrityError:
        earlier = existing(submission_key)
        if earlier is None:
            raise
        return earlier, None
    return receipt, code
