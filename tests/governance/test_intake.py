"""集中导入 (bulk intake of collected suggestions): a generated Excel of the seed's 1,141
suggestions with 20 bad rows — each named, nothing made until confirmed; confirming makes tickets
(channel 导入, waiting for dispatch) and council suggestions; a second confirm or the same file
uploaded again makes nothing twice; corrections are applied; who may."""

from __future__ import annotations

import pytest

from minsheng.governance import intake as selectors
from minsheng.governance.models import (
    IntakeBatch,
    IntakeEvent,
    IntakeRecord,
    IntakeRow,
    Suggestion,
)
from minsheng.governance.services.intake import (
    Correction,
    intake_confirm,
    intake_correct,
    intake_upload,
)
from minsheng.insight.index import (
    index_ticket,
    similar_open_tickets,
    similar_open_tickets_many,
    text_vector,
)
from minsheng.org.models import Division
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.tickets.models import Category, Channel, Kind, Status, Ticket
from tests.conftest import People
from tests.governance.intake_data import county_villages, generate
from tests.governance.intake_helpers import (
    HOUMIAO,
    SUNKOU,
    SUNKOU_VILLAGE,
    Setup,
    make_setup,
    sheet,
)

pytestmark = pytest.mark.django_db

REASONS = {
    "empty": "意见建议内容为空",
    "long": "超过 2000 字",
    "phone": "联系电话格式不正确",
    "destination": "处理方式只能填",
}


@pytest.fixture
def setup(people: People) -> Setup:
    return make_setup(people)


def test_1141_rows_previewed_named_and_confirmed_once(setup: Setup) -> None:
    operator = setup.people.operator
    data = generate(county_villages(), rows=1141, bad=20)
    assert len(data.bad) == 20
    batch = intake_upload(
        actor=operator, area=setup.county, filename="收集意见.xlsx", content=data.content
    )
    # Nothing but the preview: no ticket, no suggestion, no record.
    assert Ticket.objects.count() == 0 and Suggestion.objects.count() == 0
    assert IntakeRecord.objects.count() == 0
    rows = {r.number: r for r in batch.rows.all()}
    assert len(rows) == 1141
    bad = {n: r for n, r in rows.items() if r.errors}
    assert set(bad) == set(data.bad)
    for number, kind in data.bad.items():
        assert REASONS[kind] in " ".join(bad[number].errors), (number, bad[number].errors)
        assert bad[number].destination == IntakeRow.Destination.SKIP
    good = [r for r in rows.values() if not r.errors]
    # Places matched to the county's villages (the place column names them), categories
    # suggested by the router.
    matched = [r for r in good if r.village_id and r.village_id.startswith("410927")]
    assert len(matched) >= 0.9 * len(good)
    assert sum(1 for r in good if r.category_id) >= 0.8 * len(good)
    first = rows[2]
    assert first.village is not None and first.village.level == Division.Level.VILLAGE
    summary = selectors.summary(batch)
    assert summary.rows == 1141 and summary.errors == 20
    assert summary.tickets + summary.council + summary.skipped == 1141
    assert IntakeEvent.objects.filter(batch=batch, verb="uploaded").count() == 1

    counts = intake_confirm(actor=operator, batch=batch)
    assert counts["ticket"] == summary.tickets and counts["council"] == summary.council
    assert counts["skipped"] == 20 + (summary.skipped - 20)
    tickets = Ticket.objects.filter(channel=Channel.IMPORT)
    assert tickets.count() == summary.tickets
    assert set(tickets.values_list("status", flat=True)) == {Status.NEW}
    assert set(tickets.values_list("kind", flat=True)) == {Kind.SUGGESTION}
    suggestions = Suggestion.objects.filter(source=Suggestion.Source.IMPORT)
    assert suggestions.count() == summary.council
    assert all(s.reference.startswith("import:") for s in suggestions)
    assert IntakeRecord.objects.count() == summary.tickets + summary.council
    batch.refresh_from_db()
    assert batch.status == IntakeBatch.Status.DONE
    assert IntakeEvent.objects.filter(batch=batch, verb="confirmed").count() == 1

    # Confirming again makes nothing.
    assert intake_confirm(actor=operator, batch=batch) == counts
    assert tickets.count() == summary.tickets and suggestions.count() == summary.council

    # The same file again: every good row is marked as imported before, nothing is made.
    again = intake_upload(
        actor=operator, area=setup.county, filename="收集意见.xlsx", content=data.content
    )
    assert again.rows.filter(outcome=IntakeRow.Outcome.ALREADY).count() == (
        summary.tickets + summary.council
    )
    intake_confirm(actor=operator, batch=again)
    assert tickets.count() == summary.tickets and suggestions.count() == summary.council


def test_bad_rows_are_named_with_their_reason(setup: Setup) -> None:
    content = sheet(
        [1, "孙口村", "", "张某", "", "", ""],
        [2, "侯庙村", "侯庙村道路破损", "王某", "", "", ""],
        [3, "孙口村", "路灯不亮" * 600, "", "", "", ""],
        [4, "孙口村", "村口路灯不亮", "", "12345", "", ""],
        [5, "孙口村", "村口路灯不亮，建议维修", "", "", "", "随便"],
        [6, "孙口村", "村口排水沟堵塞，建议疏通", "李某", "13800138000", "", ""],
    )
    batch = intake_upload(
        actor=setup.secretary, area=setup.sunkou, filename="a.xlsx", content=content
    )
    errors = {r.number: " ".join(r.errors) for r in batch.rows.all()}
    assert "意见建议内容为空" in errors[2]
    assert "不在孙口镇范围内" in errors[3]
    assert "超过 2000 字" in errors[4]
    assert "联系电话格式不正确" in errors[5]
    assert "处理方式只能填" in errors[6]
    assert errors[7] == ""
    good = batch.rows.get(number=7)
    assert good.village_id == SUNKOU_VILLAGE and good.phone == "13800138000"
    # A township's own staff: suggestions to their council only.
    assert good.destination == IntakeRow.Destination.COUNCIL
    assert Suggestion.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,text\n1,hello\n", "请上传 Excel 文件"),
        (b"PK\x03\x04broken", "无法读取"),
        (sheet(["a", "b"], header=["甲", "乙"]), "这不是意见建议导入模板"),
        (sheet(), "没有意见建议"),
        (b"PK\x03\x04" + b"0" * (5 * 1024 * 1024), "不能超过 5 MB"),
    ],
    # Names of their own: the Excel files' bytes differ between runs (zip timestamps), and the
    # parallel workers must collect the same tests.
    ids=["csv", "broken-zip", "wrong-header", "no-rows", "too-big"],
)
def test_files_we_cannot_take_are_refused_in_chinese(
    setup: Setup, content: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        intake_upload(actor=setup.people.operator, area=setup.county, filename="x", content=content)
    assert IntakeBatch.objects.count() == 0


def test_too_many_rows_are_refused(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "MAX_ROWS", 3)
    content = sheet(*[[i, "孙口村", f"建议{i}", "", "", "", ""] for i in range(4)])
    with pytest.raises(InvalidInput, match="最多 3 行"):
        intake_upload(actor=setup.people.operator, area=setup.county, filename="x", content=content)


def test_corrections_are_applied_and_checked(setup: Setup) -> None:
    operator = setup.people.operator
    content = sheet(
        [1, "", "希望多开几班公交车", "赵某", "", "", ""],
        [2, "孙口村", "村口排水沟堵塞，建议疏通", "李某", "", "", "提交议事会"],
        [3, "孙口村", "建议增设健身器材", "钱某", "", "", ""],
    )
    batch = intake_upload(actor=operator, area=setup.county, filename="a.xlsx", content=content)
    one, two, three = batch.rows.order_by("number")
    assert one.village_id is None and "未能识别" in " ".join(one.notes)
    leaf = Category.objects.get(full_name="市政公用/供水/停水")
    houmiao_village = Division.objects.filter(
        code__startswith=HOUMIAO[:9], level=Division.Level.VILLAGE
    ).first()
    assert houmiao_village is not None
    changed = intake_correct(
        actor=operator,
        batch=batch,
        corrections={
            one.pk: Correction(place=houmiao_village.code, category=leaf.pk),
            two.pk: Correction(destination=IntakeRow.Destination.TICKET),
            three.pk: Correction(destination=IntakeRow.Destination.SKIP),
        },
    )
    assert changed == 3
    with pytest.raises(InvalidInput, match="第 2 行"):
        intake_correct(
            actor=operator, batch=batch, corrections={one.pk: Correction(place="110101001001")}
        )
    counts = intake_confirm(actor=operator, batch=batch)
    assert counts["ticket"] == 2 and counts["skipped"] == 1 and counts["council"] == 0
    made = Ticket.objects.get(title__startswith="希望多开")
    assert made.division_id == houmiao_village.code and made.category_id == leaf.pk
    assert made.channel == Channel.IMPORT and made.citizen_name == "赵某"
    assert made.created_by.username == "import-desk"
    assert IntakeEvent.objects.filter(batch=batch, verb="corrected").count() == 1
    with pytest.raises(InvalidTransition):
        intake_correct(
            actor=operator, batch=batch, corrections={three.pk: Correction(destination="ticket")}
        )


def test_council_suggestions_go_to_the_township_council(setup: Setup) -> None:
    content = sheet(
        [1, "孙口村", "建议在村委会旁增设健身器材", "李某", "", "", ""],
        [2, "孙口村", "建议在村委会旁增设健身器材", "李某", "", "", ""],
    )
    batch = intake_upload(
        actor=setup.secretary, area=setup.sunkou, filename="a.xlsx", content=content
    )
    second = batch.rows.get(number=3)
    assert second.same_as == 2 and second.destination == IntakeRow.Destination.SKIP
    counts = intake_confirm(actor=setup.secretary, batch=batch)
    assert counts["council"] == 1 and counts["skipped"] == 1
    suggestion = Suggestion.objects.get()
    assert suggestion.council == setup.council and suggestion.village_id == SUNKOU_VILLAGE
    assert suggestion.source == Suggestion.Source.IMPORT and suggestion.contributor == "李某"
    assert Ticket.objects.count() == 0
    # A township's staff cannot make tickets.
    batch2 = intake_upload(
        actor=setup.secretary,
        area=setup.sunkou,
        filename="b.xlsx",
        content=sheet([1, "孙口村", "新的建议", "", "", "", ""]),
    )
    with pytest.raises(InvalidInput, match="只能提交议事会"):
        intake_correct(
            actor=setup.secretary,
            batch=batch2,
            corrections={batch2.rows.get().pk: Correction(destination="ticket")},
        )


def test_open_tickets_about_the_same_problem_are_shown(setup: Setup) -> None:
    village = Division.objects.get(code=SUNKOU_VILLAGE)
    open_ticket = actions.ticket_intake(
        actor=setup.people.operator,
        channel="hotline",
        kind="complaint",
        title="孙口村排水沟堵塞",
        description="孙口村村口排水沟堵塞，下雨后污水漫到路上，建议尽快疏通排水沟。",
        division=village,
    )
    index_ticket(open_ticket)
    content = sheet(
        [1, "孙口村", "孙口村村口排水沟堵塞，下雨污水漫到路上，建议疏通。", "", "", "", ""]
    )
    batch = intake_upload(
        actor=setup.people.operator, area=setup.county, filename="a.xlsx", content=content
    )
    row = batch.rows.get()
    assert [d["number"] for d in row.duplicates] == [open_ticket.number]
    # The bulk lookup finds what the desk's one-by-one lookup finds, with the same scores.
    texts = [row.text, "村口路灯不亮", "孙口村排水沟堵塞了"]
    one_by_one = [similar_open_tickets(text=t, division=village) for t in texts]
    bulk = similar_open_tickets_many([(text_vector(t), village) for t in texts], limit=10)
    assert [[(s.ticket.pk, s.score) for s in found] for found in bulk] == [
        [(s.ticket.pk, s.score) for s in found] for found in one_by_one
    ]


def test_who_may(setup: Setup) -> None:
    content = sheet([1, "孙口村", "建议增设健身器材", "", "", "", ""])
    with pytest.raises(NotAllowed):
        intake_upload(actor=setup.handler, area=setup.sunkou, filename="a", content=content)
    with pytest.raises(NotAllowed):
        intake_upload(actor=setup.stranger, area=setup.sunkou, filename="a", content=content)
    with pytest.raises(NotAllowed):
        intake_upload(actor=setup.secretary, area=setup.county, filename="a", content=content)
    with pytest.raises(NotAllowed):
        intake_upload(
            actor=setup.people.supervisor, area=setup.county, filename="a", content=content
        )
    batch = intake_upload(actor=setup.secretary, area=setup.sunkou, filename="a", content=content)
    # The desk sees every batch; another township's staff do not see this one.
    assert selectors.batch_for(setup.people.dispatcher, batch.pk) == batch
    assert selectors.batch_for(setup.stranger, batch.pk) is None
    with pytest.raises(NotAllowed):
        intake_confirm(actor=setup.stranger, batch=batch)
    assert Suggestion.objects.count() == 0
    assert [a.code for a in selectors.areas_for(setup.secretary)] == [SUNKOU]
    assert selectors.areas_for(setup.people.operator)[0].code == setup.county.code


def test_a_confirm_cut_short_keeps_whole_chunks_and_finishes_later(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = setup.people.operator
    content = sheet(
        *[[i, "孙口村", f"第{i}条：村口路灯不亮，建议维修", "", "", "", ""] for i in range(5)]
    )
    batch = intake_upload(actor=operator, area=setup.county, filename="a.xlsx", content=content)
    real = actions.ticket_intake
    calls = {"n": 0}

    def flaky(**kwargs: object) -> Ticket:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("the request was cut short")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "ticket_intake", flaky)
    with pytest.raises(RuntimeError):
        intake_confirm(actor=operator, batch=batch, chunk=2)
    # Chunks of 2: the first chunk is kept, the second (rows 3–4) rolled back whole.
    assert Ticket.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == IntakeBatch.Status.PREVIEW
    monkeypatch.setattr(actions, "ticket_intake", real)
    counts = intake_confirm(actor=operator, batch=batch, chunk=2)
    assert counts["ticket"] == 5 and Ticket.objects.count() == 5
    assert IntakeRecord.objects.count() == 5


def test_the_demo_batch_is_a_preview_with_its_bad_rows(setup: Setup) -> None:
    from minsheng.governance.demo_intake import seed_demo_intake
    from minsheng.org.models import Role
    from tests.conftest import make_user

    make_user("operator", setup.people.org.hotline, Role.OPERATOR)
    assert seed_demo_intake() == 41
    batch = IntakeBatch.objects.get()
    assert batch.status == IntakeBatch.Status.PREVIEW
    assert sorted(batch.rows.filter(bad=True).values_list("number", flat=True)) == [9, 14]
    assert batch.rows.get(number=42).same_as == 3
    assert Ticket.objects.count() == 0 and Suggestion.objects.count() == 0
    assert seed_demo_intake() == 0
