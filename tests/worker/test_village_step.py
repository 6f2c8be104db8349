"""The worker's pass runs the village boards' clock after the ticket sweep, bounded per pass."""

from __future__ import annotations

import pytest

from minsheng.villages.models import Board
from minsheng.worker import loop
from minsheng.worker.loop import Worker
from tests.villages.clock_helpers import V1, at, make_county

pytestmark = pytest.mark.django_db


def test_a_pass_checks_the_due_boards(monkeypatch: pytest.MonkeyPatch) -> None:
    make_county(now=at(2026, 12, 6))
    calls: list[str] = []
    real = loop.sweep_boards_until_done

    def recording(**kwargs):  # type: ignore[no-untyped-def]
        calls.append("villages")
        return real(**kwargs)

    monkeypatch.setattr(loop, "sweep_boards_until_done", recording)
    done = Worker(idle_seconds=0).run_once()
    assert calls == ["villages"]
    assert done >= 4  # the four boards were checked: the loop does not idle after this pass
    b = Board.objects.get(pk=V1)
    assert b.late_sections == "affairs,finance"
    assert b.next_check_at is not None and b.next_check_at > at(2026, 12, 6)
    # Nothing due any more: the next pass checks no board.
    assert loop.check_village_boards() == 0


def test_the_village_step_is_bounded_per_pass(monkeypatch: pytest.MonkeyPatch, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_VILLAGE_CLOCK_BATCH = 1
    monkeypatch.setattr(loop, "VILLAGE_BATCHES", 3)
    make_county(now=at(2026, 12, 6))
    assert loop.check_village_boards(now=at(2026, 12, 6, 1)) == 3
    assert loop.check_village_boards(now=at(2026, 12, 6, 1)) == 1
