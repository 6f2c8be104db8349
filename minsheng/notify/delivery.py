"""Delivering the outbox: claim due rows, send them outside any transaction, record the outcome.

Safe with any number of worker processes on any number of machines:

- **Claim.** On PostgreSQL, one short transaction takes due rows with
  ``SELECT … FOR UPDATE SKIP LOCKED`` and marks them ``sending``; concurrent workers skip each
  other's rows instead of waiting. Elsewhere (SQLite) each candidate is claimed by a conditional
  ``UPDATE … WHERE <still due> AND attempts = <as read>``: exactly one worker sees "1 row
  updated". Either way a claim sets a lease (``claimed_until``, NOTIFY_LEASE_SECONDS) and moves
  ``next_attempt_at`` to the lease's end, so a row whose worker died between claim and delivery
  becomes due again when the lease expires, and is delivered once more.
- **Send** happens after the claim has committed, so a slow SMS gateway never holds a lock.
- **Record.** The outcome is written only if the row is still ours (``status = sending`` and the
  ``attempts`` value of our claim, a fencing token). A worker that outlived its lease while
  another re-delivered the row cannot overwrite the other's result. The lease must therefore be
  much longer than a channel's timeout, or a slow send may be repeated.

Failures: TransientError (and any unexpected exception) → ``failed``, retried after
NOTIFY_RETRY_BASE_SECONDS × 2^(attempts − 1), capped at NOTIFY_RETRY_MAX_SECONDS; after
NOTIFY_MAX_ATTEMPTS claims, or at once for PermanentError, → ``dead`` (the admin shows these and
can send them again). Logs and ``last_error`` only ever hold masked personal data.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from minsheng.notify import channels
from minsheng.notify.channels import Channel, PermanentError, RenderedMessage, TransientError
from minsheng.notify.message_templates import RenderError, render
from minsheng.notify.models import LIVE_STATUSES, Outbox, OutboxStatus
from minsheng.textproc.pii import mask_pii

logger = logging.getLogger("minsheng.notify")

ERROR_MAX = 500

# Set after commit by `services.enqueue`, so a worker loop running in this process wakes at once
# instead of at its next poll. Other processes poll; nothing depends on the nudge arriving.
wakeup = threading.Event()


def nudge() -> None:
    wakeup.set()


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def deliver_due(*, now: dt.datetime | None = None, limit: int = 100, worker_id: str = "") -> int:
    """Claim up to `limit` due rows, send them, and return how many were sent.

    `now` pins the clock (tests, replays); by default each step reads the current time. Call
    it outside any transaction (the worker does): inside one, the claim would not commit before
    the sends and a PostgreSQL claim would keep its row locks until the caller commits.
    """
    return _deliver_round(now=now, limit=limit, worker_id=worker_id)[1]


def _deliver_round(*, now: dt.datetime | None, limit: int, worker_id: str) -> tuple[int, int]:
    """(rows claimed, rows sent) of one round."""
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
    rows = claim_due(now=clock(), limit=limit, worker_id=worker_id or default_worker_id())
    senders: dict[str, Channel] = {}
    sent = 0
    for index, row in enumerate(rows):
        if not _lease_left(row, clock()):
            # A long round (a slow gateway) ate the lease: another worker may re-claim these
            # rows any moment, so hand them back unsent rather than risk sending them twice.
            _release(rows[index:], now=clock())
            break
        sent += _deliver_one(row, senders=senders, clock=clock)
    return len(rows), sent


def send_margin() -> dt.timedelta:
    """Lease time a send may need: twice the gateway timeout (connect, then read)."""
    return dt.timedelta(seconds=2 * settings.NOTIFY_SMS_TIMEOUT)


def _lease_left(row: Outbox, now: dt.datetime) -> bool:
    return row.claimed_until is not None and now + send_margin() < row.claimed_until


def _release(rows: list[Outbox], *, now: dt.datetime) -> None:
    for row in rows:
        # The claim did not become an attempt, so it does not count as one.
        Outbox.objects.filter(_ours(row)).update(
            status=OutboxStatus.PENDING,
            attempts=F("attempts") - 1,
            next_attempt_at=now,
            claimed_until=None,
            claimed_by="",
        )


def claim_due(*, now: dt.datetime, limit: int, worker_id: str) -> list[Outbox]:
    """Mark up to `limit` due rows ``sending`` under a lease for this worker and return them."""
    lease_end = now + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    if use_skip_locked():
        return _claim_skip_locked(now=now, lease_end=lease_end, limit=limit, worker_id=worker_id)
    return _claim_conditional(now=now, lease_end=lease_end, limit=limit, worker_id=worker_id)


def use_skip_locked() -> bool:
    return bool(connection.features.has_select_for_update_skip_locked)


def due_filter(now: dt.datetime) -> Q:
    # The status list matches the partial index's predicate, so the planner can use it.
    return Q(status__in=LIVE_STATUSES, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def _claim_skip_locked(
    *, now: dt.datetime, lease_end: dt.datetime, limit: int, worker_id: str
) -> list[Outbox]:
    with transaction.atomic():
        rows = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(due_filter(now))
            .order_by("next_attempt_at", "id")[:limit]
        )
        if rows:
            Outbox.objects.filter(pk__in=[row.pk for row in rows]).update(
                **_claim_fields(lease_end, worker_id)
            )
    return [_claimed(row, lease_end, worker_id) for row in rows]


def _claim_conditional(
    *, now: dt.datetime, lease_end: dt.datetime, limit: int, worker_id: str
) -> list[Outbox]:
    candidates = list(
        Outbox.objects.filter(due_filter(now)).order_by("next_attempt_at", "id")[:limit]
    )
    claimed = []
    for row in candidates:
        won = Outbox.objects.filter(due_filter(now), pk=row.pk, attempts=row.attempts).update(
            **_claim_fields(lease_end, worker_id)
        )
        if won == 1:  # 0: another worker claimed it between our read and our update
            claimed.append(_claimed(row, lease_end, worker_id))
    return claimed


def _claim_fields(lease_end: dt.datetime, worker_id: str) -> dict[str, object]:
    return {
        "status": OutboxStatus.SENDING,
        "attempts": F("attempts") + 1,
        "claimed_until": lease_end,
        "claimed_by": worker_id[:100],
        "next_attempt_at": lease_end,
    }


def _claimed(row: Outbox, lease_end: dt.datetime, worker_id: str) -> Outbox:
    row.status = OutboxStatus.SENDING
    row.attempts += 1
    row.claimed_until = lease_end
    row.claimed_by = worker_id[:100]
    row.next_attempt_at = lease_end
    return row


def _deliver_one(
    row: Outbox, *, senders: dict[str, Channel], clock: Callable[[], dt.datetime]
) -> int:
    try:
        message = _render(row)
        if row.channel not in senders:
            senders[row.channel] = channels.channel_for(row.channel)
        senders[row.channel].send(message)
    except PermanentError as exc:
        _record_dead(row, error=str(exc), now=clock())
    except TransientError as exc:
        _record_failure(row, error=str(exc), now=clock())
    except Exception as exc:  # a bug in a channel must not lose the message: retry, then dead
        _record_failure(row, error=f"{type(exc).__name__}: {exc}", now=clock())
    else:
        return _record_sent(row, now=clock())
    return 0


def _render(row: Outbox) -> RenderedMessage:
    context = row.context if isinstance(row.context, dict) else {}
    try:
        title, body = render(row.template, context)
    except RenderError as exc:
        raise PermanentError(str(exc)) from None
    return RenderedMessage(
        key=row.key,
        channel=row.channel,
        recipient=row.recipient,
        title=title,
        body=body,
        url=str(context.get("url", "")),
    )


def _ours(row: Outbox) -> Q:
    return Q(pk=row.pk, status=OutboxStatus.SENDING, attempts=row.attempts)


def _record_sent(row: Outbox, *, now: dt.datetime) -> int:
    updated = Outbox.objects.filter(_ours(row)).update(
        status=OutboxStatus.SENT, sent_at=now, claimed_until=None, last_error=""
    )
    if updated != 1:
        _warn_lease_lost(row)
    logger.info("notify: sent %s via %s", mask_pii(row.key), row.channel)
    return 1


def _record_failure(row: Outbox, *, error: str, now: dt.datetime) -> None:
    if row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        _record_dead(row, error=error, now=now)
        return
    retry_at = now + backoff(row.attempts)
    updated = Outbox.objects.filter(_ours(row)).update(
        status=OutboxStatus.FAILED,
        next_attempt_at=retry_at,
        claimed_until=None,
        last_error=_masked(error),
    )
    if updated != 1:
        _warn_lease_lost(row)
    logger.warning(
        "notify: %s via %s failed (attempt %d), retry at %s: %s",
        mask_pii(row.key),
        row.channel,
        row.attempts,
        retry_at.isoformat(),
        _masked(error),
    )


def _record_dead(row: Outbox, *, error: str, now: dt.datetime) -> None:
    updated = Outbox.objects.filter(_ours(row)).update(
        status=OutboxStatus.DEAD, claimed_until=None, last_error=_masked(error)
    )
    if updated != 1:
        _warn_lease_lost(row)
    logger.error(
        "notify: %s via %s gave up after %d attempt(s): %s",
        mask_pii(row.key),
        row.channel,
        row.attempts,
        _masked(error),
    )


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` claims: 1 min, 2, 4 … capped (6 h default)."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.NOTIFY_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def _masked(error: str) -> str:
    return mask_pii(error)[:ERROR_MAX]


def _warn_lease_lost(row: Outbox) -> None:
    # Our lease ran out and another worker re-claimed the row: its record wins. If we did send,
    # the recipient may get the message twice; a longer NOTIFY_LEASE_SECONDS prevents this.
    logger.warning(
        "notify: lease on %s expired before its delivery was recorded", mask_pii(row.key)
    )


def run_loop(
    *,
    stop: threading.Event,
    poll_seconds: float | None = None,
    limit: int = 100,
    worker_id: str = "",
) -> None:
    """Deliver until `stop` is set: after each round, sleep until nudged or the poll interval.

    A full round (as many rows claimed as `limit`) goes straight on to the next. The wake-up flag
    is cleared before each round, so a nudge that arrives while a round runs is never lost: the
    following wait returns at once. Whoever sets `stop` should `nudge()` to end the wait early.
    """
    poll = settings.NOTIFY_POLL_SECONDS if poll_seconds is None else poll_seconds
    worker = worker_id or default_worker_id()
    while not stop.is_set():
        wakeup.clear()
        try:
            claimed, _sent = _deliver_round(now=None, limit=limit, worker_id=worker)
        except Exception as exc:  # e.g. the database restarted: keep the loop alive, retry later
            logger.error(
                "notify: delivery round failed: %s", _masked(f"{type(exc).__name__}: {exc}")
            )
            claimed = 0
        finally:
            connection.close_if_unusable_or_obsolete()
        if claimed < limit:
            wakeup.wait(timeout=poll)
