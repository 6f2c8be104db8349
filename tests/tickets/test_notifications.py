"""Who is told what: outbox rows and in-app messages written with the events that cause them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minsheng.notify.models import Message, Outbox
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput
from minsheng.worker.loop import sweep_until_done
from tests.conftest import People, make_user
from tests.factories import dispatched, in_progress, new_ticket

SH = ZoneInfo("Asia/Shanghai")


def sms_to(phone: str) -> list[str]:
    return list(
        Outbox.objects.filter(channel="sms", recipient=phone)
        .order_by("id")
        .values_list("template", flat=True)
    )


def test_intake_queues_the_acceptance_sms(people: People) -> None:
    ticket = new_ticket(people)
    row = Outbox.objects.get(channel="sms")
    assert row.recipient == "13800138000" and row.template == "ticket_accepted_sms"
    assert row.context["number"] == ticket.number


def test_a_hotline_consultation_gets_no_acceptance_sms(people: People) -> None:
    new_ticket(people, kind="consultation")
    assert not Outbox.objects.exists()


def test_a_refused_intake_queues_nothing(people: People) -> None:
    with pytest.raises(InvalidInput):
        new_ticket(people, title="")
    assert not Outbox.objects.exists()


def test_dispatch_tells_the_units_members(people: People) -> None:
    leader = make_user("kim", people.org.sunkou, "unit_leader")
    actions.ticket_dispatch(
        ticket=new_ticket(people),
        actor=people.dispatcher,
        lead_unit="sunkou",
        assisting_units=["houmiao"],
    )
    assert set(Message.objects.values_list("user__username", flat=True)) == {"alice", "kim", "bob"}
    assert Message.objects.filter(user=leader, title__startswith="新工单").exists()
    assert not Message.objects.filter(user=people.operator).exists()


def test_the_reply_goes_to_the_citizen_and_to_merged_duplicates(people: People) -> None:
    master = in_progress(people)
    duplicate = dispatched(people, citizen_phone="13900139000")
    actions.ticket_merge(ticket=duplicate, actor=people.dispatcher, master=master)
    actions.ticket_contact(ticket=master, actor=people.alice, method="phone")
    actions.ticket_reply(ticket=master, actor=people.alice, result="resolved", content="已修复路灯")
    assert sms_to("13800138000")[-1] == "ticket_replied_sms"
    assert sms_to("13900139000")[-1] == "ticket_replied_sms"


def test_alarms_reach_the_unit_and_escalations_the_supervisors(people: People, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_ESCALATION_GRACE_HOURS = 1
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SH), tick=False):
        ticket = new_ticket(people, urgency="emergency")
        actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit="sunkou")
    sweep_until_done(now=dt.datetime(2026, 6, 1, 10, 25, tzinfo=SH))
    assert Message.objects.filter(user=people.alice, title__startswith="临期提醒").count() == 1
    sweep_until_done(now=dt.datetime(2026, 6, 1, 11, 45, tzinfo=SH))
    assert Message.objects.filter(user=people.alice, title__startswith="超期提醒").exists()
    assert Message.objects.filter(user=people.supervisor, title__startswith="超期提醒").exists()
    count = Message.objects.count()
    sweep_until_done(now=dt.datetime(2026, 6, 1, 11, 45, tzinfo=SH))
    assert Message.objects.count() == count  # a repeated sweep tells nobody twice


def test_supervision_and_reminders_reach_the_unit(people: People) -> None:
    from django.utils import timezone

    ticket = in_progress(people)
    actions.ticket_supervise(
        ticket=ticket,
        actor=people.supervisor,
        note="本周内办结",
        due_at=timezone.now() + dt.timedelta(days=2),
    )
    actions.ticket_remind(ticket=ticket, actor=people.dispatcher, note="请加快")
    titles = list(Message.objects.filter(user=people.alice).values_list("title", flat=True))
    assert any(t.startswith("督办通知") for t in titles) and any(
        t.startswith("催办") for t in titles
    )
