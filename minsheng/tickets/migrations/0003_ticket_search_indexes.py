"""A word index for the ticket search with a million tickets (docs/benchmarks/pages.md).

PostgreSQL only; on SQLite this migration does nothing (the search there stays a plain LIKE).

Word search (`search_tickets(words=…)`) is `title LIKE '%w%' OR description LIKE '%w%'`,
which no B-tree can serve. Chinese words are mostly two characters, too short for pg_trgm's
trigrams, so the index is a GIN over every two-character substring (bigram) of
`title || ' ' || description`, computed by `minsheng_bigrams(text)`: a word occurring in the
title or the description has all its bigrams in that array, so `bigrams @> <the word's
bigrams>` narrows a search to the candidates and the LIKE keeps it exact. The function splits
the text into pairs at even and at odd offsets with two regexp_replace calls (C code; a
per-character SQL loop is ten times slower). Its array also holds single characters and pairs
with punctuation or spaces; the query side (selectors.word_bigrams) only asks for real
two-character pairs, so they do no harm.

The bigrams live in their own table, `tickets_ticketwords` (ticket id → bigram array), kept by
triggers, not in an index on an expression over tickets_ticket: computing the bigrams of a
ticket's text costs a few tenths of a millisecond, and an expression index would pay it on
every update of a ticket (the worker's deadline sweep, every action), although the text only
changes at intake. The triggers fire on insert, on an update that changes the title or the
description, on delete and on truncate. The table has no foreign key (Django's test flush
truncates the tables it knows and would refuse a table referenced from one it does not);
the delete and truncate triggers keep it clean instead. Bulk loaders that switch triggers off
(bench/gen_tickets.py) fill it themselves.

Not atomic, so that a live database keeps taking tickets while the existing ones are indexed:
the triggers are committed first (from then on every new or changed ticket is indexed), then
the back-fill (one INSERT … SELECT; ON CONFLICT leaves rows the triggers wrote meanwhile) and a
CREATE INDEX CONCURRENTLY. On this project's 2-core test machine, 1,000,000 tickets took about
40 minutes under load (3.1 GB, of it 1 GB index); docs/benchmarks/pages.md.
"""

from django.db import migrations

FORWARDS = r"""
CREATE OR REPLACE FUNCTION minsheng_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT string_to_array(regexp_replace(t, '(..)', E'\\1\x01', 'g'), E'\x01')
      || string_to_array(regexp_replace(substr(t, 2), '(..)', E'\\1\x01', 'g'), E'\x01')
$$;

CREATE TABLE IF NOT EXISTS tickets_ticketwords (
  ticket_id bigint PRIMARY KEY,
  bigrams text[] NOT NULL
);

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

DROP TRIGGER IF EXISTS tickets_ticketwords_insert ON tickets_ticket;
CREATE TRIGGER tickets_ticketwords_insert AFTER INSERT ON tickets_ticket
  FOR EACH ROW EXECUTE FUNCTION tickets_ticketwords_write();
DROP TRIGGER IF EXISTS tickets_ticketwords_update ON tickets_ticket;
CREATE TRIGGER tickets_ticketwords_update AFTER UPDATE OF title, description ON tickets_ticket
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
                     OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION tickets_ticketwords_write();
DROP TRIGGER IF EXISTS tickets_ticketwords_delete ON tickets_ticket;
CREATE TRIGGER tickets_ticketwords_delete AFTER DELETE ON tickets_ticket
  FOR EACH ROW EXECUTE FUNCTION tickets_ticketwords_delete();
DROP TRIGGER IF EXISTS tickets_ticketwords_truncate ON tickets_ticket;
CREATE TRIGGER tickets_ticketwords_truncate AFTER TRUNCATE ON tickets_ticket
  FOR EACH STATEMENT EXECUTE FUNCTION tickets_ticketwords_truncate();

"""
BACKFILL = (
    "INSERT INTO tickets_ticketwords (ticket_id, bigrams) "
    "SELECT id, minsheng_bigrams(title || ' ' || description) FROM tickets_ticket "
    "ON CONFLICT (ticket_id) DO NOTHING"
)
INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_ticketwords_bigrams "
    "ON tickets_ticketwords USING gin (bigrams)"
)

BACKWARDS = r"""
DROP TRIGGER IF EXISTS tickets_ticketwords_insert ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_ticketwords_update ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_ticketwords_delete ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_ticketwords_truncate ON tickets_ticket;
DROP TABLE IF EXISTS tickets_ticketwords;
DROP FUNCTION IF EXISTS tickets_ticketwords_write();
DROP FUNCTION IF EXISTS tickets_ticketwords_delete();
DROP FUNCTION IF EXISTS tickets_ticketwords_truncate();
DROP FUNCTION IF EXISTS minsheng_bigrams(text);
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    # Each statement commits on its own (the migration is not atomic).
    for sql in (FORWARDS, BACKFILL, INDEX, "ANALYZE tickets_ticketwords"):
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS, params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0002_ticket_callback_due_ticket_contact_due_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
