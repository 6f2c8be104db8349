"""Shared by the bench scripts: point Django at a benchmark database and start it.

Refuses the test databases (`test`, `test_*`): a benchmark truncates and fills its database.
Run the scripts from the repository root (`.venv/bin/python bench/<name>.py`); Python puts
`bench/` on the path, so they import this module as `benchdb`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent


def setup(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if name == "test" or name.startswith("test_"):
        raise SystemExit(f"refusing to benchmark in {name!r}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def pending_words(url: str) -> int | None:
    """Tickets waiting for the worker's word index (tickets migration 0009), or None on a
    database from before it (the word index then written by the intake itself)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        has_column = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'tickets_ticketwords' AND column_name = 'pending')"
        ).fetchone()[0]
        if not has_column:
            return None
        return int(
            conn.execute("SELECT count(*) FROM tickets_ticketwords WHERE pending").fetchone()[0]
        )
