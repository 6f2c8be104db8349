"""The word index carries each ticket's `created_at`, so that a word search reads its candidates
newest first, a window of time at a time (docs/benchmarks/pages.md).

A frequent word (路灯: 16,000 of 1,000,000 tickets) made every search read all its candidates'
rows of `tickets_ticketwords` (about 1 kB each, one 8 kB block per candidate) and then every
candidate ticket, only to sort them by `created_at` and show the newest 50: about 200 ms.
With `created_at` beside the bigrams and indexed, `selectors.search_ticket_ids` asks, for a
user who sees every ticket, for the last 7 days first (the GIN bitmap ANDed with the
`created_at` range: a few hundred rows), then 30, 180 days and the rest, and stops when it has
the page's ids.

The insert trigger copies the ticket's `created_at` (the ticket's own is set once, at intake;
a change of it, by hand, marks the row again like a text change does).

Not atomic: the back-fill runs in batches of 10,000 tickets, each committed on its own, so that
intakes and searches go on meanwhile. Every updated row gets new GIN entries for its bigrams:
on the 2-core test machine 1,000,000 tickets took about 27 minutes, and the word table and its
GIN index grew to about twice their size (1.0 → 2.2 GB and 1.0 → 1.8 GB; `REINDEX INDEX
CONCURRENTLY tickets_ticketwords_bigrams` gives the index's space back). Then the column
becomes NOT NULL (the trigger writes it from the start of the back-fill, so nothing is missed)
and its index is built CONCURRENTLY. PostgreSQL only, like 0003; nothing on SQLite.
"""

from django.db import migrations

COLUMN = "ALTER TABLE tickets_ticketwords ADD COLUMN IF NOT EXISTS created_at timestamptz"

TRIGGER = r"""
CREATE OR REPLACE FUNCTION tickets_ticketwords_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tickets_ticketwords (ticket_id, bigrams, pending, created_at)
  VALUES (NEW.id, '{}', true, NEW.created_at)
  ON CONFLICT (ticket_id) DO UPDATE SET pending = true, created_at = EXCLUDED.created_at;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS tickets_ticketwords_update ON tickets_ticket;
CREATE TRIGGER tickets_ticketwords_update AFTER UPDATE OF title, description, created_at
  ON tickets_ticket FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description
        OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION tickets_ticketwords_write();
"""

BATCH = 10_000
BACKFILL = """
UPDATE tickets_ticketwords w SET created_at = t.created_at
FROM tickets_ticket t
WHERE t.id = w.ticket_id AND w.ticket_id > %s AND w.ticket_id <= %s AND w.created_at IS NULL
"""

FINISH = (
    "ALTER TABLE tickets_ticketwords ALTER COLUMN created_at SET NOT NULL",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_ticketwords_created "
    "ON tickets_ticketwords (created_at)",
    "ANALYZE tickets_ticketwords",
)

# Back to 0009: the trigger without the column, then the column goes.
BACKWARDS = r"""
CREATE OR REPLACE FUNCTION tickets_ticketwords_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tickets_ticketwords (ticket_id, bigrams, pending) VALUES (NEW.id, '{}', true)
  ON CONFLICT (ticket_id) DO UPDATE SET pending = true;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS tickets_ticketwords_update ON tickets_ticket;
CREATE TRIGGER tickets_ticketwords_update AFTER UPDATE OF title, description ON tickets_ticket
  FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION tickets_ticketwords_write();

DROP INDEX IF EXISTS tickets_ticketwords_created;
ALTER TABLE tickets_ticketwords DROP COLUMN IF EXISTS created_at;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(COLUMN, params=None)
    schema_editor.execute(TRIGGER, params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(ticket_id), 0) FROM tickets_ticketwords")
        (last,) = cursor.fetchone()
        # Each batch commits on its own (autocommit: the migration is not atomic).
        for start in range(0, last, BATCH):
            cursor.execute(BACKFILL, [start, start + BATCH])
    for sql in FINISH:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS, params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0009_word_index_pending"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
