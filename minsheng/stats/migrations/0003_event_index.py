"""The returns and reopens of a period, for their drill-down lists.

A month holds millions of timeline events but few returns and reopens: a partial index on
their time finds them without reading the rest. Plain CREATE INDEX … WHERE works on SQLite and
PostgreSQL alike.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_drilldown_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS stats_event_return_reopen_at ON tickets_ticketevent (at) "
            "WHERE action IN ('return', 'reopen')",
            "DROP INDEX IF EXISTS stats_event_return_reopen_at",
        )
    ]
