"""Indexes for drill-downs that were slow at 10,000,000 tickets (docs/benchmarks/statistics.md).

- The reply deadline, for the 按时答复 lists of everything or of a large unit, newest first
  (only (status, reply_due) and (lead_unit_id, reply_due) existed: a month's on-time replies
  were fetched whole and sorted, 1.9 s).
- The late replies (按时答复 not met) by their deadline: a month holds hundreds of thousands of
  reply deadlines and a few per cent of them late; walking the plain reply_due index for them
  took 1.4 s, this index holds only the late ones. drill.measure_q states the same condition.
- A unit's returns and reopens by time: the period's events of a small unit, without reading
  every return and reopen of the period first.

Plain CREATE INDEX … WHERE works on SQLite and PostgreSQL alike.

Now a no-op: the indexes are declared by the models that own the tables and created by
tickets 0012, which finds them in a database that ran this migration before.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0005_drilldown_unit_indexes")]

    operations: list[migrations.operations.base.Operation] = []
