"""Every notification's wording, in one place: event code → (title, body).

Texts are Python `str.format` templates filled from the outbox row's context when the row is
delivered. `{signature}` is always available (setting NOTIFY_SMS_SIGNATURE); citizen SMS end
with it in 【】 because Chinese carriers reject SMS without a registered signature.

The texts are Chinese and not passed through gettext on purpose: an SMS or a unit's message
goes out in the hotline's language, whatever language the person whose action triggered it
happens to browse in, and the worker that renders them has no request language anyway.

Context conventions (enforced by `render`): lists are joined with "、" (at most ten items, then
"等 N 件"); an empty list shows as "无"; fields named in `limits` are cut to that many
characters so that an SMS stays within what gateways accept (a concatenated SMS of ~5
segments); datetimes should be converted by `services.enqueue` before they get here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.conf import settings

LIST_SHOWN = 10


@dataclass(frozen=True)
class EventTemplate:
    title: str
    body: str
    # Context fields cut to this many characters before formatting.
    limits: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


class RenderError(ValueError):
    """The template is unknown or the context lacks a field: retrying will not help."""


TEMPLATES: dict[str, EventTemplate] = {
    # To the citizen by SMS right after intake (ticket_intake), when a phone number is known
    # and the matter was not answered on the spot. GB/T 33358: acknowledge within minutes.
    "ticket_accepted_sms": EventTemplate(
        title="工单已受理",
        body="您反映的问题已受理，工单号{number}，可凭手机号查询进度。【{signature}】",
    ),
    # To the lead unit's members (in-app) and duty phone when the hotline dispatches (派单).
    "ticket_dispatched": EventTemplate(
        title="新工单 {number}",
        body="新工单 {number}：{title}，请于 {sign_due} 前签收",
        limits={"title": 60},
    ),
    # To the citizen by SMS when the unit replies (答复); the text is the unit's reply.
    "ticket_replied_sms": EventTemplate(
        title="工单已答复",
        body="您反映的问题（工单号{number}）已办理，答复如下：{reply}【{signature}】",
        limits={"reply": 240},
    ),
    # To the responsible unit when a deadline (签收/联系/答复) is near; sent once per
    # deadline by the deadlines sweep (临期提醒).
    "deadline_warning": EventTemplate(
        title="临期提醒：工单 {number}",
        body="临期提醒：工单 {number}（{title}）{stage}时限为 {due}，即将到期，请抓紧办理。",
        limits={"title": 60},
    ),
    # To the responsible unit and the supervisors when a deadline has passed (超期); sent
    # once per deadline by the deadlines sweep.
    "deadline_overdue": EventTemplate(
        title="超期提醒：工单 {number}",
        body="超期提醒：工单 {number}（{title}）{stage}时限 {due} 已过，请立即办理并说明原因。",
        limits={"title": 60},
    ),
    # To the unit when a supervisor or dispatcher presses for progress (催办).
    "reminder": EventTemplate(
        title="催办：工单 {number}",
        body="催办：工单 {number}（{title}）请于 {due} 前办结。{note}",
        limits={"title": 60, "note": 200},
    ),
    # To the unit and its leader when a ticket is put under supervision (督办, ticket_supervise).
    "escalation": EventTemplate(
        title="督办通知：工单 {number}",
        body="督办通知：工单 {number}（{title}）已列入督办，请于 {due} 前反馈办理情况。督办意见：{note}",
        limits={"title": 60, "note": 200},
    ),
    # To the hotline's operators when a replied ticket's callback (回访) deadline approaches.
    "callback_due": EventTemplate(
        title="回访提醒：工单 {number}",
        body="回访提醒：工单 {number}（{title}）已答复，请于 {due} 前完成回访。",
        limits={"title": 60},
    ),
    # Every morning to each unit's handlers and leaders (in-app; deadlines/digest.py): what
    # falls due today and what is overdue. `numbers`: the tickets concerned, overdue first.
    "daily_digest": EventTemplate(
        title="{date} 待办提醒：今日到期 {due_today} 件，已超期 {overdue} 件",
        body="今日到期 {due_today} 件，已超期 {overdue} 件：{numbers}。请及时签收、办理并答复。",
        limits={"numbers": 400},
    ),
    # To the unit (and the supervisors) when the callback finds the citizen unsatisfied and
    # the ticket is reopened for another round (重办).
    "citizen_unsatisfied": EventTemplate(
        title="群众不满意：工单 {number}",
        body="群众不满意：工单 {number}（{title}）回访结果为不满意，已重新交办，请于 {due} 前重新办理。{note}",
        limits={"title": 60, "note": 200},
    ),
    # 群众端 (minsheng/portal): the code that proves a phone, and the receipt of a report with
    # the query code that finds it again.
    "portal_code_sms": EventTemplate(
        title="验证码",
        body="您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。【{signature}】",
    ),
    "portal_receipt_sms": EventTemplate(
        title="诉求已受理",
        body="您反映的问题已受理，工单号{number}，查询码{code}，可在 12345 群众端查询进度。【{signature}】",
    ),
    # The reply, with the link where the citizen rates it (MINSHENG_PUBLIC_URL set).
    "ticket_replied_rate_sms": EventTemplate(
        title="工单已答复",
        body="您反映的问题（工单号{number}）已办理，答复如下：{reply} 请评价办理结果：{link}【{signature}】",
        limits={"reply": 200},
    ),
    # To a unit's own system (minsheng/api/webhooks.py): the body is the signed JSON envelope.
    "webhook_event": EventTemplate(title="{event}", body="{body}"),
    # 村务公开's clock (minsheng/villages/clock.py), in-app, once per board × section × period:
    # to the village's clerks a few days before a period's publication deadline, and to the
    # clerks and the township's reviewers (乡镇村务审核员) once the deadline has passed.
    "village_publish_due": EventTemplate(
        title="公开提醒：{village}{section}",
        body="{village}{period}{section}应于 {due} 前公开，目前尚未公开，请及时起草并提交审核。",
        limits={"village": 40},
    ),
    "village_publish_overdue": EventTemplate(
        title="公开逾期：{village}{section}",
        body="{village}{period}{section}的公开期限 {due} 已过，至今未公开，请立即公开并说明原因。",
        limits={"village": 40},
    ),
    # 民生实事 (minsheng/governance/commitments_clock.py), in-app, once per work and month: to the
    # owner unit's staff when the month's progress report is still missing.
    "commitment_report_due": EventTemplate(
        title="实事月报提醒：{work}",
        body="民生实事“{commitment}”的项目“{work}”尚未报送{month}的进展，请及时报送。",
        limits={"work": 40, "commitment": 40},
    ),
    # 重大突发事件 (minsheng/incidents/services.py): to a mobilised resource's phone (once per
    # incident and person) and to a team's leader in-app; the code is read back to confirm.
    "incident_mobilised_sms": EventTemplate(
        title="应急调度：{incident}",
        body="应急调度：{resource}请参与“{incident}”处置，任务：{task}。收到请回复确认码{code}。【{signature}】",
        limits={"incident": 40, "resource": 40, "task": 60},
    ),
    "incident_mobilised": EventTemplate(
        title="应急调度：{incident}",
        body="{resource}已被调度参与“{incident}”处置，任务：{task}。请在事件页面确认接收。",
        limits={"incident": 60, "resource": 60, "task": 100},
    ),
    # To the affected villages' registered phones (群发短信), paced by the broadcast.
    "incident_broadcast_sms": EventTemplate(
        title="{incident}",
        body="{text}【{signature}】",
        limits={"incident": 40, "text": 300},
    ),
    # 公共设施 (minsheng/facilities/clock.py), in-app, once per schedule and due round: to the
    # keeper, the keeper team's and the owner unit's staff when a round was not logged in time.
    "facility_round_missed": EventTemplate(
        title="漏检提醒：{facility}",
        body="{facility}应于 {due} 完成的{kind}未按时登记，请尽快安排并在手机上登记。",
        limits={"facility": 40},
    ),
    # 公共设施 (minsheng/facilities/services/reports.py), in-app to the keeper when a citizen
    # reports a problem by the facility's QR code (the owner unit is told by the dispatch).
    "facility_problem_reported": EventTemplate(
        title="设施问题：{facility}",
        body="群众扫码反映{facility}{problem}，工单 {number} 已派至管理单位，请及时处理。",
        limits={"facility": 40},
    ),
}


def render(code: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(title, body) of template `code` filled from `context`; RenderError if it cannot be."""
    template = TEMPLATES.get(code)
    if template is None:
        raise RenderError(f"unknown template {code!r}")
    values = {name: _display(value, template.limits.get(name)) for name, value in context.items()}
    values.setdefault("signature", settings.NOTIFY_SMS_SIGNATURE)
    try:
        return template.title.format(**values), template.body.format(**values)
    except (KeyError, IndexError) as exc:
        raise RenderError(f"template {code!r} needs context field {exc}") from None


def _display(value: Any, limit: int | None) -> str:
    if isinstance(value, list | tuple):
        text = _join(value)
    elif value is None:
        text = ""
    else:
        text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _join(items: list[Any] | tuple[Any, ...]) -> str:
    if not items:
        return "无"
    shown = "、".join(str(item) for item in items[:LIST_SHOWN])
    if len(items) > LIST_SHOWN:
        shown += f" 等 {len(items)} 件"
    return shown
