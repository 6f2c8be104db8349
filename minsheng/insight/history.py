"""History for the demo and for migrations from an older system: past questions with answers.

The demo ships 500 real messages with their official replies from a city's online message board
(data/reference_cases.csv.gz, a slice of the 2020 泰迪杯 problem-C data, anonymised as A市).
They are loaded as `ReferenceCase` rows, not as tickets: they happened in another city, years
ago, and as tickets they would distort the 三率, the rankings, search and ticket numbering.

Lead: call ``load_reference_cases()`` from ``seed_demo`` (idempotent).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from minsheng.insight.index import DATA_DIR, text_vector
from minsheng.insight.models import ReferenceCase
from minsheng.textproc.similar import dumps_vector

REFERENCE_CSV = DATA_DIR / "reference_cases.csv.gz"
DEMO_SOURCE = "留言板"
_BOARD_TZ = ZoneInfo("Asia/Shanghai")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%Y-%m-%d")


def parse_time(raw: str) -> dt.datetime | None:
    """'2019/4/25 9:32:09' (China time) → an aware datetime; None when unreadable."""
    value = (raw or "").strip().split(".")[0]
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=_BOARD_TZ)
        except ValueError:
            continue
    return None


@transaction.atomic
def load_reference_cases(
    path: Path = REFERENCE_CSV, *, source: str = DEMO_SOURCE, limit: int | None = None
) -> int:
    """Create the cases of ``path`` (CSV, optionally gzip: id,title,time,text,reply,reply_time)
    that do not exist yet; returns how many were created."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if limit is not None:
        rows = rows[: max(limit, 0)]
    existing = set(ReferenceCase.objects.filter(source=source).values_list("source_id", flat=True))
    new: list[ReferenceCase] = []
    for row in rows:
        source_id = (row.get("id") or "").strip()[:40]
        title = (row.get("title") or "").strip()[:200]
        question = (row.get("text") or "").strip()
        reply = (row.get("reply") or "").strip()
        if not source_id or source_id in existing or not title or not reply:
            continue
        existing.add(source_id)
        new.append(
            ReferenceCase(
                source=source,
                source_id=source_id,
                title=title,
                question=question,
                reply=reply,
                asked_at=parse_time(row.get("time", "")),
                replied_at=parse_time(row.get("reply_time", "")),
                vector=dumps_vector(text_vector(question, title)),
            )
        )
    ReferenceCase.objects.bulk_create(new, batch_size=200)
    return len(new)
