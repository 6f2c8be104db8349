"""The statistics' indexes on the tickets' tables, created again where a rebuild lost them.

On SQLite, Django alters or drops a column by rebuilding the whole table, and the rebuilt table
has only the indexes the model declares: those created by the statistics with plain SQL (0002,
0005, 0006) went with tickets 0006, 0008 and 0011 (tickets_ticket) and 0007 (tickets_callback). PostgreSQL alters in place and keeps them; there this
migration finds them all and does nothing. tests/stats/test_indexes.py checks that every one
exists after the migrations, on either database.

Now a no-op: the indexes are declared by the models that own the tables and created by
tickets 0012, which finds them in a database that ran this migration before.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0006_reply_and_unit_event_indexes"),
        ("tickets", "0011_next_check_moved"),
    ]

    operations: list[migrations.operations.base.Operation] = []
