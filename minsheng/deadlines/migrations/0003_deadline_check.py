"""The worker's next check moves from `tickets_ticket.next_check_at` to a narrow table of its
own (see DeadlineCheck); tickets 0011 then drops the column and its index."""

import django.db.models.deletion
from django.db import migrations, models


# Plain SQL that SQLite and PostgreSQL both run: one statement, however many tickets.
COPY_FORWARD = (
    "INSERT INTO deadlines_deadlinecheck (ticket_id, next_check_at) "
    "SELECT id, next_check_at FROM tickets_ticket WHERE next_check_at IS NOT NULL"
)
# Backwards the column has just been added back, empty: only the tickets with a check get a value.
COPY_BACK = (
    "UPDATE tickets_ticket SET next_check_at = (SELECT c.next_check_at "
    "FROM deadlines_deadlinecheck c WHERE c.ticket_id = tickets_ticket.id) "
    "WHERE id IN (SELECT ticket_id FROM deadlines_deadlinecheck)"
)


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0002_jobrun'),
        ('tickets', '0010_word_index_created_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeadlineCheck',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='deadline_check', serialize=False, to='tickets.ticket')),
                ('next_check_at', models.DateTimeField(db_index=True)),
            ],
            options={
                'verbose_name': '时限检查',
                'verbose_name_plural': '时限检查',
            },
        ),
        migrations.RunSQL(COPY_FORWARD, COPY_BACK, elidable=False),
    ]
