"""The demo board's history (`manage.py load_demo_board`): the message board data of
`../shared/data/messages/` (settings.MINSHENG_TRIAGE_DATA) — `messages_with_votes.csv` (id, user,
title, time, text, votes_against, votes_for) and `messages_with_replies.csv` (id, user, title,
time, text, reply, reply_time) — as approved messages without tickets.

Each message is masked as it is loaded (`textproc.pii`, and the board user's pseudonym wherever
the text or the reply repeats it); votes_for is its like count; a reply file's message has its
official reply. The messages come from another city (A市), so they have no township; their
category is the hotline tree's leaf whose words the title names (the router's lexicon,
`textproc.lexicon`, without its patterns), when there is one. Idempotent: a message is known by its
file and id (`PublicMessage.source`), so a second run adds nothing; rows go in by bulk
inserts."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from minsheng.lib.bulk import insert_rows
from minsheng.lib.numbers import is_plain_integer
from minsheng.portal.board import places
from minsheng.portal.models import PublicMessage
from minsheng.textproc.lexicon import Lexicon, leaves_from_paths
from minsheng.textproc.pii import mask_pii
from minsheng.tickets.models import Category
from minsheng.tickets.selectors import mask_person

VOTES = "messages_with_votes.csv"
REPLIES = "messages_with_replies.csv"
FILES = {VOTES: "votes", REPLIES: "replies"}
BATCH = 500
MAX_TITLE = 200


@dataclass
class Loaded:
    created: int = 0
    known: int = 0  # already loaded by an earlier run
    skipped: int = 0  # rows that could not be read (no id, no text, a bad time)
    missing: list[str] = field(default_factory=list)  # files that are absent


def _time(raw: str) -> dt.datetime | None:
    raw = (raw or "").strip()
    for pattern in ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            naive = dt.datetime.strptime(raw, pattern)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
        return timezone.make_aware(naive, timezone.get_default_timezone())
    return None


def _count(raw: str) -> int:
    raw = (raw or "").strip()
    return min(int(raw), 2**31 - 1) if is_plain_integer(raw) and len(raw) < 12 else 0


def _words(synonyms: str) -> str:
    return "|".join(s for s in synonyms.split("|") if "+" not in s)


class _Classifier:
    """The hotline tree's leaves by the callers' words in a text (no model: fast and the same
    on every machine)."""

    def __init__(self) -> None:
        parents = set(
            Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True)
        )
        rows = Category.objects.filter(is_active=True).values_list("id", "full_name", "synonyms")
        leaves = [
            (pk, full_name, synonyms) for pk, full_name, synonyms in rows if pk not in parents
        ]
        self.ids = {full_name: pk for pk, full_name, _s in leaves}
        # Plain words only: the "灯+黑" patterns are tried one by one on every text, which
        # cost the load most of its time for little more than the words find.
        self.lexicon = Lexicon(
            leaves_from_paths(
                [(full_name.split("/"), _words(synonyms)) for _p, full_name, synonyms in leaves]
            )
        )

    def __call__(self, text: str) -> tuple[int | None, int | None]:
        """(leaf id, first-level id) of the best leaf, or (None, None)."""
        found = self.lexicon.match(text, limit=1)
        if not found:
            return None, None
        topic = places.topic_named(found[0].label)
        return self.ids.get(found[0].label), topic.id if topic else None


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


FIELDS = (
    "source",
    "title",
    "text",
    "category_id",
    "topic_id",
    "posted_at",
    "state",
    "moderated_at",
    "like_count",
    "reply_text",
    "replied_at",
    "rejection_reason",
)
Row = tuple[object, ...]


def _message(kind: str, row: dict[str, str], classify: _Classifier, now: dt.datetime) -> Row | None:
    """The message's columns (FIELDS), or None for a row that cannot be read."""
    posted_at = _time(row.get("time", ""))
    pk = (row.get("id") or "").strip()
    text = (row.get("text") or "").strip()
    if not pk or not text or posted_at is None:
        return None
    user = (row.get("user") or "").strip()

    def masked(value: str) -> str:
        return mask_person(mask_pii(value), user) if user else mask_pii(value)

    title = masked((row.get("title") or "").strip() or text[:30])[:MAX_TITLE]
    category, topic = classify(title)
    likes, reply, replied_at = 0, "", None
    if kind == REPLIES:
        reply = masked((row.get("reply") or "").strip())
        replied_at = (_time(row.get("reply_time", "")) or posted_at) if reply else None
    else:
        likes = _count(row.get("votes_for", ""))
    source = f"{FILES[kind]}:{pk}"[:40]
    approved = PublicMessage.State.APPROVED
    return (
        source,
        title,
        masked(text),
        category,
        topic,
        posted_at,
        approved,
        now,
        likes,
        reply,
        replied_at,
        "",
    )


def load_history(folder: Path) -> Loaded:
    """Load what is not loaded yet of the two files in `folder`; absent files are listed."""
    result = Loaded()
    present = {name: prefix for name, prefix in FILES.items() if (folder / name).is_file()}
    result.missing = [name for name in FILES if name not in present]
    if not present:
        return result
    known = set(PublicMessage.objects.filter(source__isnull=False).values_list("source", flat=True))
    classify = _Classifier()
    now = timezone.now()
    for name, prefix in present.items():
        path = folder / name
        batch: list[Row] = []
        with transaction.atomic():
            for row in _rows(path):
                source = f"{prefix}:{(row.get('id') or '').strip()}"
                if source in known:
                    result.known += 1
                    continue
                message = _message(name, row, classify, now)
                if message is None:
                    result.skipped += 1
                    continue
                known.add(source)
                batch.append(message)
                if len(batch) >= BATCH:
                    result.created += insert_rows(
                        PublicMessage, FIELDS, batch, ignore_conflicts=True
                    )
                    batch = []
            result.created += insert_rows(PublicMessage, FIELDS, batch, ignore_conflicts=True)
    return result
