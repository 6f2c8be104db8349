"""Several deliverers at once never send the same row twice.

Real threads with their own database connections, on whatever database the suite runs on. On
PostgreSQL both claim strategies are raced: SKIP LOCKED (the one used there) and the portable
conditional UPDATE (the one SQLite uses), which must be safe on PostgreSQL too.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.notify import delivery
from minsheng.notify.channels import RenderedMessage
from minsheng.notify.models import Outbox
from tests.notify.conftest import Recorder, accepted_sms

ROWS = 40
WORKERS = 3


def strategies() -> list[str]:
    return ["conditional", "skip_locked"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("strategy", strategies())
def test_concurrent_deliverers_never_send_a_row_twice(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    if strategy == "skip_locked" and not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    monkeypatch.setattr(delivery, "use_skip_locked", lambda: strategy == "skip_locked")
    keys = {accepted_sms(number=f"26112{i:05d}").key for i in range(ROWS)}

    def slow_send(message: RenderedMessage) -> None:
        with recorder.lock:
            recorder.sent.append(message)
        time.sleep(0.001)  # lets the other workers interleave; nothing here measures time

    recorder.send = slow_send  # type: ignore[method-assign]
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            while delivery.deliver_due(limit=5, worker_id=f"w{n}"):
                pass
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    delivery.deliver_due()  # whatever the threads left (one may stop on a round another emptied)

    counts = Counter(recorder.keys)
    assert set(counts) == keys
    assert max(counts.values()) == 1, [key for key, n in counts.items() if n > 1]
    assert Outbox.objects.filter(status=Outbox.Status.SENT).count() == ROWS
    assert set(Outbox.objects.values_list("attempts", flat=True)) == {1}


def test_postgresql_claims_with_skip_locked(db: None, recorder: Recorder) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    accepted_sms()
    with CaptureQueriesContext(connection) as queries:
        assert delivery.deliver_due() == 1
    assert any("FOR UPDATE SKIP LOCKED" in q["sql"] for q in queries.captured_queries)


def test_the_due_lookup_uses_the_partial_index_on_postgresql(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
    plan = (
        Outbox.objects.filter(delivery.due_filter(timezone.now()))
        .order_by("next_attempt_at", "id")[:100]
        .explain()
    )
    assert "notify_outbox_due" in plan, plan
