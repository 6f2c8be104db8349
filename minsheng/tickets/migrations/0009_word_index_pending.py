"""The search's word index is filled by the worker, not by the intake (docs/benchmarks/intake.md,
issues 3 and 5).

Until now the insert trigger of migration 0003 wrote a ticket's ~600 bigrams into the GIN index
of `tickets_ticketwords` inside the intake's transaction: with a million tickets that index is
a gigabyte, and its maintenance (and the merges of its pending list) was most of an intake's
cost and the tail of Open311 POSTs. Now the triggers only write the ticket's row with an empty
array and `pending = true` (a text change sets `pending` again), and the worker
(`tickets.words.index_pending`) takes pending rows in batches with SKIP LOCKED and writes their
bigrams.

The search stays exact at every moment: its candidates are `bigrams @> <the word's bigrams> OR
pending` — every ticket the worker has not indexed yet is a candidate — and the LIKE on the
current title and description decides (`selectors._with_words`). Both conditions are on the
same table (the GIN index and a partial index of the pending rows, joined by a BitmapOr), so
PostgreSQL estimates the candidates as before and keeps its plans; a separate queue table in a
UNION made it guess 200 candidates and walk them one by one (4× slower for a frequent word).

The trigger upserts, so it takes the row's lock: a text change racing the worker's batch either
waits for it and marks the row pending again, or holds the row so that the worker skips it until
the change is committed; a change is never lost.

Not atomic, so that the partial index is built CONCURRENTLY on a live database. PostgreSQL
only, like 0003; nothing on SQLite (where the search is a plain LIKE).
"""

from django.db import migrations

COLUMN = (
    "ALTER TABLE tickets_ticketwords ADD COLUMN IF NOT EXISTS pending boolean NOT NULL DEFAULT false"
)
INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_ticketwords_pending "
    "ON tickets_ticketwords (ticket_id) WHERE pending"
)
TRIGGER = r"""
CREATE OR REPLACE FUNCTION tickets_ticketwords_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tickets_ticketwords (ticket_id, bigrams, pending) VALUES (NEW.id, '{}', true)
  ON CONFLICT (ticket_id) DO UPDATE SET pending = true;
  RETURN NULL;
END $$;
"""

# Back to 0003's trigger: the pending tickets are indexed at once, then the column goes.
BACKWARDS = r"""
CREATE OR REPLACE FUNCTION tickets_ticketwords_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tickets_ticketwords (ticket_id, bigrams)
  VALUES (NEW.id, minsheng_bigrams(NEW.title || ' ' || NEW.description))
  ON CONFLICT (ticket_id) DO UPDATE SET bigrams = EXCLUDED.bigrams;
  RETURN NULL;
END $$;

UPDATE tickets_ticketwords w SET bigrams = minsheng_bigrams(t.title || ' ' || t.description)
FROM tickets_ticket t WHERE t.id = w.ticket_id AND w.pending;

DROP INDEX IF EXISTS tickets_ticketwords_pending;
ALTER TABLE tickets_ticketwords DROP COLUMN IF EXISTS pending;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    # Each statement commits on its own (the migration is not atomic): the column (no rewrite),
    # its partial index built without blocking intakes, then the trigger that uses them.
    # ANALYZE: without statistics of the new column PostgreSQL takes half the rows for pending
    # and plans word searches around that (seconds instead of milliseconds, measured).
    for sql in (COLUMN, INDEX, TRIGGER, "ANALYZE tickets_ticketwords"):
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS, params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0008_fewer_ticket_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
