"""The incident pages: who sees what, raising from a ticket, the detail page's actions, phones
masked but to commanders, refusals shown in Chinese, the list's pinned query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.incidents import services
from minsheng.incidents.models import Incident, LogEntry, Mobilisation
from minsheng.notify.models import Outbox
from tests.conftest import People
from tests.incidents.helpers import STARTED, make_area, raise_water, water_tickets

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_who_may_open_the_pages(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    for user in (people.dispatcher, people.operator, people.org.leader):
        c = client_for(user)
        for url in (
            "/incidents/",
            f"/incidents/{incident.pk}/",
            "/incidents/roster/",
            "/incidents/figures/",
        ):
            assert c.get(url).status_code == 200, (user.username, url)
    assert client_for(people.alice).get("/incidents/").status_code == 403
    assert client_for(people.dispatcher).get("/incidents/99999/").status_code == 404


def test_raising_from_the_ticket_page(people: People) -> None:
    area = make_area(people)
    tickets = water_tickets(people, area)
    c = client_for(people.dispatcher)
    page = c.get(f"/incidents/raise/?ticket={tickets[0].number}")
    assert page.status_code == 200
    body = page.content.decode()
    assert tickets[1].number in body and "第1村" in body  # candidates of the same area
    data = {
        "ticket": tickets[0].number,
        "kind": "water",
        "title": "阀门损坏致6村停水",
        "severity": "3",
        "started_at": "2026-11-20T20:30",
        "villages": [v.code for v in area.villages],
        "tickets": [tickets[1].number],
        "merge": "link",
    }
    response = c.post("/incidents/raise/", data)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.population_computed == 18_000 and incident.links.count() == 2
    # A second dispatcher posting the same form is shown the same incident.
    response = client_for(people.dispatcher).post("/incidents/raise/", data, follow=True)
    assert Incident.objects.count() == 1
    assert "未重复启动" in response.content.decode()


def test_a_refused_raise_is_shown_in_chinese(people: People) -> None:
    area = make_area(people)
    tickets = water_tickets(people, area, 1)
    response = client_for(people.dispatcher).post(
        "/incidents/raise/",
        {
            "ticket": tickets[0].number,
            "kind": "water",
            "title": "停水",
            "severity": "3",
            "started_at": "2026-11-20T20:30",
            "other_codes": "123",
        },
    )
    assert response.status_code == 200
    assert "不存在或不是乡镇、村" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_detail_page_mobilises_logs_broadcasts_and_closes(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    c = client_for(people.dispatcher)
    url = f"/incidents/{incident.pk}/"
    r = c.post(
        url, {"action": "mobilise", "resource": f"team:{area.team_water.pk}", "task": "抢修"}
    )
    assert r.status_code == 302
    r = c.post(url, {"action": "mobilise", "resource": f"team:{area.team_water.pk}"}, follow=True)
    assert "未重复通知" in r.content.decode()
    assert Mobilisation.objects.count() == 1
    r = c.post(url, {"action": "log", "kind": "restored", "at": "2026-11-21T06:45", "text": ""})
    assert r.status_code == 302 and LogEntry.objects.count() == 1
    r = c.post(url, {"action": "broadcast", "text": "停水通知", "token": "x" * 16})
    assert r.status_code == 200 and "没有登记接收通知的手机号" in r.content.decode()
    assert not Outbox.objects.filter(template="incident_broadcast_sms").exists()
    m = Mobilisation.objects.get()
    r = c.post(url, {"action": "ack_phone", "mobilisation": m.pk, "reply_code": m.reply_code})
    assert r.status_code == 302
    r = c.post(url, {"action": "close", "restored_at": "", "note": "阀门已更换"}, follow=True)
    body = r.content.decode()
    assert "历时10小时15分钟" in body
    assert (
        client_for(people.org.leader)
        .post(url, {"action": "log", "kind": "plan", "at": "2026-11-20T21:00"})
        .status_code
        == 200
    )
    assert LogEntry.objects.count() == 1  # the leader reads only


def test_phones_are_masked_except_to_commanders(people: People) -> None:
    make_area(people)
    leader_page = client_for(people.org.leader).get("/incidents/roster/").content.decode()
    assert "13900000001" not in leader_page and "139****0001" in leader_page
    assert "13700000001" not in leader_page
    dispatcher_page = client_for(people.dispatcher).get("/incidents/roster/").content.decode()
    assert "13900000001" in dispatcher_page


def test_the_roster_registers_a_company_machine_and_refuses_two_owners(people: People) -> None:
    make_area(people)
    c = client_for(people.dispatcher)
    r = c.post(
        "/incidents/roster/",
        {
            "action": "machine",
            "kind": "tractor",
            "label": "东方红 LX904",
            "count": 6,
            "owner_company": "某奶牛场",
            "phone": "13800001111",
        },
    )
    assert r.status_code == 302
    r = c.post(
        "/incidents/roster/",
        {
            "action": "machine",
            "kind": "tractor",
            "label": "x",
            "count": 1,
            "owner_company": "某奶牛场",
            "owner_unit": "tq-slj",
            "phone": "13800001111",
        },
    )
    assert r.status_code == 200 and "只填写一项" in r.content.decode()


def test_the_list_page_has_a_pinned_query_count(people: People) -> None:
    area = make_area(people)
    c = client_for(people.dispatcher)
    c.get("/incidents/")
    raise_water(people, area, water_tickets(people, area, 1))
    with CaptureQueriesContext(connection) as one:
        assert c.get("/incidents/").status_code == 200
    for i in range(4):
        raise_water(people, area, [water_tickets(people, area, 1)[0]], title=f"停水{i}")
    with CaptureQueriesContext(connection) as five:
        c.get("/incidents/")
    assert len(one) == len(five) == 6


def test_figures_export_excel(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    services.incident_close(
        incident=incident, actor=people.dispatcher, restored_at=STARTED.replace(hour=23)
    )
    r = client_for(people.org.leader).get("/incidents/figures/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_team_leader_acknowledges_from_the_incident_page(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area, 1)).incident
    url = f"/incidents/{incident.pk}/"
    leader = client_for(area.crew_leader)
    assert leader.get(url).status_code == 404  # not mobilised yet: not theirs to see
    m = services.incident_mobilise(
        incident=incident, actor=people.dispatcher, kind="team", resource_id=area.team_water.pk
    ).mobilisation
    page = leader.get(url).content.decode()
    assert "确认接收" in page and f"应为 {m.reply_code}" not in page
    assert leader.post(url, {"action": "ack", "mobilisation": m.pk}).status_code == 302
    m.refresh_from_db()
    assert m.acked_by == area.crew_leader and m.ack_channel == "inapp"
    assert client_for(people.bob).get(url).status_code == 404


def test_the_incident_page_does_not_grow_with_its_log_and_assignments(people: People) -> None:
    area = make_area(people)
    incident = raise_water(people, area, water_tickets(people, area)).incident
    d = people.dispatcher
    c = client_for(d)
    url = f"/incidents/{incident.pk}/"
    machine = services.machine_save(
        actor=d, kind="tractor", label="拖拉机", owner_company="某奶牛场", phone="13800001111"
    )

    def assign(kind: str, pk: int) -> None:
        services.incident_mobilise(incident=incident, actor=d, kind=kind, resource_id=pk)

    services.log_add(incident=incident, actor=d, kind="plan", at=STARTED)
    assign("team", area.team_water.pk)
    assign("group", area.group.pk)
    assign("machine", machine.pk)
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    for minute in range(1, 6):
        services.log_add(
            incident=incident,
            actor=d,
            kind="note",
            at=STARTED.replace(minute=30 + minute),
            text="进展",
        )
    assign("team", area.team_town.pk)
    for v in area.volunteers:
        assign("volunteer", v.pk)
    with CaptureQueriesContext(connection) as many:
        assert c.get(url).status_code == 200
    assert len(few) == len(many) == 22


def test_the_incident_page_links_more_tickets_of_the_area(people: People) -> None:
    area = make_area(people)
    first, second, third = water_tickets(people, area)
    incident = raise_water(people, area, [first]).incident
    c = client_for(people.dispatcher)
    url = f"/incidents/{incident.pk}/"
    page = c.get(url).content.decode()
    assert second.number in page and third.number in page
    assert (
        c.post(url, {"action": "link", "tickets": [second.number], "merge": "link"}).status_code
        == 302
    )
    assert (
        c.post(url, {"action": "link", "tickets": [third.number], "merge": "merge"}).status_code
        == 302
    )
    third.refresh_from_db()
    assert incident.links.count() == 3 and third.master_id == first.pk
    r = c.post(url, {"action": "link", "merge": "link"})
    assert r.status_code == 200 and "请选择至少一件工单" in r.content.decode()


def _xlsx(rows: list[list[object]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_volunteers_import_from_excel_names_bad_rows_and_saves_nothing(people: People) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minsheng.incidents.models import Volunteer

    area = make_area(people)
    c = client_for(people.dispatcher)
    before = Volunteer.objects.count()
    header = ["姓名", "电话", "技能", "村区划代码", "志愿队"]
    bad = _xlsx(
        [
            header,
            ["张三", "13512345678", "驾驶", "", ""],
            ["", "13512345679"],
            ["李四", "12345"],
            ["王五", "13512345670", "", "999"],
        ]
    )
    r = c.post(
        "/incidents/roster/",
        {"action": "import", "file": SimpleUploadedFile("v.xlsx", bad)},
        follow=True,
    )
    body = r.content.decode()
    assert (
        "第 3 行：缺少姓名" in body
        and "第 4 行：电话格式不正确" in body
        and "第 5 行：村区划代码不存在" in body
    )
    assert Volunteer.objects.count() == before
    good = _xlsx(
        [
            header,
            ["张三", "13512345678", "驾驶", area.villages[0].code, "抢险突击队"],
            ["李四", 13512345679, "", "", "抢险突击队"],
        ]
    )
    r = c.post(
        "/incidents/roster/",
        {"action": "import", "file": SimpleUploadedFile("v.xlsx", good)},
        follow=True,
    )
    assert "已导入 2 名志愿者" in r.content.decode()
    assert Volunteer.objects.count() == before + 2
    assert Volunteer.objects.get(name="李四").groups.get().name == "抢险突击队"
    r = c.post(
        "/incidents/roster/",
        {"action": "import", "file": SimpleUploadedFile("v.xlsx", b"not excel")},
        follow=True,
    )
    assert "无法读取该文件" in r.content.decode()


def test_a_damaged_workbook_is_refused_with_a_message(people: People) -> None:
    """A file whose zip opens but whose sheet does not parse (read-only openpyxl finds out while
    iterating the rows) is named unreadable, never a server error."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minsheng.incidents.models import Volunteer
    from tests.lib.test_xlsx import damaged

    make_area(people)
    c = client_for(people.dispatcher)
    content = damaged(
        _xlsx([["姓名", "电话"], *[[f"导入测试{n}", "13512345678"] for n in range(200)]])
    )
    r = c.post(
        "/incidents/roster/",
        {"action": "import", "file": SimpleUploadedFile("v.xlsx", content)},
        follow=True,
    )
    assert r.status_code == 200 and "无法读取该文件" in r.content.decode()
    assert not Volunteer.objects.filter(name__startswith="导入测试").exists()
