"""The search's word index, filled by the worker (tickets migrations 0003 and 0009).

Triggers mark every new ticket, and every ticket whose title or description changed, `pending`
in `tickets_ticketwords`; `index_pending` writes their bigrams (whose GIN index serves
`selectors._with_words`) a batch at a time. The search also offers every pending ticket as a
candidate, so it is exact whether or not the worker has been.

PostgreSQL only: on SQLite the search is a plain LIKE and there is nothing to index.
"""

from __future__ import annotations

import threading

from django.db import connection, transaction

# One statement: take up to `limit` pending rows (skipping those another worker, or a text
# change in progress, holds) and write their bigrams from the text as committed now. A ticket
# deleted meanwhile has lost its row to the delete trigger.
_INDEX_BATCH = """
UPDATE tickets_ticketwords w
SET bigrams = minsheng_bigrams(t.title || ' ' || t.description), pending = false
FROM tickets_ticket t
WHERE t.id = w.ticket_id AND w.ticket_id IN (
  SELECT ticket_id FROM tickets_ticketwords WHERE pending
  ORDER BY ticket_id LIMIT %s FOR UPDATE SKIP LOCKED
)
"""


def pending_count() -> int | None:
    """Tickets waiting for the worker (None where there is no word index: SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticketwords WHERE pending")
        return int(cursor.fetchone()[0])


def index_pending(*, limit: int = 500) -> int:
    """One batch; returns how many tickets were indexed (0: none pending, or all held)."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INDEX_BATCH, [limit])
        return int(cursor.rowcount or 0)


def index_until_done(*, limit: int = 500, stop: threading.Event | None = None) -> int:
    total = 0
    while stop is None or not stop.is_set():
        done = index_pending(limit=limit)
        total += done
        if done < limit:
            break
    return total
