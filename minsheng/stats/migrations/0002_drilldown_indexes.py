"""Indexes the drill-down lists need on the tickets' own tables.

A figure dated by the closing day, the contact deadline or the callback lists its tickets by
that column; without an index a month of a large installation is a sequential scan. They are
created here rather than in minsheng.tickets because only the statistics read them; plain
CREATE INDEX works on SQLite and PostgreSQL alike.

Now a no-op: the indexes are declared by the models that own the tables and created by
tickets 0012, which finds them in a database that ran this migration before.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("tickets", "0002_ticket_callback_due_ticket_contact_due_and_more"),
    ]

    operations: list[migrations.operations.base.Operation] = []
