"""`next_check_at` leaves tickets_ticket: deadlines 0003 copied it to deadlines_deadlinecheck,
where the worker's re-planning no longer rewrites every index of the ticket."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_word_index_created_at"),
        ("deadlines", "0003_deadline_check"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="ticket",
            name="next_check_at",
        ),
    ]
