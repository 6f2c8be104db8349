"""Excel import of a paper ledger: a template, bad rows named with nothing saved, duplicates
merged only with the user's confirmation, never a second entry; masks only in the preview."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from minsheng.assistance import crypto
from minsheng.assistance.errors import InvalidInput
from minsheng.assistance.models import Event, Person
from minsheng.assistance.services import imports
from tests.assistance.helpers import Area, add_person, fake_id, fake_phone, make_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(db: None) -> Area:
    return make_area()


def book(
    *rows: tuple[object, ...],
    header: tuple[str, ...] = ("序号", "姓名", "公民身份号码", "联系电话", "类别", "户主"),
) -> bytes:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["孙口村帮扶台账"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_template_has_the_headers() -> None:
    sheet = load_workbook(io.BytesIO(imports.template())).active
    assert [c.value for c in sheet[1]] == list(imports.TEMPLATE_HEADER)


def test_bad_rows_are_named_and_nothing_is_saved(area: Area) -> None:
    add_person(area.worker2, area.v2, 9)  # registered in another village
    content = book(
        (1, "张测一", fake_id(1), fake_phone(1), "脱贫户、残疾人", "张测一"),
        (2, "", fake_id(2), "", "", ""),
        (3, "李测三", fake_id(3)[:17] + ("0" if fake_id(3)[17] != "0" else "1"), "", "", ""),
        (4, "王测四", 410927198005170000, "", "", ""),
        (5, "赵测五", fake_id(1).lower(), "", "", ""),
        (6, "钱测六", fake_id(6), "12345", "", ""),
        (7, "孙测七", fake_id(9), "", "", ""),
    )
    result = imports.preview(area.worker1, area.v1, content)
    errors = {r.line: r.error for r in result.bad}
    assert set(errors) == {4, 5, 6, 7, 8, 9}
    assert "姓名" in errors[4] and "校验码" in errors[5] and "数字" in errors[6]
    assert "第 3 行" in errors[7] and "电话" in errors[8] and "其他村" in errors[9]
    assert [r.line for r in result.new] == [3]
    with pytest.raises(InvalidInput):
        imports.apply(area.worker1, area.v1, content, merge=True)
    assert Person.objects.count() == 1


def test_duplicates_are_merged_only_when_confirmed(area: Area) -> None:
    existing = add_person(area.worker1, area.v1, 1, categories=("脱贫户",))
    content = book(
        (1, "张测一", fake_id(1).replace("X", "x"), "", "残疾人", ""),
        (2, "李测二", " " + fake_id(2), fake_phone(2), "低保、返乡创业", "李测二户"),
    )
    result = imports.preview(area.worker1, area.v1, content)
    assert [r.duplicate_of for r in result.duplicates] == [existing.pk] and len(result.new) == 1
    with pytest.raises(InvalidInput) as error:
        imports.apply(area.worker1, area.v1, content, merge=False)
    assert "确认合并" in error.value.message and Person.objects.count() == 1
    assert imports.apply(area.worker1, area.v1, content, merge=True) == (1, 1)
    assert Person.objects.count() == 2
    assert set(existing.categories.values_list("category", flat=True)) == {"脱贫户", "残疾人"}
    new = Person.objects.exclude(pk=existing.pk).get()
    assert crypto.decrypt(new.phone_cipher) == fake_phone(2) and new.household.label == "李测二户"
    assert Event.objects.filter(verb="merged", subject_id=existing.pk).exists()


def test_the_import_pages(area: Area) -> None:
    c = Client()
    c.force_login(area.worker1)
    url = reverse("assistance:import", args=[area.v1.code])
    assert c.get(reverse("assistance:import_template", args=[area.v1.code])).status_code == 200
    upload = io.BytesIO(book((1, "张测一", fake_id(1), fake_phone(1), "脱贫户", "")))
    upload.name = "ledger.xlsx"
    page = c.post(url, {"action": "preview", "file": upload})
    html = page.content.decode()
    assert page.status_code == 200 and "张测一" in html and fake_id(1)[:4] + "*" in html
    assert fake_id(1) not in html and fake_phone(1) not in html
    # The file waits in the session encrypted, never in clear.
    stored = str(c.session.get("assistance_import"))
    assert fake_id(1) not in stored and "张测一" not in stored
    assert not Person.objects.exists()
    done = c.post(url, {"action": "confirm"})
    assert done.status_code == 302 and Person.objects.count() == 1
    garbage = io.BytesIO(b"not a workbook")
    garbage.name = "x.xlsx"
    bad = c.post(url, {"action": "preview", "file": garbage})
    assert bad.status_code == 400 and "无法读取" in bad.content.decode()
    # Another village's worker cannot import here.
    other = Client()
    other.force_login(area.worker2)
    assert other.get(url).status_code == 404
