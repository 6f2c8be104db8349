"""The statistics' indexes on the tickets' tables, created again where a rebuild lost them.

On SQLite, Django alters or drops a column by rebuilding the whole table, and the rebuilt table
has only the indexes the model declares: those created by the statistics with plain SQL (0002,
0005, 0006) went with tickets 0006, 0008 and 0011 (tickets_ticket) and 0007 (tickets_callback). PostgreSQL alters in place and keeps them; there this
migration finds them all and does nothing. tests/stats/test_indexes.py checks that every one
exists after the migrations, on either database.
"""

from django.db import migrations

INDEXES = (
    ("stats_ticket_closed_at", "tickets_ticket (closed_at)"),
    ("stats_ticket_contact_due", "tickets_ticket (contact_due)"),
    ("stats_ticket_lead_closed", "tickets_ticket (lead_unit_id, closed_at)"),
    ("stats_ticket_lead_created", "tickets_ticket (lead_unit_id, created_at)"),
    ("stats_ticket_lead_contact", "tickets_ticket (lead_unit_id, contact_due)"),
    ("stats_ticket_reply_due", "tickets_ticket (reply_due)"),
    (
        "stats_ticket_reply_late",
        "tickets_ticket (reply_due) WHERE replied_at IS NULL OR replied_at > reply_due",
    ),
    ("stats_callback_at", "tickets_callback (at)"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0006_reply_and_unit_event_indexes"),
        ("tickets", "0011_next_check_moved"),
    ]

    # Backwards: nothing to undo (0002, 0005 and 0006 own these indexes and drop them).
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {target}",
            migrations.RunSQL.noop,
        )
        for name, target in INDEXES
    ]
