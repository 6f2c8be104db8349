"""The returns and reopens of given tickets, for deriving their contributions (rollup.load).

Looking them up through the plain ticket_id index reads every timeline event of each ticket
(about five) to keep the few returns and reopens: at 10,000,000 tickets that was the largest
share of a rebuild's database time. A partial index holds only the returns and reopens.

Now a no-op: the indexes are declared by the models that own the tables and created by
tickets 0012, which finds them in a database that ran this migration before.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0003_event_index")]

    operations: list[migrations.operations.base.Operation] = []
