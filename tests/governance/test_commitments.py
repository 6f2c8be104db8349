"""民生实事: the weighted progress by hand, the seed's figure, the services' refusals and scope,
and the monthly reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minsheng.governance import commitments as progress
from minsheng.governance.commitments_clock import remind_due_reports
from minsheng.governance.models import (
    Commitment,
    CommitmentEvent,
    CommitmentList,
    CommitmentReminder,
    ProgressReport,
    Task,
    Work,
    WorkStatus,
)
from minsheng.governance.services import commitments as services
from minsheng.notify.models import Message
from minsheng.org.models import Division, Role
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from tests.conftest import Org, make_user
from tests.governance.commitment_helpers import example

pytestmark = pytest.mark.django_db


def test_weighted_progress_computed_by_hand(org: Org) -> None:
    ex = example(org)
    view = progress.load(ex.clist)
    c1, c2, c3 = view.commitments
    works = {w.work.pk: w for c in view.commitments for w in c.works}
    # W1 (weight 1): tasks 100 × 1 and 50 × 3 → (100 + 150) / 4 = 62.5
    assert works[ex.w1.pk].progress == Fraction(125, 2)
    # W2 (weight 3): no tasks → its latest report, November's correction: 40 (the 30 is kept)
    assert works[ex.w2.pk].progress == 40
    # C1 (weight 2) = (62.5 × 1 + 40 × 3) / (1 + 3) = 182.5 / 4 = 45.625
    assert c1.progress == Fraction(45625, 1000)
    # C2 (weight 1) = (100 (W3 done) × 1 + 0 (W4's only task) × 1) / 2 = 50
    assert c2.progress == 50
    # C3 (weight 1) has no works: 0
    assert c3.progress == 0
    # The list = (45.625 × 2 + 50 × 1 + 0 × 1) / (2 + 1 + 1) = 141.25 / 4 = 35.3125
    assert view.progress == Fraction(353125, 10000)
    # Rounded for display only: 35.3 (and 45.6 for C1: 45.625 → 45.6, half up at one place)
    assert view.shown == Decimal("35.3")
    assert c1.shown == Decimal("45.6")
    assert ProgressReport.objects.filter(work=ex.w2).count() == 2


def test_weighted_mean_is_exact() -> None:
    # Thirds do not drift: (1/3 weights of 100, 0, 0) → exactly 100/3.
    assert progress.weighted_mean([(100, 1), (0, 1), (0, 1)]) == Fraction(100, 3)
    assert progress.shown(Fraction(100, 3)) == Decimal("33.3")
    assert progress.shown(Fraction(1005, 10)) == Decimal("100.5")
    assert progress.weighted_mean([]) == 0


def test_seed_25_works_done_by_end_of_november(org: Org) -> None:
    """Seed 003 (孟津县): the ten commitments had 25 concrete works done by the end of November."""
    county = Division.objects.create(code="410322000000", name="孟津县", level=3)
    clist = CommitmentList.objects.create(year=2026, area=county, title="2026年十大民生实事")
    done = 0
    for i in range(10):
        c = Commitment.objects.create(clist=clist, position=i + 1, title=f"实事{i + 1}")
        for j in range(3):
            if done < 25:
                done += 1
                Work.objects.create(
                    commitment=c,
                    title=f"项目{i}-{j}",
                    owner=org.sunkou,
                    status=WorkStatus.DONE,
                    actual_end=dt.date(2026, 1 + (done % 11), 15),
                )
            else:
                Work.objects.create(
                    commitment=c,
                    title=f"项目{i}-{j}",
                    owner=org.sunkou,
                    status=WorkStatus.IN_PROGRESS,
                )
    # One more finished in December: not counted by the end of November.
    Work.objects.create(
        commitment=c,
        title="十二月完工",
        owner=org.sunkou,
        status=WorkStatus.DONE,
        actual_end=dt.date(2026, 12, 3),
    )
    figures = progress.load(clist).figures(by=dt.date(2026, 11, 30))
    assert (figures.works_done, figures.works) == (25, 31)
    # Commitments 1–8 have all three works done (24 works); the 9th has 1 of 3.
    assert figures.commitments_done == 8
    assert progress.load(clist).figures().works_done == 26


def test_services_write_with_events(org: Org) -> None:
    ex = example(org)
    before = CommitmentEvent.objects.count()
    c = services.commitment_create(actor=ex.admin, clist=ex.clist, title="健康服务", weight="1.5")
    assert (c.position, c.weight) == (4, Decimal("1.5"))
    w = services.work_create(
        actor=ex.admin, commitment=c, title="卫生室", owner="sunkou", budget="120.5"
    )
    t = services.task_create(actor=ex.admin, work=w, title="选址")
    services.work_update(actor=org.alice, work=w, status=WorkStatus.IN_PROGRESS)
    services.task_progress(actor=org.alice, task=t, progress="100")
    t.refresh_from_db()
    assert t.done_on == timezone.localdate()
    month = timezone.localdate().replace(day=1)
    report = services.report_progress(
        actor=org.alice, work=w, month=month.strftime("%Y-%m"), percent="60", text="已选址"
    )
    again = services.report_progress(
        actor=org.alice, work=w, month=month, percent="65", text="更正：已选址并设计"
    )
    assert again.corrects == report and report.corrects is None
    assert CommitmentEvent.objects.count() == before + 7
    verbs = list(CommitmentEvent.objects.order_by("-id").values_list("verb", flat=True)[:2])
    assert verbs == ["correct", "report"]


def _counts() -> tuple[int, ...]:
    return (
        CommitmentEvent.objects.count(),
        CommitmentList.objects.count(),
        Commitment.objects.count(),
        Work.objects.count(),
        ProgressReport.objects.count(),
        Task.objects.count(),
    )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"percent": "101"}, InvalidInput),
        ({"percent": "-1"}, InvalidInput),
        ({"percent": "abc"}, InvalidInput),
        ({"percent": "1_0"}, InvalidInput),
        ({"text": "  "}, InvalidInput),
        ({"month": "2999-01"}, InvalidInput),
        ({"month": "2026-13"}, InvalidInput),
        ({"photo": SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")}, InvalidInput),
    ],
)
def test_report_refusals_write_nothing(org: Org, kwargs: dict[str, Any], error: type) -> None:
    ex = example(org)
    base = {"month": timezone.localdate().strftime("%Y-%m"), "percent": "50", "text": "进展"}
    before = _counts()
    with pytest.raises(error) as info:
        services.report_progress(actor=org.alice, work=ex.w1, **{**base, **kwargs})
    assert info.value.message  # a Chinese sentence
    assert _counts() == before


def test_other_refusals_write_nothing(org: Org) -> None:
    ex = example(org)
    before = _counts()
    with pytest.raises(NotAllowed):
        services.commitment_create(actor=org.alice, clist=ex.clist, title="x")
    with pytest.raises(NotAllowed):
        services.list_create(actor=org.leader, year=2026, area_code="410927000000", title="y")
    with pytest.raises(InvalidInput):
        services.commitment_create(actor=ex.admin, clist=ex.clist, title="x", weight="0")
    with pytest.raises(InvalidInput):
        services.commitment_create(actor=ex.admin, clist=ex.clist, title="x", position=1)
    with pytest.raises(InvalidInput):
        services.commitment_create(
            actor=ex.admin, clist=ex.clist, title="x", origin_ticket_ids=[999999]
        )
    with pytest.raises(InvalidInput):
        services.work_create(actor=ex.admin, commitment=ex.c3, title="x", owner="nobody")
    with pytest.raises(InvalidInput):
        services.work_create(
            actor=ex.admin,
            commitment=ex.c3,
            title="x",
            owner="sunkou",
            planned_start="2026-05-01",
            planned_end="2026-04-01",
        )
    with pytest.raises(InvalidInput):
        services.list_create(
            actor=ex.admin, year=2026, area_code="410927000000", title=ex.clist.title
        )
    task = Task.objects.filter(work=ex.w1).first()
    assert task is not None
    with pytest.raises(InvalidInput):
        services.task_progress(actor=org.alice, task=task, progress="150")
    with pytest.raises(InvalidTransition):
        services.work_update(actor=ex.admin, work=ex.w3, status=WorkStatus.PLANNED)
    assert _counts() == before


def test_only_the_owner_reports(org: Org) -> None:
    ex = example(org)
    month = timezone.localdate().strftime("%Y-%m")
    before = _counts()
    # Bob (侯庙镇) cannot report for 孙口镇's work, nor move its tasks; the leader and the
    # administrator read but do not report.
    for actor in (org.bob, org.leader, ex.admin, org.olga):
        with pytest.raises(NotAllowed):
            services.report_progress(actor=actor, work=ex.w1, month=month, percent=10, text="x")
    task = Task.objects.filter(work=ex.w1).first()
    assert task is not None
    with pytest.raises(NotAllowed):
        services.task_progress(actor=org.bob, task=task, progress=10)
    with pytest.raises(NotAllowed):
        services.work_update(actor=org.bob, work=ex.w1, status=WorkStatus.DONE)
    assert _counts() == before
    # The 执法中队 under 孙口镇 is not the owner either; 孙口镇's handler is.
    member = make_user("nc1", org.sunkou_team, Role.HANDLER)
    with pytest.raises(NotAllowed):
        services.report_progress(actor=member, work=ex.w1, month=month, percent=10, text="x")
    services.report_progress(actor=org.alice, work=ex.w1, month=month, percent=10, text="x")


def test_reminders_once_per_work_and_month(org: Org, settings: Any) -> None:
    settings.MINSHENG_COMMITMENT_REPORT_DAY = 25
    ex = example(org)
    leader = make_user("sk-lead", org.sunkou, Role.UNIT_LEADER)
    tz = timezone.get_default_timezone()
    early = dt.datetime(2026, 11, 24, 9, tzinfo=tz)
    assert remind_due_reports(early) == 0
    due = dt.datetime(2026, 11, 25, 9, tzinfo=tz)
    # In progress: W1 and W2 (孙口镇), W4 (侯庙镇); W2 has reported for November.
    assert remind_due_reports(due) == 2
    reminded = set(CommitmentReminder.objects.values_list("work_id", flat=True))
    assert reminded == {ex.w1.pk, ex.w4.pk}
    assert Message.objects.filter(user=org.alice).count() == 1
    assert Message.objects.filter(user=leader).count() == 1
    assert Message.objects.filter(user=org.bob).count() == 1
    assert Message.objects.filter(user=org.leader).count() == 0
    # Once: a later pass of the same month sends nothing more.
    assert remind_due_reports(due + dt.timedelta(days=2)) == 0
    assert Message.objects.filter(user=org.alice).count() == 1
    # December: W2 has no December report, so all three are reminded again.
    assert remind_due_reports(dt.datetime(2026, 12, 26, 9, tzinfo=tz)) == 3


def test_worker_pass_runs_the_reminders(org: Org, settings: Any) -> None:
    from minsheng.worker.loop import remind_commitment_reports

    settings.MINSHENG_COMMITMENT_REPORT_DAY = 1
    example(org)
    assert remind_commitment_reports() == 3 - (
        1 if timezone.localdate().replace(day=1) == dt.date(2026, 11, 1) else 0
    )
    assert remind_commitment_reports() == 0


def test_late_reports_flagged_from_the_report_day(org: Org, settings: Any) -> None:
    settings.MINSHENG_COMMITMENT_REPORT_DAY = 25
    ex = example(org)
    # 24 November: nobody is late yet.
    assert progress.load(ex.clist, today=dt.date(2026, 11, 24)).figures().late_reports == 0
    # 25 November: W1 and W4 (in progress, no November report); W2 reported; W3 is done.
    view = progress.load(ex.clist, today=dt.date(2026, 11, 25))
    late = {w.work.pk for c in view.commitments for w in c.works if w.late}
    assert late == {ex.w1.pk, ex.w4.pk}
    assert view.figures().late_reports == 2
    assert progress.report_late(WorkStatus.SUSPENDED, None, dt.date(2026, 11, 30)) is False
