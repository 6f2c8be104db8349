"""民生实事's monthly reminders, run by the worker (minsheng/worker/loop.py).

From day `MINSHENG_COMMITMENT_REPORT_DAY` (default 25) of a month, every work in progress (推进中)
without a progress report for that month gets a reminder: an in-app message to the active
handlers and unit leaders of its owner unit. Each reminder is sent once per work and month
(`CommitmentReminder`, unique); a work reported for the month is not reminded. Works are read in
batches of `BATCH`, at most `max_batches` a call, so a large county never holds up the worker.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minsheng.governance.models import CommitmentReminder, ProgressReport, Work, WorkStatus
from minsheng.lib.bulk import insert_rows
from minsheng.notify.services import Notice, notify_users_many
from minsheng.org.models import UNIT_ROLES, User

BATCH = 500


def _due_works(month: dt.date, limit: int) -> list[Work]:
    """Works in progress with neither a report nor a reminder for `month`."""
    return list(
        Work.objects.filter(status=WorkStatus.IN_PROGRESS)
        .exclude(pk__in=ProgressReport.objects.filter(month=month).values("work_id"))
        .exclude(pk__in=CommitmentReminder.objects.filter(month=month).values("work_id"))
        .select_related("commitment")
        .order_by("id")[:limit]
    )


def _staff(unit_ids: set[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    for user in (
        User.objects.filter(unit_id__in=unit_ids, is_active=True, roles__role__in=UNIT_ROLES)
        .distinct()
        .only("id", "is_active", "unit_id")
    ):
        assert user.unit_id is not None
        found[user.unit_id].append(user)
    return found


def remind_due_reports(now: dt.datetime | None = None, *, max_batches: int = 10) -> int:
    """Send the month's due reminders; returns how many works were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    if today.day < int(settings.MINSHENG_COMMITMENT_REPORT_DAY):
        return 0
    month = today.replace(day=1)
    label = f"{month.year}年{month.month}月"
    total = 0
    for _ in range(max_batches):
        with transaction.atomic():
            works = _due_works(month, BATCH)
            if not works:
                break
            staff = _staff({w.owner_id for w in works})
            rows: list[tuple[object, ...]] = []
            notices: list[Notice] = []
            for work in works:
                users = staff.get(work.owner_id, [])
                rows.append((work.pk, month, len(users), now))
                notices.append(
                    Notice(
                        key_prefix=f"commitment:{work.pk}:{month:%Y%m}:report_due",
                        users=users,
                        template="commitment_report_due",
                        context={
                            "work": work.title,
                            "commitment": work.commitment.title,
                            "month": label,
                        },
                        url=reverse("governance:commitment_work", args=[work.pk]),
                    )
                )
            insert_rows(
                CommitmentReminder,
                ("work_id", "month", "recipients", "sent_at"),
                rows,
                ignore_conflicts=True,
            )
            notify_users_many(notices)
            total += len(works)
        if len(works) < BATCH:
            break
    return total
