"""四议两公开: matters, their four steps, and the registers their quorums are counted from.

Every function here is a service: it locks what it changes, asks `villages.rules`, validates the
whole input (the law's quorum and majority included, `villages.law`), and only then writes, with
an `Event` in the same transaction. A refusal raises an error of `villages.errors` with a Chinese
message and writes nothing.

How a vote is recorded (the decision, documented in docs/villages.md):
- a meeting without its quorum cannot decide anything, so a step whose attendance is below the
  quorum is refused, whatever outcome is declared — nothing is stored;
- a vote that has its quorum but not the majority can only be recorded as 未通过 (failed): it is
  stored as a failed step and the matter stays at that step (the meeting may be held again);
  declaring it 通过 is refused with the majority's message;
- a vote that has its majority is 通过; declaring it 未通过 is refused (the votes say otherwise).

The record is append-only: `step_correct` adds a new step that corrects an earlier one, with a
reason; the original stays. When ④ passes, the resolution goes to the village's board as a draft
item (决议公开, 村务公开, 即时) through `services.items.create_draft`; `matter_record_result`
drafts the implementation result (实施结果公开) the same way. Both drafts are then reviewed and
published on the board like any other item.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.models import User
from minsheng.tickets.actions import sniff_image
from minsheng.villages import law, rules
from minsheng.villages.errors import InvalidInput, InvalidTransition, StaleItem
from minsheng.villages.models import (
    OPEN_STATUSES,
    STATUS_AT_STEP,
    Board,
    Matter,
    MatterKind,
    MatterStatus,
    PeriodKind,
    RegisterCount,
    RegisterKind,
    Representative,
    Section,
    Step,
    StepFile,
    StepMeeting,
    StepOutcome,
)
from minsheng.villages.services import items
from minsheng.villages.services.boards import record_event

TITLE_MAX = Matter._meta.get_field("title").max_length or 100
TEXT_MAX = 20_000
REASON_MAX = Step._meta.get_field("correction_reason").max_length or 300
NAME_MAX = Representative._meta.get_field("name").max_length or 40
COUNT_MAX = 1_000_000
FILES_MAX = 10
FILE_BYTES_MAX = 10 * 1024 * 1024

# The meeting of each step (④: either of the last two).
STEP_MEETINGS: dict[int, tuple[str, ...]] = {
    1: (StepMeeting.BRANCH,),
    2: (StepMeeting.COUNCILS,),
    3: (StepMeeting.PARTY_ASSEMBLY,),
    4: (StepMeeting.REPRESENTATIVES, StepMeeting.ASSEMBLY),
}
# The register each meeting's expected number is taken from (村民代表会议: the roster).
MEETING_REGISTER: dict[str, str | None] = {
    StepMeeting.BRANCH: RegisterKind.BRANCH,
    StepMeeting.COUNCILS: RegisterKind.COUNCILS,
    StepMeeting.PARTY_ASSEMBLY: RegisterKind.PARTY_MEMBERS,
    StepMeeting.REPRESENTATIVES: None,
    StepMeeting.ASSEMBLY: RegisterKind.ADULTS,
}


def step_name(number: int) -> str:
    return {
        1: _("① 村党组织提议"),
        2: _("② 村“两委”会商议"),
        3: _("③ 党员大会审议"),
        4: _("④ 村民代表会议或村民会议决议"),
    }[number]


def verdict_text(verdict: law.Verdict) -> str:
    """The law's sentence in the page's language."""
    return _(verdict.template) % verdict.params


# --- Registers: reading -------------------------------------------------------------------------


def count_at(board_id: str, kind: str, day: dt.date) -> int | None:
    """The village's count of `kind` on `day`: the latest row effective on or before it."""
    row = (
        RegisterCount.objects.filter(board_id=board_id, kind=kind, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .values_list("value", flat=True)
        .first()
    )
    return row


def representatives_at(board_id: str, day: dt.date) -> int:
    """Members of the 村民代表会议 on `day`: on the roster from on or before it, not yet left."""
    return (
        Representative.objects.filter(board_id=board_id, from_date__lte=day)
        .filter(Q(until_date__isnull=True) | Q(until_date__gt=day))
        .count()
    )


@dataclass(frozen=True)
class Expected:
    """A meeting's expected attendance from the registers at its date."""

    expected: int
    households: int | None = None


def expected_for(board_id: str, meeting: str, day: dt.date) -> Expected:
    """The expected numbers of `meeting` held on `day`, from the registers; refused where the
    register has no number for that date (the quorum cannot be counted)."""
    kind = MEETING_REGISTER[meeting]
    if kind is None:
        members = representatives_at(board_id, day)
        if members == 0:
            raise InvalidInput(
                _("%(day)s 时村民代表名册中没有在任的代表，请先在村情登记中登记村民代表。")
                % {"day": day.isoformat()},
                field="held_on",
            )
        return Expected(members)
    value = count_at(board_id, kind, day)
    if not value:
        raise InvalidInput(
            _("%(day)s 时村情登记中没有“%(kind)s”的人数，请先登记。")
            % {"day": day.isoformat(), "kind": RegisterKind(kind).label},
            field="held_on",
        )
    if meeting == StepMeeting.ASSEMBLY:
        households = count_at(board_id, RegisterKind.HOUSEHOLDS, day)
        if not households:
            raise InvalidInput(
                _("%(day)s 时村情登记中没有“%(kind)s”，请先登记。")
                % {"day": day.isoformat(), "kind": RegisterKind.HOUSEHOLDS.label},
                field="held_on",
            )
        return Expected(value, households)
    return Expected(value)


# --- Validation helpers -------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _count(value: Any, field: str, label: str, *, maximum: int = COUNT_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if value < 0 or value > maximum:
        raise InvalidInput(
            _("%(label)s应在 0 到 %(max)d 之间。") % {"label": label, "max": maximum}, field=field
        )
    return int(value)


def _text(value: str, field: str, label: str, *, required: bool, maximum: int) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > maximum:
        raise InvalidInput(
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": maximum}, field=field
        )
    return text


def _board(village_code: str) -> Board:
    board = Board.objects.filter(pk=village_code).first()
    if board is None:
        raise InvalidInput(_("没有这个村。"), field="village")
    return board


def _lock_matter(matter_id: int) -> Matter:
    matter = Matter.objects.select_for_update().filter(pk=matter_id).first()
    if matter is None:
        raise InvalidInput(_("没有这个事项。"), field="matter")
    return matter


def _fresh(matter: Matter, revision: int | None) -> None:
    if revision is not None and revision != matter.revision:
        raise StaleItem(_("这个事项刚刚被他人更新过，请刷新页面后再操作。"))


@dataclass(frozen=True)
class CheckedFile:
    upload: Any
    size: int
    content_type: str
    ext: str
    name: str


def sniff_file(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image or a PDF, from the file's first bytes."""
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    return sniff_image(head)


def _checked_files(uploads: Sequence[Any]) -> list[CheckedFile]:
    if len(uploads) > FILES_MAX:
        raise InvalidInput(_("附件最多 %(n)d 个。") % {"n": FILES_MAX}, field="attachments")
    checked = []
    for upload in uploads:
        size = int(getattr(upload, "size", 0) or 0)
        name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
        if size == 0:
            raise InvalidInput(_("附件“%(name)s”是空文件。") % {"name": name}, field="attachments")
        if size > FILE_BYTES_MAX:
            raise InvalidInput(
                _("附件“%(name)s”超过 10 MB。") % {"name": name}, field="attachments"
            )
        upload.seek(0)
        kind = sniff_file(upload.read(16))
        upload.seek(0)
        if kind is None:
            raise InvalidInput(
                _("附件“%(name)s”不是图片（JPG、PNG、GIF、WebP）或 PDF 文件。") % {"name": name},
                field="attachments",
            )
        checked.append(CheckedFile(upload, size, kind[0], kind[1], name or f"file.{kind[1]}"))
    return checked


def _save_files(step: Step, files: list[CheckedFile], actor: User) -> None:
    for f in files:
        row = StepFile(
            step=step,
            content_type=f.content_type,
            size=f.size,
            original_name=f.name,
            uploaded_by=actor,
        )
        # Stored under a name nobody can guess; served only through the matter's page's rule.
        row.file.save(f"{secrets.token_urlsafe(18)}.{f.ext}", f.upload, save=False)
        row.save()


# --- Matters ------------------------------------------------------------------------------------


@transaction.atomic
def matter_open(
    *, actor: User, village_code: str, title: str, kind: str, description: str = ""
) -> Matter:
    """A village clerk opens a matter; it waits for ① 村党组织提议."""
    rules.check_records_matters(actor, village_code)
    board = _board(village_code)
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput(_("请填写事项名称。"), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("事项名称不能超过 %(n)d 个字。") % {"n": TITLE_MAX}, field="title")
    if kind not in MatterKind.values:
        raise InvalidInput(_("请选择事项类别。"), field="kind")
    description = _text(description, "description", _("事项说明"), required=False, maximum=TEXT_MAX)
    matter = Matter.objects.create(
        board=board,
        title=title,
        kind=kind,
        description=description,
        status=MatterStatus.PROPOSING,
        next_step=1,
        step_since=timezone.now(),
        created_by=actor,
    )
    record_event(
        board_id=board.pk,
        subject="matter",
        subject_id=matter.pk,
        verb="opened",
        actor=actor,
        data={"kind": kind},
    )
    return matter


@dataclass(frozen=True)
class Vote:
    """What a step's form says about its meeting."""

    meeting: str
    held_on: dt.date
    present: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    outcome: str
    households_present: int | None = None
    resolution: str = ""
    minutes: str = ""


@dataclass(frozen=True)
class CheckedVote:
    vote: Vote
    expected: Expected
    outcome: str
    resolution: str
    minutes: str


def check_vote(board_id: str, number: int, vote: Vote) -> CheckedVote:
    """Validate one meeting against the registers and the law; raises with the law's message."""
    if vote.meeting not in STEP_MEETINGS[number]:
        raise InvalidInput(_("请选择会议类型。"), field="meeting")
    if not isinstance(vote.held_on, dt.date):
        raise InvalidInput(_("请填写会议日期。"), field="held_on")
    if vote.held_on > _today():
        raise InvalidInput(_("会议日期不能晚于今天。"), field="held_on")
    present = _count(vote.present, "present", _("实到人数"))
    votes_for = _count(vote.votes_for, "votes_for", _("赞成票数"))
    against = _count(vote.votes_against, "votes_against", _("反对票数"))
    abstain = _count(vote.votes_abstain, "votes_abstain", _("弃权票数"))
    if vote.outcome not in StepOutcome.values:
        raise InvalidInput(_("请选择表决结果。"), field="outcome")
    expected = expected_for(board_id, vote.meeting, vote.held_on)
    if present > expected.expected:
        raise InvalidInput(
            _("实到人数 %(present)d 人多于应到人数 %(expected)d 人（按会议当日的村情登记）。")
            % {"present": present, "expected": expected.expected},
            field="present",
        )
    households_present = 0
    if vote.meeting == StepMeeting.ASSEMBLY:
        households_present = _count(
            vote.households_present or 0, "households_present", _("到会户代表数")
        )
        assert expected.households is not None
        if households_present > expected.households:
            raise InvalidInput(
                _("到会户代表 %(n)d 户多于本村户数 %(households)d 户。")
                % {"n": households_present, "households": expected.households},
                field="households_present",
            )
    if votes_for + against + abstain > present:
        raise InvalidInput(
            _("赞成、反对、弃权合计 %(votes)d 票，多于实到人数 %(present)d 人。")
            % {"votes": votes_for + against + abstain, "present": present},
            field="votes_for",
        )
    quorum = law.quorum(
        law.Meeting(vote.meeting),
        expected=expected.expected,
        present=present,
        households=expected.households or 0,
        households_present=households_present,
    )
    if not quorum.ok:
        # A meeting without its quorum decides nothing: refused, whatever outcome is declared.
        raise InvalidInput(
            verdict_text(quorum) + _("。未达到法定到会人数的会议不能作出决定，本次记录未保存。"),
            field="present",
        )
    majority = law.majority(present=present, votes_for=votes_for)
    if vote.outcome == StepOutcome.PASSED and not majority.ok:
        raise InvalidInput(
            verdict_text(majority)
            + _("。赞成票未过半数，不能记为“通过”；如表决未通过，请选择“未通过”后保存。"),
            field="outcome",
        )
    if vote.outcome == StepOutcome.FAILED and majority.ok:
        raise InvalidInput(
            verdict_text(majority) + _("。赞成票已过半数，表决结果应为“通过”。"),
            field="outcome",
        )
    resolution = _text(
        vote.resolution,
        "resolution",
        _("决议内容"),
        required=number == 4 and vote.outcome == StepOutcome.PASSED,
        maximum=TEXT_MAX,
    )
    minutes = _text(vote.minutes, "minutes", _("会议记录"), required=False, maximum=TEXT_MAX)
    return CheckedVote(vote, expected, vote.outcome, resolution, minutes)


def _new_step(matter: Matter, number: int, checked: CheckedVote, actor: User, **extra: Any) -> Step:
    vote = checked.vote
    assembly = vote.meeting == StepMeeting.ASSEMBLY
    return Step.objects.create(
        matter=matter,
        number=number,
        meeting=vote.meeting,
        held_on=vote.held_on,
        expected=checked.expected.expected,
        present=vote.present,
        households=checked.expected.households if assembly else None,
        households_present=(vote.households_present or 0) if assembly else None,
        votes_for=vote.votes_for,
        votes_against=vote.votes_against,
        votes_abstain=vote.votes_abstain,
        outcome=checked.outcome,
        resolution=checked.resolution,
        minutes=checked.minutes,
        recorded_by=actor,
        **extra,
    )


def effective_steps(matter: Matter) -> list[Step]:
    """The steps that stand: every entry not corrected by a later one, in order."""
    return list(
        Step.objects.filter(matter=matter, corrected_by__isnull=True).order_by("number", "id")
    )


def _passed_on(steps: list[Step], number: int) -> Step | None:
    for step in steps:
        if step.number == number and step.outcome == StepOutcome.PASSED:
            return step
    return None


def _next_step(steps: list[Step]) -> int:
    n = 1
    while n <= 4 and _passed_on(steps, n) is not None:
        n += 1
    return n


def _check_dates(steps: list[Step], number: int, held_on: dt.date, *, ignore: int | None) -> None:
    """A step's meeting is held on or after the previous step's passing meeting, and on or
    before the next step's."""
    previous = _passed_on([s for s in steps if s.pk != ignore], number - 1) if number > 1 else None
    if previous is not None and held_on < previous.held_on:
        raise InvalidInput(
            _("会议日期不能早于上一步（%(step)s）的会议日期 %(day)s。")
            % {"step": step_name(number - 1), "day": previous.held_on.isoformat()},
            field="held_on",
        )
    later = [s.held_on for s in steps if s.number > number and s.pk != ignore]
    if later and held_on > min(later):
        raise InvalidInput(
            _("会议日期不能晚于下一步的会议日期 %(day)s。") % {"day": min(later).isoformat()},
            field="held_on",
        )


def _resolution_body(matter: Matter, step: Step) -> str:
    lines = [
        _("事项：%(title)s") % {"title": matter.title},
        _("会议：%(meeting)s，%(day)s")
        % {
            "meeting": step.get_meeting_display(),
            "day": f"{step.held_on.year}年{step.held_on.month}月{step.held_on.day}日",
        },
        _(
            "应到 %(expected)d 人，实到 %(present)d 人；赞成 %(for)d 票，反对 %(against)d 票，弃权 %(abstain)d 票；表决结果：%(outcome)s。"
        )
        % {
            "expected": step.expected,
            "present": step.present,
            "for": step.votes_for,
            "against": step.votes_against,
            "abstain": step.votes_abstain,
            "outcome": step.get_outcome_display(),
        },
    ]
    if step.households is not None:
        lines.append(
            _("本村共 %(households)d 户，到会户代表 %(n)d 户。")
            % {"households": step.households, "n": step.households_present or 0}
        )
    lines += ["", _("决议内容："), step.resolution]
    return "\n".join(lines)


def _set_state(matter: Matter, steps: list[Step], actor: User) -> None:
    """The matter's step and status from its standing steps; when ④ has passed, its 决议公开
    draft (once)."""
    n = _next_step(steps)
    if n != matter.next_step:
        matter.next_step = n
        matter.step_since = timezone.now()
    if matter.status != MatterStatus.DONE:
        matter.status = STATUS_AT_STEP[n]
    decided = _passed_on(steps, 4)
    if decided is not None and matter.resolution_item_id is None:
        matter.resolution_item = items.create_draft(
            village_code=matter.board_id,
            section=Section.AFFAIRS,
            title=_("决议公开：%(title)s") % {"title": matter.title},
            period_kind=PeriodKind.IMMEDIATE,
            period_day=decided.held_on,
            body=_resolution_body(matter, decided),
            actor=actor,
        )
    matter.revision += 1
    matter.save()


@transaction.atomic
def step_record(
    *,
    actor: User,
    matter_id: int,
    number: int,
    vote: Vote,
    files: Sequence[Any] = (),
    revision: int | None = None,
) -> Step:
    """Record the meeting of step `number` (the matter's next step). Refused with the law's
    message — nothing stored — when the order, the registers, the quorum or the declared outcome
    says no; a vote that fails the majority is stored when declared 未通过."""
    matter = _lock_matter(matter_id)
    rules.check_records_matters(actor, matter.board_id)
    _fresh(matter, revision)
    if number not in STEP_MEETINGS:
        raise InvalidInput(_("没有这个步骤。"), field="number")
    if matter.next_step > 4:
        raise InvalidTransition(_("本事项已经过四个步骤并作出决议。"))
    if number != matter.next_step:
        if number > matter.next_step:
            message = _("须先经%(step)s通过，才能记录%(this)s。") % {
                "step": step_name(matter.next_step),
                "this": step_name(number),
            }
        else:
            message = _("%(step)s已经通过，本事项下一步是%(next)s。") % {
                "step": step_name(number),
                "next": step_name(matter.next_step),
            }
        raise InvalidTransition(message)
    checked = check_vote(matter.board_id, number, vote)
    steps = effective_steps(matter)
    _check_dates(steps, number, vote.held_on, ignore=None)
    checked_files = _checked_files(files)
    # Everything is checked: write.
    step = _new_step(matter, number, checked, actor)
    _save_files(step, checked_files, actor)
    steps.append(step)
    _set_state(matter, steps, actor)
    record_event(
        board_id=matter.board_id,
        subject="matter",
        subject_id=matter.pk,
        verb="step_recorded",
        actor=actor,
        data={"step": step.pk, "number": number, "outcome": step.outcome},
    )
    return step


@transaction.atomic
def step_correct(
    *,
    actor: User,
    step_id: int,
    reason: str,
    vote: Vote,
    files: Sequence[Any] = (),
    revision: int | None = None,
) -> Step:
    """Correct a recorded step: a new entry referencing the one it corrects, with the reason;
    the original stays. The corrected record must satisfy the law as a new one would, and may
    not turn a passed step into a failed one once later steps (or the 决议公开) rest on it."""
    original = Step.objects.filter(pk=step_id).only("matter_id").first()
    if original is None:
        raise InvalidInput(_("没有这条记录。"), field="step")
    matter = _lock_matter(original.matter_id)
    rules.check_records_matters(actor, matter.board_id)
    _fresh(matter, revision)
    original = Step.objects.get(pk=step_id)
    if Step.objects.filter(corrects=original).exists():
        raise InvalidTransition(_("这条记录已经被更正过，请更正最新的那条记录。"))
    reason = _text(reason, "reason", _("更正原因"), required=True, maximum=REASON_MAX)
    number = original.number
    checked = check_vote(matter.board_id, number, vote)
    steps = effective_steps(matter)
    _check_dates(steps, number, vote.held_on, ignore=original.pk)
    if original.outcome == StepOutcome.PASSED and checked.outcome == StepOutcome.FAILED:
        rests_on = any(s.number > number for s in steps) or (
            number == 4 and matter.resolution_item_id is not None
        )
        if rests_on:
            raise InvalidTransition(_("此后已有后续步骤或决议公开，更正不能把“通过”改为“未通过”。"))
    if (
        original.outcome == StepOutcome.FAILED
        and checked.outcome == StepOutcome.PASSED
        and _passed_on(steps, number) is not None
    ):
        raise InvalidTransition(
            _("%(step)s已有通过的记录，不能再把这条记录更正为“通过”。")
            % {"step": step_name(number)}
        )
    checked_files = _checked_files(files)
    # Everything is checked: write.
    step = _new_step(matter, number, checked, actor, corrects=original, correction_reason=reason)
    _save_files(step, checked_files, actor)
    steps = [s for s in steps if s.pk != original.pk] + [step]
    _set_state(matter, steps, actor)
    record_event(
        board_id=matter.board_id,
        subject="matter",
        subject_id=matter.pk,
        verb="step_corrected",
        actor=actor,
        note=reason,
        data={"step": step.pk, "corrects": original.pk, "number": number, "outcome": step.outcome},
    )
    return step


@transaction.atomic
def matter_record_result(
    *,
    actor: User,
    matter_id: int,
    result: str,
    done_on: dt.date,
    revision: int | None = None,
) -> Matter:
    """Record how the decided matter was carried out; drafts the 实施结果公开 item."""
    matter = _lock_matter(matter_id)
    rules.check_records_matters(actor, matter.board_id)
    _fresh(matter, revision)
    if matter.status == MatterStatus.DONE:
        raise InvalidTransition(
            _("实施结果已经记录并起草公开；如需更正，请在公开栏更正该公开事项。")
        )
    if matter.status != MatterStatus.DECIDED:
        raise InvalidTransition(_("事项经村民代表会议或村民会议决议通过后，才能记录实施结果。"))
    result = _text(result, "result", _("实施结果"), required=True, maximum=TEXT_MAX)
    if not isinstance(done_on, dt.date):
        raise InvalidInput(_("请填写实施完成日期。"), field="done_on")
    if done_on > _today():
        raise InvalidInput(_("实施完成日期不能晚于今天。"), field="done_on")
    decided = _passed_on(effective_steps(matter), 4)
    assert decided is not None
    if done_on < decided.held_on:
        raise InvalidInput(
            _("实施完成日期不能早于决议日期 %(day)s。") % {"day": decided.held_on.isoformat()},
            field="done_on",
        )
    matter.result_item = items.create_draft(
        village_code=matter.board_id,
        section=Section.AFFAIRS,
        title=_("实施结果公开：%(title)s") % {"title": matter.title},
        period_kind=PeriodKind.IMMEDIATE,
        period_day=done_on,
        body="\n".join(
            [
                _("事项：%(title)s") % {"title": matter.title},
                _("决议日期：%(day)s") % {"day": decided.held_on.isoformat()},
                _("实施完成日期：%(day)s") % {"day": done_on.isoformat()},
                "",
                _("实施结果："),
                result,
            ]
        ),
        actor=actor,
    )
    matter.result_text = result
    matter.result_on = done_on
    matter.status = MatterStatus.DONE
    matter.revision += 1
    matter.save()
    record_event(
        board_id=matter.board_id,
        subject="matter",
        subject_id=matter.pk,
        verb="result_recorded",
        actor=actor,
        data={"item": matter.result_item.pk},
    )
    return matter


def is_stuck(matter: Matter, now: dt.datetime | None = None) -> bool:
    """Waiting at one of its four steps longer than MINSHENG_VILLAGE_MATTER_STUCK_DAYS."""
    if matter.status not in OPEN_STATUSES:
        return False
    return matter.step_since < stuck_before(now)


def stuck_days() -> int:
    return int(settings.MINSHENG_VILLAGE_MATTER_STUCK_DAYS)


def stuck_before(now: dt.datetime | None = None) -> dt.datetime:
    """A matter waiting at a step since before this moment is stuck."""
    return (now or timezone.now()) - dt.timedelta(days=stuck_days())


# --- Registers: writing -------------------------------------------------------------------------


@transaction.atomic
def register_count_set(
    *,
    actor: User,
    village_code: str,
    kind: str,
    value: int,
    effective_from: dt.date,
    note: str = "",
) -> RegisterCount:
    """A new count of the village's register, effective from a date (history kept: earlier
    counts stay and still answer for meetings before that date)."""
    rules.check_records_matters(actor, village_code)
    board = _board(village_code)
    if kind not in RegisterKind.values:
        raise InvalidInput(_("请选择登记项目。"), field="kind")
    value = _count(value, "value", str(RegisterKind(kind).label))
    if value < 1:
        raise InvalidInput(
            _("%(label)s至少为 1。") % {"label": RegisterKind(kind).label}, field="value"
        )
    if not isinstance(effective_from, dt.date):
        raise InvalidInput(_("请填写起算日期。"), field="effective_from")
    if effective_from > _today():
        raise InvalidInput(_("起算日期不能晚于今天。"), field="effective_from")
    note = _text(note, "note", _("说明"), required=False, maximum=200)
    row = RegisterCount.objects.create(
        board=board,
        kind=kind,
        value=value,
        effective_from=effective_from,
        note=note,
        recorded_by=actor,
    )
    record_event(
        board_id=board.pk,
        subject="register",
        subject_id=row.pk,
        verb="count_recorded",
        actor=actor,
        data={"kind": kind, "value": value, "from": effective_from.isoformat()},
    )
    return row


@transaction.atomic
def representative_add(
    *, actor: User, village_code: str, name: str, from_date: dt.date
) -> Representative:
    """Add a member to the 村民代表会议's roster from a date."""
    rules.check_records_matters(actor, village_code)
    board = _board(village_code)
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("请填写姓名。"), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_("姓名不能超过 %(n)d 个字。") % {"n": NAME_MAX}, field="name")
    if not isinstance(from_date, dt.date):
        raise InvalidInput(_("请填写任职日期。"), field="from_date")
    if from_date > _today():
        raise InvalidInput(_("任职日期不能晚于今天。"), field="from_date")
    rep = Representative.objects.create(
        board=board, name=name, from_date=from_date, recorded_by=actor
    )
    record_event(
        board_id=board.pk,
        subject="register",
        subject_id=rep.pk,
        verb="representative_added",
        actor=actor,
        data={"from": from_date.isoformat()},
    )
    return rep


@transaction.atomic
def representative_remove(
    *, actor: User, representative_id: int, until_date: dt.date
) -> Representative:
    """A member leaves the roster: from `until_date` on they no longer count. Set once."""
    rep = Representative.objects.select_for_update().filter(pk=representative_id).first()
    if rep is None:
        raise InvalidInput(_("名册中没有这位代表。"), field="representative")
    rules.check_records_matters(actor, rep.board_id)
    if rep.until_date is not None:
        raise InvalidTransition(_("这位代表已经登记离任。"))
    if not isinstance(until_date, dt.date):
        raise InvalidInput(_("请填写离任日期。"), field="until_date")
    if until_date <= rep.from_date:
        raise InvalidInput(
            _("离任日期应晚于任职日期 %(day)s。") % {"day": rep.from_date.isoformat()},
            field="until_date",
        )
    if until_date > _today():
        raise InvalidInput(_("离任日期不能晚于今天。"), field="until_date")
    rep.until_date = until_date
    rep.save(update_fields=["until_date"])
    record_event(
        board_id=rep.board_id,
        subject="register",
        subject_id=rep.pk,
        verb="representative_removed",
        actor=actor,
        data={"until": until_date.isoformat()},
    )
    return rep
