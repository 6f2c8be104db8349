"""四议两公开's services: the order of steps, refusals that store nothing, failed votes, the
board's drafts, corrections as new entries, scoping, and registers kept with history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minsheng.org.models import Division, Role, Unit, User
from minsheng.villages import selectors_decisions as selectors
from minsheng.villages.errors import InvalidInput, InvalidTransition, NotAllowed, StaleItem
from minsheng.villages.models import (
    Event,
    Item,
    ItemStatus,
    Matter,
    MatterStatus,
    PeriodKind,
    RegisterKind,
    Section,
    Step,
    StepFile,
    StepOutcome,
)
from minsheng.villages.services import matters
from minsheng.villages.services.boards import ensure_boards
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

D = dt.date
SUNKOU = "410927102201"
QIAOBEI = "410927102202"
JAN = D(2026, 1, 1)


@dataclass
class Village:
    clerk: User
    other_clerk: User
    reviewer: User
    other_reviewer: User
    monitor: User


def make_villages() -> Village:
    township = Division.objects.create(code="410927102000", name="孙口镇", level=4)
    houmiao = Division.objects.create(code="410927103000", name="侯庙镇", level=4)
    sunkou = Division.objects.create(code=SUNKOU, name="孙口村", level=5, parent=township)
    qiaobei = Division.objects.create(code=QIAOBEI, name="桥北张村", level=5, parent=township)
    ensure_boards()

    def unit(code: str, name: str, kind: str, division: Division) -> Unit:
        return Unit.objects.create(code=code, name=name, kind=kind, division=division)

    return Village(
        clerk=make_user(
            "clerk", unit("v201", "孙口村委会", Unit.Kind.VILLAGE, sunkou), Role.VILLAGE_CLERK
        ),
        other_clerk=make_user(
            "clerk2", unit("v202", "桥北张村委会", Unit.Kind.VILLAGE, qiaobei), Role.VILLAGE_CLERK
        ),
        reviewer=make_user(
            "reviewer",
            unit("sk", "孙口镇人民政府", Unit.Kind.TOWNSHIP, township),
            Role.AFFAIRS_REVIEWER,
        ),
        other_reviewer=make_user(
            "reviewer2",
            unit("hm", "侯庙镇人民政府", Unit.Kind.TOWNSHIP, houmiao),
            Role.AFFAIRS_REVIEWER,
        ),
        monitor=make_user("monitor", Unit.objects.get(code="v201"), Role.VILLAGE_MONITOR),
    )


def fill_registers(clerk: User, code: str = SUNKOU, representatives: int = 31) -> None:
    for kind, value in [
        (RegisterKind.BRANCH, 5),
        (RegisterKind.COUNCILS, 7),
        (RegisterKind.PARTY_MEMBERS, 45),
        (RegisterKind.ADULTS, 400),
        (RegisterKind.HOUSEHOLDS, 150),
    ]:
        matters.register_count_set(
            actor=clerk, village_code=code, kind=kind, value=value, effective_from=JAN
        )
    for i in range(representatives):
        matters.representative_add(
            actor=clerk, village_code=code, name=f"代表{i + 1}", from_date=JAN
        )


@pytest.fixture
def v() -> Village:
    village = make_villages()
    fill_registers(village.clerk)
    return village


def vote(
    meeting: str,
    day: dt.date,
    present: int,
    votes_for: int,
    against: int = 0,
    abstain: int = 0,
    outcome: str = StepOutcome.PASSED,
    **extra: object,
) -> matters.Vote:
    return matters.Vote(
        meeting=meeting,
        held_on=day,
        present=present,
        votes_for=votes_for,
        votes_against=against,
        votes_abstain=abstain,
        outcome=outcome,
        **extra,  # type: ignore[arg-type]
    )


def open_matter(clerk: User, title: str = "村西主干道硬化") -> Matter:
    return matters.matter_open(actor=clerk, village_code=SUNKOU, title=title, kind="road")


def through_three(clerk: User, matter: Matter) -> None:
    matters.step_record(
        actor=clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
    )
    matters.step_record(
        actor=clerk, matter_id=matter.pk, number=2, vote=vote("councils", D(2026, 3, 5), 7, 6, 1)
    )
    matters.step_record(
        actor=clerk,
        matter_id=matter.pk,
        number=3,
        vote=vote("party_assembly", D(2026, 3, 10), 40, 35, 3, 2),
    )


DECIDED_ON = D(2026, 3, 20)


def decide(clerk: User, matter: Matter, day: dt.date = DECIDED_ON) -> Step:
    return matters.step_record(
        actor=clerk,
        matter_id=matter.pk,
        number=4,
        vote=vote("representatives", day, 25, 20, 3, 2, resolution="硬化村西主干道 1.2 公里。"),
    )


def snapshot() -> tuple[int, int, int, int]:
    return (
        Step.objects.count(),
        Event.objects.count(),
        Item.objects.count(),
        StepFile.objects.count(),
    )


# --- Order -------------------------------------------------------------------------------------


def test_steps_go_in_order(v):
    matter = open_matter(v.clerk)
    assert matter.status == MatterStatus.PROPOSING and matter.next_step == 1
    with pytest.raises(InvalidTransition, match="须先经① 村党组织提议通过"):
        matters.step_record(
            actor=v.clerk, matter_id=matter.pk, number=2, vote=vote("councils", D(2026, 3, 5), 7, 7)
        )
    matters.step_record(
        actor=v.clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
    )
    matter.refresh_from_db()
    assert matter.status == MatterStatus.CONSULTING and matter.next_step == 2
    # ① again, or ③ before ②: refused.
    with pytest.raises(InvalidTransition, match="已经通过"):
        matters.step_record(
            actor=v.clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 2), 5, 5)
        )
    with pytest.raises(InvalidTransition):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=3,
            vote=vote("party_assembly", D(2026, 3, 10), 40, 40),
        )
    # A meeting earlier than the step before it is refused too.
    with pytest.raises(InvalidInput, match="不能早于上一步"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=2,
            vote=vote("councils", D(2026, 2, 28), 7, 7),
        )
    # The wrong meeting for the step.
    with pytest.raises(InvalidInput, match="会议类型"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=2,
            vote=vote("party_assembly", D(2026, 3, 5), 7, 7),
        )


# --- Refusals store nothing -------------------------------------------------------------------


def test_a_meeting_without_quorum_is_refused_and_nothing_is_stored(v):
    matter = open_matter(v.clerk)
    through_three(v.clerk, matter)
    matter.refresh_from_db()
    before, revision = snapshot(), matter.revision
    # 村民代表会议 of 31 members: 20 present is below two-thirds (21).
    with pytest.raises(InvalidInput) as refused:
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=4,
            vote=vote("representatives", D(2026, 3, 20), 20, 20, resolution="硬化"),
            files=[SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes")],
        )
    assert "村民代表会议须有三分之二以上组成人员到会：应到 31 人，实到 20 人，至少需 21 人" in str(
        refused.value
    )
    assert refused.value.field == "present"
    # Declaring it failed does not make an inquorate meeting recordable either.
    with pytest.raises(InvalidInput, match="至少需 21 人"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=4,
            vote=vote("representatives", D(2026, 3, 20), 20, 5, outcome=StepOutcome.FAILED),
        )
    matter.refresh_from_db()
    assert snapshot() == before and matter.revision == revision
    assert matter.status == MatterStatus.RESOLVING


def test_impossible_numbers_are_refused(v):
    matter = open_matter(v.clerk)
    with pytest.raises(InvalidInput, match="多于应到人数"):
        matters.step_record(
            actor=v.clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 1), 6, 6)
        )
    with pytest.raises(InvalidInput, match="多于实到人数"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=1,
            vote=vote("branch", D(2026, 3, 1), 4, 3, 1, 1),
        )
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=1,
            vote=vote("branch", timezone.localdate() + dt.timedelta(days=1), 5, 5),
        )
    assert not Step.objects.exists()


def test_a_vote_without_majority_is_stored_only_as_failed(v):
    matter = open_matter(v.clerk)
    matters.step_record(
        actor=v.clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
    )
    matters.step_record(
        actor=v.clerk, matter_id=matter.pk, number=2, vote=vote("councils", D(2026, 3, 5), 7, 7)
    )
    # 党员大会: 30 of 45 present (quorum 30), 15 for, 10 against, 5 abstain: a tie of for and
    # not-for; declared passed, it is refused with the majority's rule.
    with pytest.raises(InvalidInput, match="到会 30 人，赞成 15 票，至少需 16 票") as refused:
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=3,
            vote=vote("party_assembly", D(2026, 3, 10), 30, 15, 10, 5),
        )
    assert "未通过" in str(refused.value)
    assert Step.objects.filter(number=3).count() == 0
    failed = matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=3,
        vote=vote("party_assembly", D(2026, 3, 10), 30, 15, 10, 5, outcome=StepOutcome.FAILED),
    )
    assert failed.outcome == StepOutcome.FAILED and failed.expected == 45
    matter.refresh_from_db()
    assert matter.status == MatterStatus.REVIEWING and matter.next_step == 3
    # Votes that pass cannot be declared failed.
    with pytest.raises(InvalidInput, match="应为“通过”"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=3,
            vote=vote("party_assembly", D(2026, 3, 12), 31, 16, outcome=StepOutcome.FAILED),
        )
    # The assembly meets again and passes.
    matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=3,
        vote=vote("party_assembly", D(2026, 3, 12), 31, 16),
    )
    matter.refresh_from_db()
    assert matter.status == MatterStatus.RESOLVING
    assert list(Step.objects.filter(number=3).values_list("outcome", flat=True)) == [
        "failed",
        "passed",
    ]


# --- The board's drafts -------------------------------------------------------------------------


def test_step_four_passing_drafts_the_resolution_and_the_result_drafts_its_publication(v):
    matter = open_matter(v.clerk, "村西主干道硬化")
    through_three(v.clerk, matter)
    with pytest.raises(InvalidTransition):
        matters.matter_record_result(
            actor=v.clerk, matter_id=matter.pk, result="已完工", done_on=D(2026, 6, 1)
        )
    decide(v.clerk, matter)
    matter.refresh_from_db()
    assert matter.status == MatterStatus.DECIDED and matter.next_step == 5
    item = matter.resolution_item
    assert item is not None
    assert item.title == "决议公开：村西主干道硬化"
    assert item.board_id == SUNKOU
    assert (item.section, item.period_kind, item.status) == (
        Section.AFFAIRS,
        PeriodKind.IMMEDIATE,
        ItemStatus.DRAFT,
    )
    assert item.period_start == item.period_end == D(2026, 3, 20)
    assert "硬化村西主干道 1.2 公里。" in item.body
    assert "应到 31 人，实到 25 人；赞成 20 票，反对 3 票，弃权 2 票" in item.body
    # No fifth step.
    with pytest.raises(InvalidTransition):
        decide(v.clerk, matter)

    with pytest.raises(InvalidInput, match="不能早于决议日期"):
        matters.matter_record_result(
            actor=v.clerk, matter_id=matter.pk, result="已完工", done_on=D(2026, 3, 1)
        )
    matters.matter_record_result(
        actor=v.clerk, matter_id=matter.pk, result="主干道已硬化并验收。", done_on=D(2026, 6, 1)
    )
    matter.refresh_from_db()
    assert matter.status == MatterStatus.DONE
    result = matter.result_item
    assert result is not None and result.title == "实施结果公开：村西主干道硬化"
    assert result.status == ItemStatus.DRAFT and "主干道已硬化并验收。" in result.body
    verbs = list(
        Event.objects.filter(subject="matter", subject_id=matter.pk).values_list("verb", flat=True)
    )
    assert verbs == ["opened"] + ["step_recorded"] * 4 + ["result_recorded"]
    # The drafts were written by the board's own service (its audit rows).
    assert Event.objects.filter(subject="item", subject_id=item.pk, verb="drafted").exists()
    with pytest.raises(InvalidTransition):
        matters.matter_record_result(
            actor=v.clerk, matter_id=matter.pk, result="再记一次", done_on=D(2026, 6, 2)
        )


def test_a_villagers_assembly_by_households(v):
    matter = open_matter(v.clerk)
    through_three(v.clerk, matter)
    # 400 adults (201 needed), 150 households (100 needed): 120 people from 100 households.
    step = matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=4,
        vote=vote(
            "assembly", D(2026, 3, 20), 120, 61, 50, 9, households_present=100, resolution="同意"
        ),
    )
    assert (step.expected, step.households, step.households_present) == (400, 150, 100)
    assert "共 150 户，到会户代表 100 户" in Matter.objects.get(pk=matter.pk).resolution_item.body
    other = open_matter(v.clerk, "集体土地承包")
    through_three(v.clerk, other)
    with pytest.raises(InvalidInput, match="至少需 201 人；共 150 户，到会户代表 99 户"):
        matters.step_record(
            actor=v.clerk,
            matter_id=other.pk,
            number=4,
            vote=vote("assembly", D(2026, 3, 20), 120, 61, households_present=99, resolution="x"),
        )


def test_the_resolution_is_required_when_step_four_passes(v):
    matter = open_matter(v.clerk)
    through_three(v.clerk, matter)
    with pytest.raises(InvalidInput, match="决议内容"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=4,
            vote=vote("representatives", D(2026, 3, 20), 25, 20),
        )


# --- Corrections --------------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_the_original_stays(v):
    matter = open_matter(v.clerk)
    first = matters.step_record(
        actor=v.clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
    )
    fixed = matters.step_correct(
        actor=v.clerk,
        step_id=first.pk,
        reason="实到人数录错：一名委员请假",
        vote=vote("branch", D(2026, 3, 1), 4, 4, minutes="一名委员请假"),
    )
    first.refresh_from_db()
    assert (first.present, first.votes_for) == (5, 5)  # untouched
    assert fixed.corrects_id == first.pk and fixed.correction_reason == "实到人数录错：一名委员请假"
    assert (fixed.present, fixed.expected) == (4, 5)
    assert first.corrected_by == fixed
    assert Event.objects.filter(subject="matter", verb="step_corrected").count() == 1
    # The original can be corrected once; later corrections correct the correction.
    with pytest.raises(InvalidTransition, match="已经被更正"):
        matters.step_correct(
            actor=v.clerk, step_id=first.pk, reason="再改", vote=vote("branch", D(2026, 3, 1), 5, 5)
        )
    # A correction obeys the law like a new record: 2 of 5 is below the quorum; nothing stored.
    before = snapshot()
    with pytest.raises(InvalidInput, match="至少需 3 人"):
        matters.step_correct(
            actor=v.clerk, step_id=fixed.pk, reason="再改", vote=vote("branch", D(2026, 3, 1), 2, 2)
        )
    assert snapshot() == before
    # A reason is required.
    with pytest.raises(InvalidInput, match="更正原因"):
        matters.step_correct(
            actor=v.clerk, step_id=fixed.pk, reason=" ", vote=vote("branch", D(2026, 3, 1), 5, 5)
        )


def test_a_correction_cannot_undo_a_step_that_later_steps_rest_on(v):
    matter = open_matter(v.clerk)
    through_three(v.clerk, matter)
    second = Step.objects.get(matter=matter, number=2)
    with pytest.raises(InvalidTransition, match="不能把“通过”改为“未通过”"):
        matters.step_correct(
            actor=v.clerk,
            step_id=second.pk,
            reason="票数录错",
            vote=vote("councils", D(2026, 3, 5), 7, 3, 4, outcome=StepOutcome.FAILED),
        )
    # The latest step may be corrected to failed: the matter goes back to it.
    third = Step.objects.get(matter=matter, number=3)
    matters.step_correct(
        actor=v.clerk,
        step_id=third.pk,
        reason="赞成票录错",
        vote=vote("party_assembly", D(2026, 3, 10), 40, 20, 20, outcome=StepOutcome.FAILED),
    )
    matter.refresh_from_db()
    assert matter.status == MatterStatus.REVIEWING and matter.next_step == 3
    assert Step.objects.filter(matter=matter, number=3).count() == 2


def test_a_stale_form_is_refused(v):
    matter = open_matter(v.clerk)
    with pytest.raises(StaleItem):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=1,
            vote=vote("branch", D(2026, 3, 1), 5, 5),
            revision=matter.revision + 1,
        )
    matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=1,
        vote=vote("branch", D(2026, 3, 1), 5, 5),
        revision=matter.revision,
    )


# --- Files --------------------------------------------------------------------------------------


def test_files_are_checked_by_content(v, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    matter = open_matter(v.clerk)
    before = snapshot()
    with pytest.raises(InvalidInput, match="不是图片"):
        matters.step_record(
            actor=v.clerk,
            matter_id=matter.pk,
            number=1,
            vote=vote("branch", D(2026, 3, 1), 5, 5),
            files=[
                SimpleUploadedFile("ok.pdf", b"%PDF-1.4 ok"),
                SimpleUploadedFile("minutes.pdf", b"<html>not a pdf</html>"),
            ],
        )
    assert snapshot() == before
    step = matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=1,
        vote=vote("branch", D(2026, 3, 1), 5, 5),
        files=[
            SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in"),
            SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 jpeg"),
        ],
    )
    files = list(step.files.order_by("id"))
    assert [(f.original_name, f.content_type) for f in files] == [
        ("签到表.pdf", "application/pdf"),
        ("photo.jpg", "image/jpeg"),
    ]
    assert not files[0].file.name.endswith("签到表.pdf")  # stored under a name of ours


# --- Scoping ------------------------------------------------------------------------------------


def test_another_villages_clerk_and_the_township_cannot_record(v):
    matter = open_matter(v.clerk)
    for user in (v.other_clerk, v.reviewer, v.monitor, v.other_reviewer):
        with pytest.raises(NotAllowed):
            matters.step_record(
                actor=user,
                matter_id=matter.pk,
                number=1,
                vote=vote("branch", D(2026, 3, 1), 5, 5),
            )
        with pytest.raises(NotAllowed):
            matters.matter_open(actor=user, village_code=SUNKOU, title="别村的事", kind="other")
        with pytest.raises(NotAllowed):
            matters.register_count_set(
                actor=user,
                village_code=SUNKOU,
                kind=RegisterKind.ADULTS,
                value=1,
                effective_from=JAN,
            )
    assert not Step.objects.exists()


def test_who_reads_which_matters(v):
    fill_registers(v.other_clerk, QIAOBEI, representatives=3)
    mine = open_matter(v.clerk)
    theirs = matters.matter_open(
        actor=v.other_clerk, village_code=QIAOBEI, title="低保评议", kind="dibao"
    )
    assert selectors.matter_for(v.clerk, mine.pk) == mine
    assert selectors.matter_for(v.clerk, theirs.pk) is None
    assert selectors.matter_for(v.monitor, mine.pk) == mine
    assert selectors.matter_for(v.other_reviewer, mine.pk) is None
    assert set(selectors.matters_of(v.reviewer)) == {mine, theirs}
    assert list(selectors.matters_of(v.clerk)) == [mine]
    assert list(selectors.matters_of(v.other_reviewer)) == []
    # The county's leader reads every matter and records none.
    leader = make_user("county-leader", None, "leader")
    assert set(selectors.matters_of(leader)) == {mine, theirs}
    with pytest.raises(NotAllowed):
        matters.step_record(
            actor=leader, matter_id=mine.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
        )


# --- Registers with history ---------------------------------------------------------------------


def test_the_expected_number_is_the_register_at_the_meetings_date():
    v = make_villages()
    fill_registers(v.clerk)  # 45 party members and 31 representatives from 1 January
    matters.register_count_set(
        actor=v.clerk,
        village_code=SUNKOU,
        kind=RegisterKind.PARTY_MEMBERS,
        value=51,
        effective_from=D(2026, 4, 1),
        note="新发展党员 6 名",
    )
    reps = list(selectors.registers_of(SUNKOU, JAN).roster)
    for rep in reps[:4]:
        matters.representative_remove(
            actor=v.clerk, representative_id=rep.pk, until_date=D(2026, 4, 1)
        )
    assert matters.count_at(SUNKOU, RegisterKind.PARTY_MEMBERS, D(2026, 3, 31)) == 45
    assert matters.count_at(SUNKOU, RegisterKind.PARTY_MEMBERS, D(2026, 4, 1)) == 51
    assert matters.count_at(SUNKOU, RegisterKind.PARTY_MEMBERS, D(2025, 12, 31)) is None
    assert matters.representatives_at(SUNKOU, D(2026, 3, 31)) == 31
    assert matters.representatives_at(SUNKOU, D(2026, 4, 1)) == 27

    matter = open_matter(v.clerk)
    matters.step_record(
        actor=v.clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
    )
    matters.step_record(
        actor=v.clerk, matter_id=matter.pk, number=2, vote=vote("councils", D(2026, 3, 5), 7, 7)
    )
    # 党员大会 on 31 March: 45 expected, 30 present is two-thirds.
    third = matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=3,
        vote=vote("party_assembly", D(2026, 3, 31), 30, 30),
    )
    assert third.expected == 45
    # 村民代表会议 on 10 April: 27 on the roster (18 needed), not 31 (21 needed).
    fourth = matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=4,
        vote=vote("representatives", D(2026, 4, 10), 18, 10, resolution="同意"),
    )
    assert fourth.expected == 27
    # The same attendance on 31 March would have been refused (31 members then).
    other = open_matter(v.clerk, "另一件事")
    matters.step_record(
        actor=v.clerk, matter_id=other.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
    )
    matters.step_record(
        actor=v.clerk, matter_id=other.pk, number=2, vote=vote("councils", D(2026, 3, 2), 7, 7)
    )
    matters.step_record(
        actor=v.clerk,
        matter_id=other.pk,
        number=3,
        vote=vote("party_assembly", D(2026, 3, 3), 30, 30),
    )
    with pytest.raises(InvalidInput, match="应到 31 人，实到 18 人，至少需 21 人"):
        matters.step_record(
            actor=v.clerk,
            matter_id=other.pk,
            number=4,
            vote=vote("representatives", D(2026, 3, 31), 18, 10, resolution="同意"),
        )
    assert Event.objects.filter(subject="register").count() == 5 + 31 + 1 + 4


def test_a_meeting_before_the_registers_is_refused():
    v = make_villages()
    matter = open_matter(v.clerk)
    with pytest.raises(InvalidInput, match="村党组织委员"):
        matters.step_record(
            actor=v.clerk, matter_id=matter.pk, number=1, vote=vote("branch", D(2026, 3, 1), 5, 5)
        )
    assert not Step.objects.exists()


def test_representatives_leave_once_and_after_they_joined(v):
    rep = selectors.registers_of(SUNKOU, JAN).roster[0]
    with pytest.raises(InvalidInput, match="应晚于任职日期"):
        matters.representative_remove(actor=v.clerk, representative_id=rep.pk, until_date=JAN)
    with pytest.raises(NotAllowed):
        matters.representative_remove(
            actor=v.other_clerk, representative_id=rep.pk, until_date=D(2026, 5, 1)
        )
    matters.representative_remove(actor=v.clerk, representative_id=rep.pk, until_date=D(2026, 5, 1))
    with pytest.raises(InvalidTransition):
        matters.representative_remove(
            actor=v.clerk, representative_id=rep.pk, until_date=D(2026, 6, 1)
        )


# --- Stuck matters ------------------------------------------------------------------------------


def test_a_matter_waiting_too_long_at_a_step_is_stuck(v, settings):
    settings.MINSHENG_VILLAGE_MATTER_STUCK_DAYS = 30
    waiting = open_matter(v.clerk, "等了很久")
    fresh = open_matter(v.clerk, "刚开始")
    Matter.objects.filter(pk=waiting.pk).update(step_since=timezone.now() - dt.timedelta(days=31))
    waiting.refresh_from_db()
    assert matters.is_stuck(waiting) and not matters.is_stuck(fresh)
    stuck = selectors.matters_of(v.reviewer, stuck_before=matters.stuck_before())
    assert list(stuck) == [waiting]
    # A decided matter waits for its result, not at a step: never stuck.
    Matter.objects.filter(pk=waiting.pk).update(status=MatterStatus.DECIDED)
    waiting.refresh_from_db()
    assert not matters.is_stuck(waiting)


def test_the_oversight_figures_count_the_matters_decided_in_the_quarter(v):
    from minsheng.villages import figures

    decided = open_matter(v.clerk)
    through_three(v.clerk, decided)
    decide(v.clerk, decided)  # 2026-03-20: the first quarter
    waiting = open_matter(v.clerk, "村南机动地发包")
    through_three(v.clerk, waiting)  # not decided: not counted
    township = Division.objects.get(code="410927102000")
    in_q1 = {
        r.code: r.figures for r in figures.by_village(township, figures.Windows.at(D(2026, 3, 31)))
    }
    assert in_q1[SUNKOU].matters_decided == 1
    assert in_q1[QIAOBEI].matters_decided == 0
    in_q2 = {
        r.code: r.figures for r in figures.by_village(township, figures.Windows.at(D(2026, 4, 2)))
    }
    assert in_q2[SUNKOU].matters_decided == 0  # decided last quarter
