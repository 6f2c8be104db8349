"""Every event's wording renders from the fields its senders pass."""

from __future__ import annotations

import pytest

from minsheng.notify.message_templates import TEMPLATES, RenderError, render

NUMBER = "2611230001"
TITLE = "铭功路路灯不亮"

SAMPLES: dict[str, tuple[dict[str, object], str]] = {
    "portal_code_sms": (
        {"code": "482913", "minutes": 5},
        "您的验证码是 482913，5 分钟内有效。请勿告诉他人。【12345热线】",
    ),
    "portal_receipt_sms": (
        {"number": NUMBER, "code": "482913"},
        "您反映的问题已受理，工单号2611230001，查询码482913，可在 12345 群众端查询进度。【12345热线】",
    ),
    "ticket_replied_rate_sms": (
        {
            "number": NUMBER,
            "reply": "已修复。",
            "link": "https://12345.example.cn/h5/t/2611230001/",
        },
        "您反映的问题（工单号2611230001）已办理，答复如下：已修复。 请评价办理结果："
        "https://12345.example.cn/h5/t/2611230001/【12345热线】",
    ),
    "ticket_accepted_sms": (
        {"number": NUMBER},
        "您反映的问题已受理，工单号2611230001，可凭手机号查询进度。【12345热线】",
    ),
    "ticket_dispatched": (
        {"number": NUMBER, "title": TITLE, "sign_due": "11月24日 09:00"},
        "新工单 2611230001：铭功路路灯不亮，请于 11月24日 09:00 前签收",
    ),
    "ticket_replied_sms": (
        {"number": NUMBER, "reply": "已更换灯泡。"},
        "您反映的问题（工单号2611230001）已办理，答复如下：已更换灯泡。【12345热线】",
    ),
    "deadline_warning": (
        {"number": NUMBER, "title": TITLE, "stage": "答复", "due": "11月30日 17:30"},
        "临期提醒：工单 2611230001（铭功路路灯不亮）答复时限为 11月30日 17:30，即将到期，请抓紧办理。",
    ),
    "deadline_overdue": (
        {"number": NUMBER, "title": TITLE, "stage": "签收", "due": "11月24日 09:00"},
        "超期提醒：工单 2611230001（铭功路路灯不亮）签收时限 11月24日 09:00 已过，请立即办理并说明原因。",
    ),
    "reminder": (
        {"number": NUMBER, "title": TITLE, "due": "11月25日", "note": "群众再次来电。"},
        "催办：工单 2611230001（铭功路路灯不亮）请于 11月25日 前办结。群众再次来电。",
    ),
    "escalation": (
        {"number": NUMBER, "title": TITLE, "due": "11月26日", "note": "请主要负责人阅办"},
        "督办通知：工单 2611230001（铭功路路灯不亮）已列入督办，请于 11月26日 前反馈办理情况。督办意见：请主要负责人阅办",
    ),
    "callback_due": (
        {"number": NUMBER, "title": TITLE, "due": "11月27日 17:30"},
        "回访提醒：工单 2611230001（铭功路路灯不亮）已答复，请于 11月27日 17:30 前完成回访。",
    ),
    "daily_digest": (
        {"date": "2026-11-23", "due_today": 2, "overdue": 1, "numbers": "2611200003、2611230001"},
        "今日到期 2 件，已超期 1 件：2611200003、2611230001。请及时签收、办理并答复。",
    ),
    "citizen_unsatisfied": (
        {"number": NUMBER, "title": TITLE, "due": "11月30日", "note": ""},
        "群众不满意：工单 2611230001（铭功路路灯不亮）回访结果为不满意，已重新交办，请于 11月30日 前重新办理。",
    ),
    "webhook_event": (
        {"event": "ticket.dispatched", "body": '{"id":"x"}'},
        '{"id":"x"}',
    ),
    # 村务公开's clock (minsheng/villages/clock.py).
    "village_publish_due": (
        {"village": "孙口村", "section": "财务公开", "period": "2026年11月", "due": "12月10日"},
        "孙口村2026年11月财务公开应于 12月10日 前公开，目前尚未公开，请及时起草并提交审核。",
    ),
    "village_publish_overdue": (
        {"village": "孙口村", "section": "村务公开", "period": "2026年第3季度", "due": "10月10日"},
        "孙口村2026年第3季度村务公开的公开期限 10月10日 已过，至今未公开，请立即公开并说明原因。",
    ),
    "commitment_report_due": (
        {"commitment": "城乡供水一体化", "work": "孙口镇供水管网改造", "month": "11月"},
        "民生实事“城乡供水一体化”的项目“孙口镇供水管网改造”尚未报送11月的进展，请及时报送。",
    ),
    "incident_mobilised_sms": (
        {
            "incident": "阀门损坏致6村停水",
            "resource": "台前县水利局 供水抢修队",
            "task": "抢修阀门",
            "code": "0427",
        },
        "应急调度：台前县水利局 供水抢修队请参与“阀门损坏致6村停水”处置，任务：抢修阀门。收到请回复确认码0427。【12345热线】",
    ),
    "incident_mobilised": (
        {
            "incident": "阀门损坏致6村停水",
            "resource": "台前县水利局 供水抢修队",
            "task": "抢修阀门",
            "code": "0427",
        },
        "台前县水利局 供水抢修队已被调度参与“阀门损坏致6村停水”处置，任务：抢修阀门。请在事件页面确认接收。",
    ),
    "incident_broadcast_sms": (
        {"incident": "阀门损坏致6村停水", "text": "因阀门抢修，6村停水，预计明早7时前恢复。"},
        "因阀门抢修，6村停水，预计明早7时前恢复。【12345热线】",
    ),
    "facility_round_missed": (
        {"facility": "孙口镇政府东公厕", "kind": "保洁", "due": "12月07日 10:00"},
        "孙口镇政府东公厕应于 12月07日 10:00 完成的保洁未按时登记，请尽快安排并在手机上登记。",
    ),
    "facility_problem_reported": (
        {"facility": "孙口镇政府东公厕", "problem": "脏乱", "number": "2612070001"},
        "群众扫码反映孙口镇政府东公厕脏乱，工单 2612070001 已派至管理单位，请及时处理。",
    ),
}


def test_every_template_has_a_sample() -> None:
    assert set(SAMPLES) == set(TEMPLATES)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_it_renders(code: str) -> None:
    context, body = SAMPLES[code]
    title, rendered = render(code, context)
    assert rendered == body
    assert title and "{" not in title


def test_the_sms_signature_comes_from_the_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_SMS_SIGNATURE = "台前县12345"
    _, body = render("ticket_accepted_sms", {"number": NUMBER})
    assert body == "您反映的问题已受理，工单号2611230001，可凭手机号查询进度。【台前县12345】"


def test_long_fields_are_cut_and_lists_joined() -> None:
    _, body = render("ticket_replied_sms", {"number": NUMBER, "reply": "很" * 1000})
    assert len(body) < 300 and body.endswith("…【12345热线】")
    _, digest = render(
        "daily_digest",
        {"date": "d", "due_today": 12, "overdue": 0, "numbers": [f"n{i}" for i in range(12)]},
    )
    assert "n0、n1" in digest and "n10" not in digest and "等 12 件" in digest


@pytest.mark.parametrize(
    ("code", "context"), [("nope", {}), ("ticket_dispatched", {"number": "1"})]
)
def test_it_refuses_what_it_cannot_render(code: str, context: dict[str, object]) -> None:
    with pytest.raises(RenderError):
        render(code, context)
