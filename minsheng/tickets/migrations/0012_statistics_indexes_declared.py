"""The statistics' indexes on the tickets' tables, declared by the models that own the tables.

They were created with raw SQL by stats 0002–0007, which Django's table rebuilds on SQLite
silently dropped (stats 0007 existed only to create them again). Now each model declares its
indexes in Meta, so a rebuild keeps them. This migration adds them to the model state and, in
the database, creates only those that are missing: a database that ran the old stats
migrations has them already, under the same names except the three partial indexes of the
timeline, whose names were longer than Django allows (renamed in place on PostgreSQL, created
again on SQLite).
"""

from typing import Any

from django.db import migrations, models

RETURNS_AND_REOPENS = models.Q(action__in=["return", "reopen"])

INDEXES: dict[str, list[models.Index]] = {
    "ticket": [
        models.Index(fields=["closed_at"], name="stats_ticket_closed_at"),
        models.Index(fields=["contact_due"], name="stats_ticket_contact_due"),
        models.Index(fields=["reply_due"], name="stats_ticket_reply_due"),
        models.Index(fields=["lead_unit", "closed_at"], name="stats_ticket_lead_closed"),
        models.Index(fields=["lead_unit", "created_at"], name="stats_ticket_lead_created"),
        models.Index(fields=["lead_unit", "contact_due"], name="stats_ticket_lead_contact"),
        models.Index(
            fields=["reply_due"],
            name="stats_ticket_reply_late",
            condition=models.Q(replied_at__isnull=True)
            | models.Q(replied_at__gt=models.F("reply_due")),
        ),
    ],
    "ticketevent": [
        models.Index(fields=["at"], name="stats_event_rr_at", condition=RETURNS_AND_REOPENS),
        models.Index(
            fields=["ticket"], name="stats_event_rr_ticket", condition=RETURNS_AND_REOPENS
        ),
        models.Index(
            fields=["unit", "at"], name="stats_event_rr_unit", condition=RETURNS_AND_REOPENS
        ),
    ],
    "callback": [models.Index(fields=["at"], name="stats_callback_at")],
}

RENAMED = {
    "stats_event_return_reopen_at": "stats_event_rr_at",
    "stats_event_return_reopen_ticket": "stats_event_rr_ticket",
    "stats_event_return_reopen_unit": "stats_event_rr_unit",
}


def create_missing(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    for model_name, indexes in INDEXES.items():
        model = apps.get_model("tickets", model_name)
        with connection.cursor() as cursor:
            existing = set(connection.introspection.get_constraints(cursor, model._meta.db_table))
        for old, new in RENAMED.items():
            if old not in existing:
                continue
            if connection.vendor == "postgresql" and new not in existing:
                schema_editor.execute(f"ALTER INDEX {quote(old)} RENAME TO {quote(new)}")
                existing.add(new)
            else:  # SQLite cannot rename an index: drop it, it is created below
                schema_editor.execute(f"DROP INDEX {quote(old)}")
        for index in indexes:
            if index.name not in existing:
                schema_editor.add_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0011_next_check_moved")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name=model_name, index=index)
                for model_name, indexes in INDEXES.items()
                for index in indexes
            ],
            # Backwards the indexes stay: the old stats migrations no longer create them.
            database_operations=[migrations.RunPython(create_missing, migrations.RunPython.noop)],
        )
    ]
