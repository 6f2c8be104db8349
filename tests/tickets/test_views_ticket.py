"""The ticket page: who may open it, the action forms it offers, and what a POST does."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import ERROR, get_messages
from django.test import Client

from minsheng.office.actions import ACTIONS, EVENT_LABELS
from minsheng.org.models import Role
from minsheng.tickets import actions
from minsheng.tickets.models import Assignment, Status, Ticket
from minsheng.tickets.rules import available_actions
from tests.conftest import PASSWORD, People, make_user
from tests.factories import dispatched, in_progress, new_ticket, replied


def login(client: Client, user: object) -> Client:
    assert client.login(username=str(getattr(user, "username", user)), password=PASSWORD)
    return client


def offered(html: str) -> list[str]:
    """The actions whose forms the page renders, in page order."""
    return re.findall(r'data-action="([a-z_]+)"', html.split('class="ticket-actions"', 1)[1])


def error_messages(response: object) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level == ERROR]  # type: ignore[attr-defined]


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200
    return response.content.decode()


def test_every_service_action_has_a_label_and_a_form() -> None:
    assert {"dispatch", "sign", "reply", "callback", "merge", "praise"} <= set(ACTIONS)
    for code in ("intake", "dispatch", "sign", "return_accept", "follow_master", "merge_in"):
        assert code in EVENT_LABELS


def test_the_operator_sees_the_new_ticket_and_its_hotline_actions(
    people: People, client: Client
) -> None:
    ticket = new_ticket(people, kind="consultation")
    html = page(login(client, people.operator), ticket)
    assert ticket.number in html and "张三" in html and "13800138000" in html
    assert "受理" in html  # the timeline's first step
    assert offered(html) == ["direct_answer", "emergency_transfer", "legal_channel", "merge"]
    assert offered(html) == available_actions(people.operator, ticket)


def test_the_dispatcher_is_offered_dispatch(people: People, client: Client) -> None:
    ticket = new_ticket(people)
    html = page(login(client, people.dispatcher), ticket)
    assert offered(html) == available_actions(people.dispatcher, ticket)
    assert "dispatch" in offered(html) and "direct_answer" not in offered(html)
    assert "孙口镇人民政府" in html  # a lead-unit option


def test_forms_follow_the_ticket_through_its_life(people: People, client: Client) -> None:
    login(client, people.alice)
    ticket = dispatched(people)
    assert offered(page(client, ticket)) == ["sign", "return"]
    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    shown = offered(page(client, ticket))
    assert shown == available_actions(people.alice, ticket)
    assert {"contact", "progress", "extension_request", "return", "decompose"} <= set(shown)
    assert "reply" not in shown  # the citizen has not been contacted yet
    ticket = actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")
    assert "reply" in offered(page(client, ticket))


def test_a_handler_cannot_open_another_units_ticket(people: People, client: Client) -> None:
    ticket = dispatched(people)
    login(client, people.bob)
    assert client.get(f"/tickets/{ticket.number}/").status_code == 404
    response = client.post(f"/tickets/{ticket.number}/sign/", {"version": ticket.version})
    assert response.status_code == 404
    assert Assignment.objects.get(ticket=ticket).state == Assignment.State.PENDING


def test_an_operator_cannot_dispatch(people: People, client: Client) -> None:
    ticket = new_ticket(people)
    login(client, people.operator)
    response = client.post(
        f"/tickets/{ticket.number}/dispatch/", {"version": ticket.version, "lead_unit": "sunkou"}
    )
    assert response.status_code == 400
    assert any("没有权限" in m for m in error_messages(response))
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not ticket.assignments.exists()


def test_the_dispatcher_dispatches_through_the_page(people: People, client: Client) -> None:
    ticket = new_ticket(people)
    login(client, people.dispatcher)
    response = client.post(
        f"/tickets/{ticket.number}/dispatch/",
        {
            "version": ticket.version,
            "lead_unit": "sunkou",
            "assisting_units": ["houmiao"],
            "instructions": "尽快",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.number}/"
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == people.org.sunkou
    assert ticket.assignments.count() == 2


def test_a_stale_page_is_refused(people: People, client: Client) -> None:
    ticket = dispatched(people)
    stale = ticket.version
    actions.ticket_add_assisting(ticket=ticket, actor=people.dispatcher, unit="houmiao")
    login(client, people.alice)
    response = client.post(f"/tickets/{ticket.number}/sign/", {"version": stale}, follow=True)
    assert "已被他人处理，请刷新" in response.content.decode()
    assert (
        Assignment.objects.get(ticket=ticket, unit=people.org.sunkou).state
        == Assignment.State.PENDING
    )


def test_refusals_are_chinese_and_shown_on_the_field(people: People, client: Client) -> None:
    ticket = in_progress(people)
    login(client, people.alice)
    response = client.post(
        f"/tickets/{ticket.number}/return/", {"version": ticket.version, "reason": " "}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写退单理由。" in error_messages(response)
    assert 'class="field has-error"' in html
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_a_form_error_is_reported_in_chinese(people: People, client: Client) -> None:
    ticket = in_progress(people)
    login(client, people.alice)
    response = client.post(
        f"/tickets/{ticket.number}/extension_request/", {"version": ticket.version, "days": "abc"}
    )
    assert response.status_code == 400
    assert any("延期天数应为整数" in m for m in error_messages(response))


def test_unknown_actions_are_404_and_get_is_405(people: People, client: Client) -> None:
    ticket = new_ticket(people)
    login(client, people.operator)
    assert client.post(f"/tickets/{ticket.number}/explode/", {}).status_code == 404
    assert client.get(f"/tickets/{ticket.number}/direct_answer/").status_code == 405
    assert client.get("/tickets/nonexistent/").status_code == 404


def test_garbage_posts_never_500(people: People, client: Client) -> None:
    ticket = in_progress(people)
    login(client, people.dispatcher)
    for action in ACTIONS:
        response = client.post(
            f"/tickets/{ticket.number}/{action}/",
            {
                "version": "x",
                "lead_unit": "nope",
                "days": "-3",
                "due_at": "tomorrow",
                "reached": "maybe",
            },
        )
        assert response.status_code in (302, 400), action


def test_the_confidential_reporter_is_hidden_from_the_handler(
    people: People, client: Client
) -> None:
    ticket = in_progress(people, confidential=True, citizen_name="赵六")
    html = page(login(client, people.alice), ticket)
    assert "赵六" not in html and "13800138000" not in html and "（保密）" in html
    client.logout()
    html = page(login(client, people.operator), ticket)
    assert "赵六" in html and "13800138000" in html


def test_the_whole_life_through_the_page_and_the_timeline_in_order(
    people: People, client: Client
) -> None:
    ticket = replied(people)
    login(client, people.operator)
    assert "callback" in offered(page(client, ticket))
    response = client.post(
        f"/tickets/{ticket.number}/callback/",
        {
            "version": ticket.version,
            "reached": "yes",
            "resolved": "yes",
            "satisfaction": "satisfied",
        },
    )
    assert response.status_code == 302
    html = page(client, ticket)
    labels = re.findall(r'class="action-label">([^<]+)<', html)
    assert labels == ["受理", "派单", "签收", "联系诉求人", "答复", "回访"]
    assert "已办结" in html
    assert offered(html) == ["praise"]  # a closed ticket can still earn its unit a 表扬


def test_reopen_is_offered_only_after_an_unsatisfied_callback(
    people: People, client: Client
) -> None:
    ticket = replied(people)
    assert "reopen" not in available_actions(people.operator, ticket)
    ticket = actions.ticket_callback(
        ticket=ticket,
        actor=people.operator,
        reached=True,
        resolved=False,
        satisfaction="unsatisfied",
    )
    assert "reopen" in available_actions(people.operator, ticket)
    login(client, people.operator)
    response = client.post(
        f"/tickets/{ticket.number}/reopen/", {"version": ticket.version, "note": "未修好"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.round == 2


@pytest.mark.parametrize("role", [Role.LEADER, Role.SUPERVISOR])
def test_read_only_hotline_roles_see_no_workflow_buttons(
    people: People, client: Client, role: str
) -> None:
    user = make_user(f"u-{role}", people.org.hotline, role)
    ticket = dispatched(people)
    shown = offered(page(login(client, user), ticket))
    assert shown == available_actions(user, ticket)
    assert "sign" not in shown and "dispatch" not in shown


def test_the_dispatch_form_preselects_the_catalogues_unit(people: People, client: Client) -> None:
    from minsheng.tickets.models import CatalogueEntry, Category

    category = Category.objects.create(name="路灯", level=1, full_name="路灯")
    CatalogueEntry.objects.create(category=category, unit=people.org.sunkou)
    ticket = new_ticket(people, category=category)
    html = page(login(client, people.dispatcher), ticket)
    assert re.search(r'<option value="sunkou" selected[ >]', html)
    assert "建议承办单位" in html
