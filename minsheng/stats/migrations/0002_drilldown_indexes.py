"""Indexes the drill-down lists need on the tickets' own tables.

A figure dated by the closing day, the contact deadline or the callback lists its tickets by
that column; without an index a month of a large installation is a sequential scan. They are
created here rather than in minsheng.tickets because only the statistics read them; plain
CREATE INDEX works on SQLite and PostgreSQL alike.
"""

from django.db import migrations

INDEXES = (
    ("stats_ticket_closed_at", "tickets_ticket", "closed_at"),
    ("stats_ticket_contact_due", "tickets_ticket", "contact_due"),
    ("stats_callback_at", "tickets_callback", "at"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("tickets", "0002_ticket_callback_due_ticket_contact_due_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, column in INDEXES
    ]
