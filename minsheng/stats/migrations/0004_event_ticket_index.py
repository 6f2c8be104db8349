"""The returns and reopens of given tickets, for deriving their contributions (rollup.load).

Looking them up through the plain ticket_id index reads every timeline event of each ticket
(about five) to keep the few returns and reopens: at 10,000,000 tickets that was the largest
share of a rebuild's database time. A partial index holds only the returns and reopens.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0003_event_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS stats_event_return_reopen_ticket "
            "ON tickets_ticketevent (ticket_id) WHERE action IN ('return', 'reopen')",
            "DROP INDEX IF EXISTS stats_event_return_reopen_ticket",
        )
    ]
