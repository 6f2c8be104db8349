"""The demo county 台前县 from the real division data: idempotent, every role, every unit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from minsheng.org.models import Division, Role, Unit, User


@pytest.fixture
def seeded(db: None) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_builds_the_county_from_real_divisions(seeded: str) -> None:
    county = Division.objects.get(code="410927000000")
    assert county.name == "台前县"
    assert county.children.count() == 9
    assert Division.objects.filter(level=5, code__startswith="410927").count() == 377
    assert Division.objects.get(code="410927102000").name == "孙口镇"


def test_it_creates_the_units_a_county_hotline_dispatches_to(seeded: str) -> None:
    assert Unit.objects.get(code="tq-12345").kind == Unit.Kind.HOTLINE
    for code in (
        "tq-slj",
        "tq-zjj",
        "tq-rsj",
        "tq-jyj",
        "tq-jtysj",
        "tq-cgj",
        "tq-scjgj",
        "tq-sthj",
        "tq-wjw",
        "tq-gaj",
        "tq-mzj",
        "tq-nyncj",
        "tq-gdgs",
        "tq-zls",
    ):
        assert Unit.objects.filter(code=code).exists(), code
    sunkou = Unit.objects.get(code="sunkou")
    assert sunkou.name == "孙口镇人民政府" and sunkou.division.code == "410927102000"  # type: ignore[union-attr]
    team = Unit.objects.get(name="孙口镇执法大队农村一中队")
    assert team.path.startswith(sunkou.path) and team.kind == Unit.Kind.TEAM
    assert Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).count() == 9
    assert Unit.objects.filter(kind=Unit.Kind.VILLAGE).count() == 377


def test_every_role_has_a_demo_user(seeded: str) -> None:
    expected = {
        "admin": Role.ADMINISTRATOR,
        "operator": Role.OPERATOR,
        "dispatcher": Role.DISPATCHER,
        "supervisor": Role.SUPERVISOR,
        "leader": Role.LEADER,
        "leader-sunkou": Role.UNIT_LEADER,
        "h-sunkou": Role.HANDLER,
        "h-sunkou-zfdd-nc1": Role.HANDLER,
        "h-tq-slj": Role.HANDLER,
    }
    for username, role in expected.items():
        assert User.objects.get(username=username).has_role(role), username
    assert User.objects.get(username="admin").is_superuser
    # A handler for each demo unit (the hotline centre has its own staff instead).
    assert (
        User.objects.filter(username__startswith="h-").count()
        == Unit.objects.exclude(kind="hotline").count()
    )
    assert "演示密码：minsheng-demo" in seeded


def test_it_is_idempotent(seeded: str) -> None:
    counts = (Division.objects.count(), Unit.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Division.objects.count(), Unit.objects.count(), User.objects.count()) == counts


def test_the_demo_operator_logs_in_and_sees_the_operator_home(seeded: str, client: Client) -> None:
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "operator", "password": "minsheng-demo"}, follow=True
    )
    assert "话务员工作台" in response.content.decode()


def test_it_puts_a_ticket_in_every_queue(seeded: str) -> None:
    from minsheng.tickets.demo_tickets import SCENARIOS
    from minsheng.tickets.models import Status, Ticket

    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {
        Status.NEW,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.RETURNED,
        Status.REPLIED,
        Status.CLOSED,
        Status.MERGED,
    } <= statuses
    # The scenarios' tickets, the work the demo's 民生议事会 decided, the need a 包村 cadre
    # made a ticket (minsheng/governance) and the problem reported by a facility's QR code
    # (minsheng/facilities, its own service account). The demo's past 重大突发事件
    # (minsheng/incidents/demo.py) files one call of its own.
    from minsheng.incidents.demo import TICKET_TITLE

    scenarios = (
        Ticket.objects.exclude(channel__in=("council", "visit"))
        .exclude(created_by__username="facility-qr")
        .exclude(title=TICKET_TITLE)
    )
    assert scenarios.count() == len(SCENARIOS)
    assert Ticket.objects.filter(created_by__username="facility-qr").count() == 1
    assert Ticket.objects.filter(channel="visit", status=Status.NEW).count() == 1
    reopened = Ticket.objects.get(title="学校收取资料费")
    assert reopened.round == 2 and reopened.status == Status.DISPATCHED
    # Every step went through the services: each ticket's timeline starts with its intake.
    for ticket in Ticket.objects.all():
        assert ticket.events.order_by("id").first().action == "intake"  # type: ignore[union-attr]
    call_command("seed_demo", stdout=StringIO())
    assert scenarios.count() == len(SCENARIOS)
    assert Ticket.objects.filter(created_by__username="facility-qr").count() == 1
    assert Ticket.objects.filter(channel="visit").count() == 1


def test_the_demo_handler_finds_work_in_the_inbox(seeded: str, client: Client) -> None:
    from minsheng.tickets.models import Ticket

    assert client.login(username="h-tq-zls", password="minsheng-demo")
    number = Ticket.objects.get(title="城关镇小区停水三天").number
    assert number in client.get("/inbox/").content.decode()
