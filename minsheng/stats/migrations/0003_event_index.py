"""The returns and reopens of a period, for their drill-down lists.

A month holds millions of timeline events but few returns and reopens: a partial index on
their time finds them without reading the rest. Plain CREATE INDEX … WHERE works on SQLite and
PostgreSQL alike.

Now a no-op: the indexes are declared by the models that own the tables and created by
tickets 0012, which finds them in a database that ran this migration before.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_drilldown_indexes")]

    operations: list[migrations.operations.base.Operation] = []
