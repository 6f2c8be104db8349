"""Moving a test database between migrations, and back to the newest schema afterwards."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def migrate_to_latest() -> None:
    """Every app at its newest migration: the schema the other tests expect (migrating one app
    back to a named migration can leave another app's later ones unapplied)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
