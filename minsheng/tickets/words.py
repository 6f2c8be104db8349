"""The search's word index, filled by the worker (tickets migrations 0003 and 0009).

Triggers queue every new ticket, and every ticket whose title or description changed, in
`tickets_ticketwords_queue`; `index_queued` writes their bigrams into `tickets_ticketwords`
(whose GIN index serves `selectors._with_words`) a batch at a time. The search also offers every
queued ticket as a candidate, so it is exact whether or not the worker has been.

PostgreSQL only: on SQLite the search is a plain LIKE and there is nothing to index.
"""

from __future__ import annotations

import threading

from django.db import connection, transaction

# One transaction: take up to `limit` queued ids (skipping those another worker, or a text
# change in progress, holds), remove them from the queue, and write their bigrams from the text
# as committed now. A ticket deleted meanwhile has no row to join and is simply dropped.
_INDEX_BATCH = """
WITH taken AS (
  DELETE FROM tickets_ticketwords_queue
  WHERE ticket_id IN (
    SELECT ticket_id FROM tickets_ticketwords_queue
    ORDER BY ticket_id LIMIT %s FOR UPDATE SKIP LOCKED
  )
  RETURNING ticket_id
)
INSERT INTO tickets_ticketwords (ticket_id, bigrams)
SELECT t.id, minsheng_bigrams(t.title || ' ' || t.description)
FROM tickets_ticket t JOIN taken ON taken.ticket_id = t.id
ON CONFLICT (ticket_id) DO UPDATE SET bigrams = EXCLUDED.bigrams
"""


def index_queued(*, limit: int = 500) -> int:
    """One batch; returns how many tickets were indexed (0: the queue is empty, or held)."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INDEX_BATCH, [limit])
        return int(cursor.rowcount or 0)


def index_until_done(*, limit: int = 500, stop: threading.Event | None = None) -> int:
    total = 0
    while stop is None or not stop.is_set():
        done = index_queued(limit=limit)
        total += done
        if done < limit:
            break
    return total
