"""The staff pages: the list with its filters (query count pinned, not growing with rows), Excel
and print; registering (a missing place answered with a clear message); the facility page; the
round form; the printable sign whose QR code decodes (zxing-cpp) to the public page; figures."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from minsheng.facilities.models import Facility, MissedRound, Round
from minsheng.facilities.services import ScheduleInput, schedule_save
from minsheng.facilities.services.reports import NewProblem, facility_report
from tests.conftest import PASSWORD
from tests.facilities.helpers import make_area, toilet
from tests.villages.test_poster import decoded, rasterise

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/facilities/").status_code == 200
    return len(queries)


def test_the_list_filters_and_its_query_count_does_not_grow() -> None:
    area = make_area()
    toilet(area)
    client = _client(area.keeper)
    few = _list_queries(client)
    for n in range(8):
        toilet(area, name=f"公厕{n}", keeper_user=None, keeper_unit=area.team)
    assert _list_queries(client) == few <= 14
    page = client.get("/facilities/", {"kind": "公厕", "township": "410927102000", "q": "公厕3"})
    html = page.content.decode()
    assert "公厕3" in html and "公厕4" not in html
    assert "演示保洁员 139****1234" in client.get("/facilities/").content.decode()


def test_a_handler_sees_their_units_facilities_only() -> None:
    area = make_area()
    facility = toilet(area)
    other = _client(area.other)
    assert "孙口镇政府东公厕" not in other.get("/facilities/").content.decode()
    assert other.get(f"/facilities/{facility.pk}/").status_code == 404
    assert other.get(f"/facilities/{facility.pk}/sign/").status_code == 404
    assert _client(area.operator).get(f"/facilities/{facility.pk}/").status_code == 200
    assert Client().get("/facilities/").status_code == 302  # to the login


def test_excel_export_and_print() -> None:
    area = make_area()
    toilet(area)
    client = _client(area.admin)
    response = client.get("/facilities/", {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:3] == ("编码", "类型", "名称") and rows[1][2] == "孙口镇政府东公厕"
    assert rows[1][3] == "孙口镇" and "139****1234" in str(rows[1][7])
    assert "window.print" in client.get("/facilities/", {"print": "1"}).content.decode()


def test_registering_without_a_place_is_answered_with_a_clear_message() -> None:
    area = make_area()
    client = _client(area.admin)
    form = {
        "kind": "公厕",
        "name": "新公厕",
        "owner": area.gov.pk,
        "all_day": "on",
        "status": "in_use",
    }
    refused = client.post("/facilities/new/", form)
    assert refused.status_code == 400
    assert "没有位置的设施不能登记" in refused.content.decode()
    assert not Facility.objects.exists()
    created = client.post("/facilities/new/", {**form, "place": area.v1.pk})
    facility = Facility.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/facilities/{facility.pk}/"
    custom = client.post(
        "/facilities/new/",
        {
            **form,
            "name": "口袋公园",
            "kind": "__custom__",
            "custom_kind": "口袋公园",
            "place": area.v1.pk,
        },
    )
    assert custom.status_code == 302 and Facility.objects.get(name="口袋公园").kind == "口袋公园"


def test_edit_and_schedule_from_the_facility_page() -> None:
    area = make_area()
    facility = toilet(area)
    client = _client(area.keeper)
    page = client.post(
        f"/facilities/{facility.pk}/",
        {"action": "schedule", "kind": "cleaning", "rule": "times", "times": "05:00"},
    )
    assert page.status_code == 200 and "不在设施开放时间" in page.content.decode()
    page = client.post(
        f"/facilities/{facility.pk}/",
        {"action": "schedule", "kind": "cleaning", "rule": "interval", "every_minutes": "60"},
    )
    assert page.status_code == 302 and facility.schedules.count() == 1
    schedule = facility.schedules.get()
    stop = client.post(f"/facilities/{facility.pk}/", {"action": "stop", "schedule": schedule.pk})
    schedule.refresh_from_db()
    assert stop.status_code == 302 and not schedule.active and schedule.check_at is None
    assert (
        client.post(f"/facilities/{facility.pk}/", {"action": "stop", "schedule": "x"}).status_code
        == 404
    )
    edit = client.get(f"/facilities/{facility.pk}/edit/")
    assert edit.status_code == 200 and "孙口镇政府东公厕" in edit.content.decode()
    assert _client(area.operator).get(f"/facilities/{facility.pk}/edit/").status_code == 404


def test_the_round_form_records_once_and_shows_the_round() -> None:
    area = make_area()
    facility = toilet(area)
    client = _client(area.keeper)
    page = client.get(f"/facilities/{facility.pk}/round/")
    token = re.search(r'name="form_token" value="([0-9a-f-]+)"', page.content.decode())
    assert token is not None
    data = {"kind": "cleaning", "note": "已清扫", "form_token": token.group(1)}
    assert client.post(f"/facilities/{facility.pk}/round/", data).status_code == 302
    again = client.post(f"/facilities/{facility.pk}/round/", data, follow=True)
    assert "已登记过" in again.content.decode()
    assert Round.objects.get().note == "已清扫"
    earlier = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(hours=2)
    data = {
        "kind": "cleaning",
        "done_at": f"{earlier:%Y-%m-%dT%H:%M}",
        "form_token": str(uuid.uuid4()),
    }
    assert client.post(f"/facilities/{facility.pk}/round/", data).status_code == 302
    logged = Round.objects.latest("id").done_at.astimezone(earlier.tzinfo)
    assert f"{logged:%Y-%m-%dT%H:%M}" == data["done_at"]
    too_early = {**data, "done_at": "2020-01-01T08:00", "form_token": str(uuid.uuid4())}
    refused = client.post(f"/facilities/{facility.pk}/round/", too_early)
    assert refused.status_code == 400 and "24 小时内" in refused.content.decode()


def test_the_signs_qr_code_decodes_to_the_public_page() -> None:
    area = make_area()
    facility = toilet(area)
    html = _client(area.keeper).get(f"/facilities/{facility.pk}/sign/?size=a5").content.decode()
    assert "孙口镇政府东公厕" in html and "12345" in html and "139****1234" in html
    assert "演示保洁员" not in html and "size: A5" in html
    svg = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", html, re.S)
    assert svg is not None
    assert decoded(rasterise(svg.group(0))) == [f"http://testserver/h5/f/{facility.public_code}/"]


def test_figures_count_rounds_against_the_schedule_and_problems() -> None:
    area = make_area()
    facility = toilet(area, name="将军渡旅游厕所", kind="A级旅游厕所", standard="AAA")
    toilet(area, name="城市书房", kind="城市书房")
    schedule_save(
        actor=area.admin,
        facility=facility,
        data=ScheduleInput(kind="cleaning", rule="times", times="08:00,14:00"),
    )
    tz = dt.timezone(dt.timedelta(hours=8))
    Round.objects.create(
        facility=facility,
        schedule=facility.schedules.first(),
        kind="cleaning",
        done_at=dt.datetime(2026, 12, 1, 8, 5, tzinfo=tz),
        done_by=area.keeper,
        form_token=uuid.uuid4(),
    )
    MissedRound.objects.create(
        schedule=facility.schedules.get(),
        facility=facility,
        due_at=dt.datetime(2026, 12, 1, 14, tzinfo=tz),
        raised_at=dt.datetime(2026, 12, 1, 14, 30, tzinfo=tz),
    )
    facility_report(
        facility=facility, report=NewProblem(problem="dirty", text="", submission_key="h" * 32)
    )
    client = _client(area.admin)
    page = client.get("/facilities/figures/", {"from": "2026-12-01", "to": "2026-12-02"})
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'id="fig-cleaning">1 / 4<', html)  # 2 a day × 2 days, 1 logged
    assert "AAA：1" in html and "城市书房：1" in html and "分布图" not in html  # no tiles: no map
    book = client.get(
        "/facilities/figures/", {"from": "2026-12-01", "to": "2026-12-02", "format": "xlsx"}
    )
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert ("保洁", 4, 1) in rows and ("漏检告警", 1) in [r[:2] for r in rows]


def test_the_map_appears_only_with_a_tile_source(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_MAP_TILES = "/tiles/{z}/{x}/{y}.png"
    area = make_area()
    toilet(area, lat=35.97, lng=115.87)
    html = _client(area.admin).get("/facilities/figures/").content.decode()
    assert 'id="facility-map"' in html and "facility-points" in html
