"""Fewer indexes on tickets_ticket: every ticket write that is not a HOT update (the worker's
sweep, which moves the indexed next_check_at; every intake) inserts into each of them.

- category: (category, created_at) serves every lookup by category.
- citizen_phone: looked up by equality only; Django's db_index on a CharField added a
  varchar_pattern_ops twin for LIKE that no query uses. One plain index instead.
- master: partial (master IS NOT NULL): few tickets are merged, so merged-into lookups and the
  PROTECT check read a small index and most writes skip it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("tickets", "0007_callback_verdict"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="category",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="tickets.category",
                verbose_name="分类",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="citizen_phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="master",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_tickets",
                to="tickets.ticket",
                verbose_name="主工单",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["citizen_phone"], name="tickets_ticket_phone"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("master__isnull", False)),
                fields=["master"],
                name="tickets_ticket_merged",
            ),
        ),
    ]
