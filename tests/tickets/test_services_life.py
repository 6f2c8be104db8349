"""A ticket's whole life through the service functions, and each action's refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed, StaleTicket
from minsheng.tickets.models import (
    Assignment,
    Callback,
    ExtensionRequest,
    Praise,
    Status,
    Supervision,
    Ticket,
    TicketEvent,
)
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket, replied


def event_actions(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("at", "id").values_list("action", flat=True))


def snapshot(ticket: Ticket) -> tuple[object, ...]:
    """Everything an action may change, to assert a refused action changed nothing."""
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.round,
        fresh.lead_unit_id,
        fresh.reply_text,
        TicketEvent.objects.filter(ticket=ticket).count(),
        list(
            Assignment.objects.filter(ticket=ticket).values_list("unit_id", "state").order_by("id")
        ),
    )


def test_the_whole_life_from_call_to_callback(people: People) -> None:
    ticket = new_ticket(people)
    assert ticket.status == Status.NEW
    assert ticket.citizen_phone == "13800138000"
    assert len(ticket.number) == 10 and ticket.number[:6] == timezone.localdate().strftime("%y%m%d")
    ticket = actions.ticket_dispatch(
        ticket=ticket, actor=people.dispatcher, lead_unit=people.org.sunkou
    )
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == people.org.sunkou
    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    assert ticket.status == Status.IN_PROGRESS
    ticket = actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")
    ticket = actions.ticket_progress(ticket=ticket, actor=people.alice, note="已安排电工")
    ticket = actions.ticket_reply(
        ticket=ticket, actor=people.alice, result="resolved", content="已修复"
    )
    assert ticket.status == Status.REPLIED and ticket.reply_text == "已修复"
    ticket = actions.ticket_callback(
        ticket=ticket, actor=people.operator, reached=True, resolved=True, satisfaction="satisfied"
    )
    assert ticket.status == Status.CLOSED and ticket.close_reason == "callback"
    assert event_actions(ticket) == [
        "intake",
        "dispatch",
        "sign",
        "contact",
        "progress",
        "reply",
        "callback",
    ]
    assert ticket.version == 7


def test_ticket_numbers_are_unique_and_sequential_per_day(people: People) -> None:
    numbers = [new_ticket(people).number for _ in range(3)]
    assert len(set(numbers)) == 3
    assert [int(n[6:]) for n in numbers] == [1, 2, 3]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("citizen_phone", "12345", "联系电话格式不正确"),
        ("citizen_id_number", "410927199001011236", "身份证号码不正确"),
        ("title", "", "请填写标题"),
        ("description", "x" * 4001, "不能超过 4000 个字"),
        ("kind", "gossip", "诉求类型无效"),
    ],
)
def test_intake_refuses_bad_input_and_writes_nothing(
    people: People, field: str, value: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        new_ticket(people, **{field: value})
    assert caught.value.field == field
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_intake_keeps_an_anonymous_citizen_nameless(people: People) -> None:
    ticket = new_ticket(people, anonymous=True, citizen_name="李四")
    assert ticket.citizen_name == ""


def test_only_hotline_staff_take_calls(people: People) -> None:
    with pytest.raises(NotAllowed):
        actions.ticket_intake(
            actor=people.alice, channel="hotline", kind="help", title="t", description="d"
        )


def test_direct_answer_closes_a_consultation(people: People) -> None:
    ticket = new_ticket(people, kind="consultation")
    ticket = actions.ticket_direct_answer(
        ticket=ticket, actor=people.operator, answer="可到县政务服务中心办理。"
    )
    assert ticket.status == Status.CLOSED and ticket.close_reason == "direct_answer"


def test_direct_answer_refuses_a_complaint(people: People) -> None:
    ticket = new_ticket(people)
    before = snapshot(ticket)
    with pytest.raises(InvalidTransition, match="只有咨询类"):
        actions.ticket_direct_answer(ticket=ticket, actor=people.operator, answer="x")
    assert snapshot(ticket) == before


def test_emergency_transfer_hands_over_and_cancels_assignments(people: People) -> None:
    ticket = dispatched(people)
    ticket = actions.ticket_emergency_transfer(
        ticket=ticket, actor=people.operator, to="119", note="起火"
    )
    assert ticket.status == Status.TRANSFERRED and ticket.transferred_to == "119"
    assert not ticket.assignments.exclude(state="cancelled").exists()
    with pytest.raises(InvalidInput):
        actions.ticket_emergency_transfer(
            ticket=new_ticket(people), actor=people.operator, to="999"
        )


def test_legal_channel_is_explained_and_closed(people: People) -> None:
    ticket = actions.ticket_legal_channel(
        ticket=new_ticket(people),
        actor=people.operator,
        channel="arbitration",
        note="劳动争议请向县劳动人事争议仲裁委员会申请仲裁。",
    )
    assert ticket.status == Status.CLOSED and ticket.close_reason == "legal_channel"


def test_two_dispatches_one_wins_the_other_is_told(people: People) -> None:
    ticket = new_ticket(people)
    actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit=people.org.sunkou)
    with pytest.raises(InvalidTransition, match="待签收"):
        actions.ticket_dispatch(
            ticket=ticket, actor=people.dispatcher, lead_unit=people.org.houmiao
        )
    assert Ticket.objects.get(pk=ticket.pk).lead_unit == people.org.sunkou


def test_a_stale_page_is_refused(people: People) -> None:
    ticket = new_ticket(people)
    seen = ticket.version
    actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit=people.org.sunkou)
    with pytest.raises(StaleTicket, match="已被他人处理"):
        actions.ticket_emergency_transfer(
            ticket=ticket, actor=people.operator, to="110", expected_version=seen
        )


def test_the_wrong_people_cannot_dispatch_or_sign(people: People) -> None:
    ticket = new_ticket(people)
    with pytest.raises(NotAllowed):
        actions.ticket_dispatch(ticket=ticket, actor=people.operator, lead_unit=people.org.sunkou)
    ticket = dispatched(people)
    before = snapshot(ticket)
    with pytest.raises(NotAllowed, match="没有派给您的单位"):
        actions.ticket_sign(ticket=ticket, actor=people.bob)
    with pytest.raises(NotAllowed, match="只有承办单位"):
        actions.ticket_sign(ticket=ticket, actor=people.dispatcher)
    assert snapshot(ticket) == before


def test_dispatch_with_assisting_units_each_signs_for_its_part(people: People) -> None:
    ticket = actions.ticket_dispatch(
        ticket=new_ticket(people),
        actor=people.dispatcher,
        lead_unit="sunkou",
        assisting_units=["houmiao"],
    )
    ticket = actions.ticket_sign(ticket=ticket, actor=people.bob)
    assert ticket.status == Status.DISPATCHED  # the lead has not signed yet
    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    assert ticket.status == Status.IN_PROGRESS
    assert set(ticket.assignments.values_list("state", flat=True)) == {"signed"}


def test_dispatch_refuses_unknown_units_and_lead_as_assistant(people: People) -> None:
    ticket = new_ticket(people)
    with pytest.raises(InvalidInput, match="不存在"):
        actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit="nowhere")
    with pytest.raises(InvalidInput, match="主办单位不能同时"):
        actions.ticket_dispatch(
            ticket=ticket, actor=people.dispatcher, lead_unit="sunkou", assisting_units=["sunkou"]
        )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW
    assert not Assignment.objects.exists()


def test_return_then_accept_redispatches(people: People) -> None:
    ticket = dispatched(people)
    ticket = actions.ticket_return(ticket=ticket, actor=people.alice, reason="属侯庙镇辖区")
    assert ticket.status == Status.RETURNED
    with pytest.raises(InvalidInput, match="不能是退单的单位"):
        actions.ticket_return_accept(ticket=ticket, actor=people.dispatcher, lead_unit="sunkou")
    ticket = actions.ticket_return_accept(
        ticket=ticket, actor=people.dispatcher, lead_unit="houmiao"
    )
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == people.org.houmiao
    actions.ticket_sign(ticket=ticket, actor=people.bob)
    with pytest.raises(NotAllowed):
        actions.ticket_sign(ticket=ticket, actor=people.alice)


def test_return_refused_restores_the_units_part(people: People) -> None:
    ticket = in_progress(people)
    ticket = actions.ticket_return(ticket=ticket, actor=people.alice, reason="不归我们管")
    with pytest.raises(InvalidInput, match="驳回理由"):
        actions.ticket_return_refuse(ticket=ticket, actor=people.dispatcher, note="")
    ticket = actions.ticket_return_refuse(ticket=ticket, actor=people.dispatcher, note="路灯属镇管")
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.assignments.get().state == "signed"


def test_return_needs_a_reason_and_review_needs_a_return(people: People) -> None:
    ticket = dispatched(people)
    with pytest.raises(InvalidInput, match="退单理由"):
        actions.ticket_return(ticket=ticket, actor=people.alice, reason="  ")
    with pytest.raises(InvalidTransition, match="没有待审核的退单"):
        actions.ticket_return_refuse(ticket=ticket, actor=people.dispatcher, note="x")


def test_reassign_and_add_assisting(people: People) -> None:
    ticket = in_progress(people)
    ticket = actions.ticket_reassign(
        ticket=ticket, actor=people.dispatcher, lead_unit="houmiao", note="改派"
    )
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == people.org.houmiao
    ticket = actions.ticket_add_assisting(ticket=ticket, actor=people.dispatcher, unit="sunkou")
    with pytest.raises(InvalidInput, match="已在承办"):
        actions.ticket_add_assisting(ticket=ticket, actor=people.dispatcher, unit="sunkou")
    roles = dict(ticket.assignments.exclude(state="cancelled").values_list("unit__code", "role"))
    assert roles == {"houmiao": "lead", "sunkou": "assist"}


def test_decompose_makes_the_reply_wait_for_sub_tasks(people: People) -> None:
    from tests.conftest import make_user

    team_handler = make_user("tina", people.org.sunkou_team, "handler")
    ticket = in_progress(people)
    with pytest.raises(InvalidInput, match="只能下派给本单位的下级单位"):
        actions.ticket_decompose(
            ticket=ticket, actor=people.alice, units=["houmiao"], instructions="去看看"
        )
    ticket = actions.ticket_decompose(
        ticket=ticket, actor=people.alice, units=["sunkou-nc1"], instructions="请农村一中队现场处置"
    )
    actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")
    with pytest.raises(InvalidTransition, match="下派任务尚未全部答复"):
        actions.ticket_reply(ticket=ticket, actor=people.alice, result="resolved", content="好了")
    actions.ticket_sign(ticket=ticket, actor=team_handler)
    actions.ticket_reply(
        ticket=ticket, actor=team_handler, result="resolved", content="中队已更换灯泡"
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
    ticket = actions.ticket_reply(
        ticket=ticket, actor=people.alice, result="resolved", content="已修复"
    )
    assert ticket.status == Status.REPLIED


def test_reply_requires_contact_when_the_citizen_has_a_phone(people: People) -> None:
    ticket = in_progress(people)
    with pytest.raises(InvalidTransition, match="请先联系诉求人"):
        actions.ticket_reply(ticket=ticket, actor=people.alice, result="resolved", content="好了")
    anonymous = in_progress(people, citizen_phone="", anonymous=True)
    assert (
        actions.ticket_reply(
            ticket=anonymous, actor=people.alice, result="explained", content="已说明"
        ).status
        == Status.REPLIED
    )


def test_extension_request_approve_and_refuse(people: People) -> None:
    ticket = in_progress(people)
    actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=5, reason="需采购灯具")
    with pytest.raises(InvalidTransition, match="已有待审核"):
        actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=3, reason="again")
    with pytest.raises(NotAllowed):
        actions.ticket_extension_decide(ticket=ticket, actor=people.alice, approve=True)
    actions.ticket_extension_decide(ticket=ticket, actor=people.dispatcher, approve=True)
    assert Ticket.objects.get(pk=ticket.pk).extension_days == 5
    actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=30, reason="还要更久")
    with pytest.raises(InvalidInput, match="审核意见"):
        actions.ticket_extension_decide(ticket=ticket, actor=people.dispatcher, approve=False)
    actions.ticket_extension_decide(
        ticket=ticket, actor=people.dispatcher, approve=False, note="时限内完成"
    )
    assert Ticket.objects.get(pk=ticket.pk).extension_days == 5
    assert list(ExtensionRequest.objects.values_list("state", flat=True).order_by("id")) == [
        "approved",
        "refused",
    ]
    with pytest.raises(InvalidInput, match="1 到 30"):
        actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=31, reason="x")


def test_unsatisfied_callback_then_reopen_for_another_round(
    people: People, settings: object
) -> None:
    ticket = replied(people)
    ticket = actions.ticket_callback(
        ticket=ticket,
        actor=people.operator,
        reached=True,
        resolved=False,
        satisfaction="unsatisfied",
        comment="灯还是不亮",
    )
    assert ticket.status == Status.REPLIED
    ticket = actions.ticket_reopen(ticket=ticket, actor=people.operator, note="请重新核查")
    assert ticket.status == Status.DISPATCHED and ticket.round == 2 and ticket.reply_text == ""
    assert ticket.assignments.filter(round=2, unit=people.org.sunkou, state="pending").exists()
    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    ticket = actions.ticket_contact(ticket=ticket, actor=people.alice, method="visit")
    ticket = actions.ticket_reply(
        ticket=ticket, actor=people.alice, result="resolved", content="线路已修复"
    )
    ticket = actions.ticket_callback(
        ticket=ticket,
        actor=people.operator,
        reached=True,
        resolved=True,
        satisfaction="basically_satisfied",
    )
    assert ticket.status == Status.CLOSED and ticket.satisfaction == "basically_satisfied"
    assert Callback.objects.filter(ticket=ticket).count() == 2


def test_each_round_has_one_verdict_its_last_reached_callback(people: People) -> None:
    ticket = replied(people)

    def call(reached: bool, satisfaction: str = "") -> Ticket:
        return actions.ticket_callback(
            ticket=ticket,
            actor=people.operator,
            reached=reached,
            resolved=None if not reached else satisfaction != "unsatisfied",
            satisfaction=satisfaction,
        )

    ticket = call(False)
    ticket = call(True, "unsatisfied")
    ticket = call(False)  # an unreached call does not replace the verdict
    ticket = call(True, "satisfied")  # the citizen changed their mind: the new verdict
    flags = list(Callback.objects.filter(ticket=ticket).order_by("id").values_list("verdict"))
    assert flags == [(False,), (False,), (False,), (True,)]


def test_the_migration_finds_the_same_verdicts_as_the_service(people: People) -> None:
    import importlib

    from django.db import connection

    backfill = importlib.import_module("minsheng.tickets.migrations.0007_callback_verdict")
    ticket = replied(people)
    for reached, satisfaction in ((True, "unsatisfied"), (False, ""), (True, "satisfied")):
        ticket = actions.ticket_callback(
            ticket=ticket,
            actor=people.operator,
            reached=reached,
            resolved=True if reached else None,
            satisfaction=satisfaction,
        )
    by_service = list(Callback.objects.order_by("id").values_list("id", "verdict"))
    Callback.objects.update(verdict=False)
    with connection.cursor() as cursor:
        cursor.execute(backfill.BACKFILL)
    assert list(Callback.objects.order_by("id").values_list("id", "verdict")) == by_service
    assert [v for _id, v in by_service] == [False, False, True]


def test_reopen_is_refused_after_a_satisfied_callback_and_beyond_the_rounds_limit(
    people: People, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_MAX_ROUNDS = 1
    ticket = replied(people)
    actions.ticket_callback(ticket=ticket, actor=people.operator, reached=False)
    with pytest.raises(InvalidTransition, match="只有回访不满意"):
        actions.ticket_reopen(ticket=ticket, actor=people.operator, note="再办")
    actions.ticket_callback(
        ticket=ticket,
        actor=people.operator,
        reached=True,
        resolved=False,
        satisfaction="unsatisfied",
    )
    with pytest.raises(InvalidTransition, match="达到重办上限"):
        actions.ticket_reopen(ticket=ticket, actor=people.operator, note="再办")
    ticket = actions.ticket_close(
        ticket=ticket, actor=people.operator, note="已办理一轮，诉求人仍不满意，转督办"
    )
    assert ticket.status == Status.CLOSED and ticket.close_reason == "hotline"


def test_callback_validation(people: People) -> None:
    ticket = replied(people)
    with pytest.raises(InvalidInput, match="满意度"):
        actions.ticket_callback(ticket=ticket, actor=people.operator, reached=True, resolved=True)
    with pytest.raises(NotAllowed):
        actions.ticket_callback(ticket=ticket, actor=people.alice, reached=False)
    with pytest.raises(InvalidTransition):
        actions.ticket_callback(ticket=in_progress(people), actor=people.operator, reached=False)


def test_merged_tickets_follow_the_masters_result(people: People) -> None:
    master = in_progress(people)
    duplicate = dispatched(people, citizen_phone="13900139000", citizen_name="王五")
    duplicate = actions.ticket_merge(
        ticket=duplicate, actor=people.dispatcher, master=master.number
    )
    assert duplicate.status == Status.MERGED and duplicate.master == master
    assert not duplicate.assignments.exclude(state="cancelled").exists()
    actions.ticket_contact(ticket=master, actor=people.alice, method="phone")
    actions.ticket_reply(ticket=master, actor=people.alice, result="resolved", content="已修复路灯")
    assert (
        Ticket.objects.get(pk=duplicate.pk).reply_text == "已修复路灯"
    )  # each citizen gets the reply
    actions.ticket_callback(
        ticket=master, actor=people.operator, reached=True, resolved=True, satisfaction="satisfied"
    )
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.close_reason == "master"
    assert "follow_master" in event_actions(duplicate)


def test_merge_refusals(people: People) -> None:
    ticket = new_ticket(people)
    with pytest.raises(InvalidInput, match="不能与自身并单"):
        actions.ticket_merge(ticket=ticket, actor=people.dispatcher, master=ticket)
    with pytest.raises(InvalidInput, match="不存在"):
        actions.ticket_merge(ticket=ticket, actor=people.dispatcher, master="0000000000")
    closed = actions.ticket_direct_answer(
        ticket=new_ticket(people, kind="consultation"), actor=people.operator, answer="答复"
    )
    with pytest.raises(InvalidTransition, match="已结束"):
        actions.ticket_merge(ticket=ticket, actor=people.dispatcher, master=closed)


def test_supervise_and_praise(people: People) -> None:
    ticket = in_progress(people)
    due = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(NotAllowed):
        actions.ticket_supervise(ticket=ticket, actor=people.operator, note="尽快", due_at=due)
    with pytest.raises(InvalidInput, match="督办期限"):
        actions.ticket_supervise(
            ticket=ticket,
            actor=people.supervisor,
            note="尽快",
            due_at=timezone.now() - dt.timedelta(hours=1),
        )
    actions.ticket_supervise(ticket=ticket, actor=people.supervisor, note="明日前办结", due_at=due)
    assert Supervision.objects.filter(ticket=ticket).count() == 1
    actions.unit_praise(
        unit=people.org.sunkou_team,
        actor=people.operator,
        kind="banner",
        note="好人好事，尽职尽责",
        ticket=ticket,
    )
    assert Praise.objects.get().unit == people.org.sunkou_team
    assert event_actions(ticket)[-2:] == ["supervise", "praise"]
