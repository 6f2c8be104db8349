"""The Excel import: every bad row named with its line and reason, nothing saved while any row is
bad (one transaction), and importing the same file again changes nothing new."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from minsheng.facilities import importer
from minsheng.facilities.errors import InvalidInput
from minsheng.facilities.models import Event, Facility
from tests.conftest import PASSWORD
from tests.facilities.helpers import make_area

pytestmark = pytest.mark.django_db
HEADER = list(importer.TEMPLATE_HEADER)


def _book(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(name: str, **cells: str) -> list[str]:
    values = {
        "编码": "",
        "类型": "公厕",
        "名称": name,
        "乡镇": "孙口镇",
        "村（社区）": "孙口村",
        "地址": "村委会旁",
        "管理单位": "gov-sunkou",
        "管理员账号": "keeper-sunkou",
        "管理班组": "",
        "开放时间": "06:00-22:00",
        "等级": "",
        "状态": "在用",
        "纬度": "",
        "经度": "",
    }
    values.update(cells)
    return [values[h] for h in HEADER]


GOOD = [_row("孙口村公厕"), _row("桥北张公厕", **{"村（社区）": "桥北张村", "开放时间": "24小时"})]


def test_bad_rows_are_each_named_and_nothing_is_saved() -> None:
    area = make_area()
    content = _book(
        [
            *GOOD,
            _row("无乡镇公厕", **{"乡镇": ""}),
            _row("错村公厕", **{"村（社区）": "不存在村"}),
            _row("错时间公厕", **{"开放时间": "早上六点"}),
            _row("孙口村公厕"),  # twice in the file
            _row("错等级公厕", **{"等级": "AA"}),
        ]
    )
    result = importer.preview(area.admin, content, "410927")
    bad = {r.line: r.error for r in result.bad}
    assert set(bad) == {4, 5, 6, 7, 8}
    assert "没有位置的设施不能登记" in bad[4]
    assert "不存在村" in bad[5]
    assert "06:00-22:00" in bad[6]
    assert "第 2 行" in bad[7]
    assert "A级旅游厕所" in bad[8]
    with pytest.raises(InvalidInput) as refused:
        importer.apply(area.admin, content, "410927")
    assert "第 4 行" in str(refused.value) and "第 8 行" in str(refused.value)
    assert not Facility.objects.exists() and not Event.objects.exists()


def test_a_good_file_imports_and_again_changes_nothing_new() -> None:
    area = make_area()
    content = _book(GOOD)
    result = importer.apply(area.admin, content, "410927")
    assert (result.created, result.updated) == (2, 0)
    first = dict(Facility.objects.values_list("name", "public_code"))
    events = Event.objects.count()
    again = importer.apply(area.admin, content, "410927")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Event.objects.count() == events  # a re-import writes nothing
    changed = importer.apply(
        area.admin, _book([_row("孙口村公厕", **{"地址": "村委会东"})]), "410927"
    )
    assert (changed.created, changed.updated) == (0, 1)
    assert dict(Facility.objects.values_list("name", "public_code")) == first
    one = Facility.objects.get(name="桥北张公厕")
    assert one.all_day and one.place.name == "桥北张村" and one.keeper_user == area.keeper


def test_a_code_names_the_facility_to_update() -> None:
    area = make_area()
    importer.apply(area.admin, _book(GOOD[:1]), "410927")
    code = Facility.objects.get().public_code
    importer.apply(area.admin, _book([_row("孙口村新公厕", **{"编码": code})]), "410927")
    assert list(Facility.objects.values_list("name", flat=True)) == ["孙口村新公厕"]
    bad = importer.preview(area.admin, _book([_row("x", **{"编码": "nosuch"})]), "410927")
    assert "编码“nosuch”不存在" in bad.bad[0].error


def test_the_page_names_the_bad_rows_and_offers_the_template() -> None:
    area = make_area()
    client = Client()
    assert client.login(username=area.admin.username, password=PASSWORD)
    template = client.get("/facilities/import/template/")
    assert template.status_code == 200
    header = next(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert list(header) == HEADER
    upload = SimpleUploadedFile(
        "f.xlsx",
        _book([GOOD[0], _row("无乡镇", **{"乡镇": ""})]),
        content_type="application/vnd.ms-excel",
    )
    page = client.post("/facilities/import/", {"file": upload})
    assert page.status_code == 400
    html = page.content.decode()
    assert "第 3 行" in html and "没有位置的设施不能登记" in html
    assert not Facility.objects.exists()
    broken = SimpleUploadedFile("f.xlsx", b"not excel", content_type="application/vnd.ms-excel")
    page = client.post("/facilities/import/", {"file": broken})
    assert page.status_code == 400 and "无法读取该文件" in page.content.decode()
