"""A unit's tickets by the drill-down dates: lead unit first, then the date.

A small unit's figure (a township of a province: tens of tickets a month among hundreds of
thousands) is listed by reading its own tickets and sorting them (drill.tickets_behind); these
indexes give it those rows directly. (lead_unit_id, reply_due) exists already (tickets 0001),
and (lead_unit_id, closed_at) also serves everything the plain lead_unit_id index did, which
tickets 0006 drops.
"""

from django.db import migrations

INDEXES = (
    ("stats_ticket_lead_closed", "closed_at"),
    ("stats_ticket_lead_created", "created_at"),
    ("stats_ticket_lead_contact", "contact_due"),
)


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_event_ticket_index")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON tickets_ticket (lead_unit_id, {column})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, column in INDEXES
    ]
