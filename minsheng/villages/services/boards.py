"""Boards: one per village, created for every imported village in one statement."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from minsheng.org.models import Division, User
from minsheng.villages.models import Board, Event


def ensure_boards(prefix: str = "") -> int:
    """Give every village division (under code `prefix`, or everywhere) a board; returns how many
    were created. One INSERT … SELECT: 620,573 villages take seconds, not a loop.

    New boards are due for the clock at once (`next_check_at` now), so a new installation's
    boards are computed by the worker's next pass and shown late where they are. Boards whose
    village moved to another township in a re-import get their `township_code` back in line
    (one UPDATE of the rows that differ)."""
    board_table = Board._meta.db_table
    division_table = Division._meta.db_table
    # Board's other columns take these values; listed so the statement is the same on both
    # databases (bulk inserts do not know model defaults).
    sql = (
        f"INSERT INTO {board_table} (village_id, township_code, frequent_finance, review_by, "  # noqa: S608
        f"late_sections, next_check_at) "
        f"SELECT d.code, COALESCE(d.parent_id, ''), %s, %s, '', %s FROM {division_table} d "
        f"WHERE d.level = %s AND d.code LIKE %s "
        f"AND NOT EXISTS (SELECT 1 FROM {board_table} b WHERE b.village_id = d.code)"
    )
    # UPDATE … FROM (PostgreSQL; SQLite since 3.33): one join, where a correlated EXISTS per
    # board cost seconds over the whole country on every re-import.
    moved = (
        f"UPDATE {board_table} SET township_code = COALESCE(d.parent_id, '') "  # noqa: S608
        f"FROM {division_table} d WHERE d.code = {board_table}.village_id AND d.level = %s "
        f"AND {board_table}.village_id LIKE %s "
        f"AND COALESCE(d.parent_id, '') <> {board_table}.township_code"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                False,
                Board._meta.get_field("review_by").default,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                Division.Level.VILLAGE,
                f"{prefix}%",
            ],
        )
        created = int(max(cursor.rowcount, 0))
        cursor.execute(moved, [Division.Level.VILLAGE, f"{prefix}%"])
        return created


def record_event(
    *,
    board_id: str,
    subject: str,
    subject_id: int | None,
    verb: str,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one row to the audit trail; call inside the service's transaction."""
    return Event.objects.create(
        board_id=board_id,
        subject=subject,
        subject_id=subject_id,
        verb=verb,
        actor=actor if actor is not None and actor.pk else None,
        note=note[:500],
        data=data or {},
    )


def boards_for_import(sender: object, *, prefix: str, **kwargs: object) -> None:
    """`org.signals.divisions_imported`'s receiver."""
    ensure_boards(prefix)
