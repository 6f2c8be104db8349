"""The search's word index is filled by the worker, not by the intake (docs/benchmarks.md,
issues 3 and 5).

Until now the insert trigger of migration 0003 wrote a ticket's ~600 bigrams into the GIN index
of `tickets_ticketwords` inside the intake's transaction: with a million tickets that index is
a gigabyte, and its maintenance (and the merges of its pending list) was most of an intake's
cost and the multi-second tail of Open311 POSTs. Now the triggers only queue the ticket's id in
`tickets_ticketwords_queue` (a one-column table); the worker (`tickets.words.index_queued`)
takes queued ids in batches with SKIP LOCKED, writes their bigrams and removes them from the
queue in one transaction.

The search stays exact at every moment: its candidates are the tickets whose bigrams match
*plus every queued ticket* (a few, or a few hundred right after a burst), and the LIKE on the
current title and description decides (`selectors._with_words`). A text changed after indexing
is queued again; until the worker has been, its old bigrams and the queue both offer it as a
candidate and the LIKE reads the new text.

The queue trigger upserts (`DO UPDATE`), so it takes the queued row's lock: a text change that
races with the worker's batch either waits for it and queues the ticket again, or holds the row
so the worker skips it until the change is committed; a change is never lost.

PostgreSQL only, like 0003; nothing on SQLite (where the search is a plain LIKE).
"""

from django.db import migrations

FORWARDS = r"""
CREATE TABLE IF NOT EXISTS tickets_ticketwords_queue (
  ticket_id bigint PRIMARY KEY
);

CREATE OR REPLACE FUNCTION tickets_ticketwords_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tickets_ticketwords_queue (ticket_id) VALUES (NEW.id)
  ON CONFLICT (ticket_id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tickets_ticketwords_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tickets_ticketwords WHERE ticket_id = OLD.id;
  DELETE FROM tickets_ticketwords_queue WHERE ticket_id = OLD.id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tickets_ticketwords_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE tickets_ticketwords, tickets_ticketwords_queue;
  RETURN NULL;
END $$;
"""

# Back to 0003's triggers: the queued tickets are indexed at once, then the queue goes.
BACKWARDS = r"""
CREATE OR REPLACE FUNCTION tickets_ticketwords_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tickets_ticketwords (ticket_id, bigrams)
  VALUES (NEW.id, minsheng_bigrams(NEW.title || ' ' || NEW.description))
  ON CONFLICT (ticket_id) DO UPDATE SET bigrams = EXCLUDED.bigrams;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tickets_ticketwords_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tickets_ticketwords WHERE ticket_id = OLD.id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tickets_ticketwords_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE tickets_ticketwords;
  RETURN NULL;
END $$;

INSERT INTO tickets_ticketwords (ticket_id, bigrams)
SELECT t.id, minsheng_bigrams(t.title || ' ' || t.description)
FROM tickets_ticket t JOIN tickets_ticketwords_queue q ON q.ticket_id = t.id
ON CONFLICT (ticket_id) DO UPDATE SET bigrams = EXCLUDED.bigrams;

DROP TABLE IF EXISTS tickets_ticketwords_queue;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_fewer_ticket_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
