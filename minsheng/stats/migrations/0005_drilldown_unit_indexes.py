"""A unit's tickets by the drill-down dates: lead unit first, then the date.

A small unit's figure (a township of a province: tens of tickets a month among hundreds of
thousands) is listed by reading its own tickets and sorting them (drill.tickets_behind); these
indexes give it those rows directly. (lead_unit_id, reply_due) exists already (tickets 0001),
and (lead_unit_id, closed_at) also serves everything the plain lead_unit_id index did, which
tickets 0006 drops.

Now a no-op: the indexes are declared by the models that own the tables and created by
tickets 0012, which finds them in a database that ran this migration before.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_event_ticket_index")]

    operations: list[migrations.operations.base.Operation] = []
