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
