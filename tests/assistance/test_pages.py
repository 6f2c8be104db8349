"""The ledger's pages: scope (404 outside), masks everywhere but the logged reveal, the export's
purpose logged, de-duplication on the add form, the figures for leaders, a pinned query count."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from minsheng.assistance.models import (
    AccessKind,
    AccessLog,
    ChecklistEntry,
    Match,
    MatchStatus,
    Person,
)
from minsheng.assistance.services import stations
from minsheng.org.models import Role
from tests.assistance.helpers import Area, add_person, fake_id, fake_phone, make_area, station
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(db: None) -> Area:
    return make_area()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _no_pii(html: str, *seqs: int) -> None:
    for seq in seqs:
        number, phone = fake_id(seq), fake_phone(seq)
        assert number not in html and number[4:14] not in html
        assert phone not in html and phone[3:7] not in html.replace("****", "")


def test_a_station_sees_its_village_and_nothing_else(area: Area) -> None:
    mine = add_person(area.worker1, area.v1, 1, name="张测甲")
    other = add_person(area.worker2, area.v2, 2, name="李测乙")
    c = client_for(area.worker1)
    page = c.get(reverse("assistance:ledger", args=[area.v1.code]))
    html = page.content.decode()
    assert page.status_code == 200 and "张测甲" in html and "李测乙" not in html
    assert mine.id_mask in html and "139****0001" in html
    _no_pii(html, 1, 2)
    for url in (
        reverse("assistance:ledger", args=[area.v2.code]),
        reverse("assistance:person", args=[other.pk]),
        reverse("assistance:person_edit", args=[other.pk]),
        reverse("assistance:station", args=[area.v2.code]),
        reverse("assistance:person_new", args=[area.v2.code]),
    ):
        assert c.get(url).status_code == 404, url
    # The township's page lists only what the worker sees.
    html = c.get(reverse("assistance:ledger", args=[area.sunkou.code])).content.decode()
    assert "张测甲" in html and "李测乙" not in html
    # Exports too: another village's is a 404, and nothing is logged.
    response = c.post(
        reverse("assistance:export", args=[area.v2.code]), {"purpose": "上报乡镇核对"}
    )
    assert response.status_code == 404 and not AccessLog.objects.exists()
    # A reveal of another village's person is a 404 and logs nothing.
    response = c.post(reverse("assistance:reveal", args=[other.pk]), {"reason": "我想看看"})
    assert response.status_code == 404 and not AccessLog.objects.exists()
    # A search by ID number of another village's person finds nothing.
    html = c.get(
        reverse("assistance:ledger", args=[area.sunkou.code]), {"q": fake_id(2)}
    ).content.decode()
    assert "李测乙" not in html


def test_the_township_and_a_department_see_their_scope(area: Area) -> None:
    add_person(area.worker1, area.v1, 1, name="张测甲", categories=("残疾人",))
    add_person(area.worker2, area.v2, 2, name="李测乙")
    add_person(area.worker4, area.v4, 3, name="王测丙", categories=("残疾人",))
    html = (
        client_for(area.officer)
        .get(reverse("assistance:ledger", args=[area.sunkou.code]))
        .content.decode()
    )
    assert "张测甲" in html and "李测乙" in html and "王测丙" not in html
    assert (
        client_for(area.officer).get(reverse("assistance:ledger", args=[area.v4.code])).status_code
        == 404
    )
    html = (
        client_for(area.canlian)
        .get(reverse("assistance:ledger", args=[area.county.code]))
        .content.decode()
    )
    assert "张测甲" in html and "王测丙" in html and "李测乙" not in html


def test_the_person_page_is_masked_and_the_reveal_is_logged(area: Area) -> None:
    person = add_person(area.worker1, area.v1, 5)
    c = client_for(area.worker1)
    html = c.get(reverse("assistance:person", args=[person.pk])).content.decode()
    assert "查看完整信息" in html
    _no_pii(html, 5)
    refused = c.post(reverse("assistance:reveal", args=[person.pk]), {"reason": ""}, follow=True)
    _no_pii(refused.content.decode(), 5)
    assert not AccessLog.objects.exists()
    shown = c.post(reverse("assistance:reveal", args=[person.pk]), {"reason": "办理就业补贴"})
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert fake_id(5) in shown.content.decode() and fake_phone(5) in shown.content.decode()
    (log,) = AccessLog.objects.all()
    assert (log.kind, log.actor, log.person, log.reason) == (
        AccessKind.REVEAL,
        area.worker1,
        person,
        "办理就业补贴",
    )
    # The township audits it; a station does not read the access log.
    audit = client_for(area.officer).get(reverse("assistance:access_log", args=[area.sunkou.code]))
    assert "办理就业补贴" in audit.content.decode()
    _no_pii(audit.content.decode(), 5)
    assert c.get(reverse("assistance:access_log", args=[area.v1.code])).status_code == 404


def test_the_export_asks_for_a_purpose_logs_it_and_is_masked(area: Area) -> None:
    add_person(area.worker1, area.v1, 6, name="张测甲")
    add_person(area.worker2, area.v2, 7, name="李测乙")
    c = client_for(area.officer)
    url = reverse("assistance:export", args=[area.sunkou.code])
    assert "导出用途" in c.get(url).content.decode()
    assert c.post(url, {"purpose": ""}).status_code == 400 and not AccessLog.objects.exists()
    response = c.post(url, {"purpose": "季度帮扶台账报送"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    text = " ".join(values)
    assert "张测甲" in text and "李测乙" in text
    for seq in (6, 7):
        assert fake_id(seq) not in text and fake_phone(seq) not in text
    (log,) = AccessLog.objects.all()
    assert (log.kind, log.reason, log.rows, log.scope_code) == (
        AccessKind.EXPORT,
        "季度帮扶台账报送",
        2,
        area.sunkou.code,
    )
    # The station's own export holds only its village.
    response = client_for(area.worker1).post(
        reverse("assistance:export", args=[area.sunkou.code]), {"purpose": "本村台账备份"}
    )
    text = " ".join(
        str(v)
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for v in row
        if v
    )
    assert "张测甲" in text and "李测乙" not in text


def test_adding_a_known_person_offers_the_existing_entry(area: Area) -> None:
    c = client_for(area.worker1)
    url = reverse("assistance:person_new", args=[area.v1.code])
    response = c.post(
        url,
        {
            "name": "张测甲",
            "id_number": fake_id(8),
            "phone": fake_phone(8),
            "categories": ["脱贫户"],
            "in_workforce": "on",
        },
    )
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "assistance:person", args=[person.pk]
    )
    again = c.post(url, {"name": "张三", "id_number": fake_id(8).lower().replace("x", "x")})
    html = again.content.decode()
    assert again.status_code == 400 and "打开已有记录" in html
    assert reverse("assistance:person", args=[person.pk]) in html
    assert Person.objects.count() == 1
    bad = c.post(url, {"name": "张三", "id_number": "410927198005171230"})
    assert bad.status_code == 400 and "身份证号无效" in bad.content.decode()


def test_recording_a_visit_a_referral_and_a_hire_through_the_pages(area: Area) -> None:
    person = add_person(area.worker1, area.v1, 9)
    st = station(area.worker1, area.v1)
    posting = stations.posting_create(
        area.worker1,
        st,
        employer="孙口扶贫车间",
        title="编织",
        pay="计件",
        place="孙口村",
        headcount=3,
    )
    c = client_for(area.worker1)
    url = reverse("assistance:person", args=[person.pk])
    today = timezone.localdate().isoformat()
    assert (
        c.post(url, {"action": "visit", "visited_on": today, "note": "想在家门口就业"}).status_code
        == 302
    )
    assert (
        c.post(url, {"action": "refer", "posting": posting.pk, "referred_on": today}).status_code
        == 302
    )
    match = Match.objects.get()
    assert (
        c.post(
            url, {"action": "advance", "match": match.pk, "status": "hired", "on": today}
        ).status_code
        == 302
    )
    match.refresh_from_db()
    assert match.status == MatchStatus.HIRED
    html = c.get(url).content.decode()
    assert "想在家门口就业" in html and "孙口扶贫车间" in html and "已录用" in html
    # Bad input: a clear message, nothing saved.
    bad = c.post(url, {"action": "visit", "visited_on": "2999-01-01", "note": "x"})
    assert bad.status_code == 400 and "日期不能晚于今天" in bad.content.decode()
    # Someone else's worker cannot post to the page.
    assert (
        client_for(area.worker2)
        .post(url, {"action": "visit", "visited_on": today, "note": "x"})
        .status_code
        == 404
    )


def test_leaders_read_figures_only_and_small_groups_are_hidden(area: Area) -> None:
    add_person(area.worker1, area.v1, 10, categories=("残疾人",))
    leader = make_user("lead", None, Role.LEADER)
    c = client_for(leader)
    page = c.get(reverse("assistance:figures", args=[area.county.code]))
    html = page.content.decode()
    assert page.status_code == 200 and "孙口镇" in html and "&lt;5" in html
    assert c.get(reverse("assistance:ledger", args=[area.county.code])).status_code == 404
    assert c.get(reverse("assistance:home")).status_code == 302
    nobody = make_user("nobody", None, Role.HANDLER)
    assert (
        client_for(nobody).get(reverse("assistance:figures", args=[area.county.code])).status_code
        == 404
    )


def test_the_ledger_page_reads_a_fixed_number_of_queries(
    area: Area, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for seq in range(30):
        add_person(
            area.worker1,
            area.v1,
            100 + seq,
            categories=("脱贫户", "低保"),
            household=f"户{seq % 7}",
        )
    c = client_for(area.worker1)
    url = reverse("assistance:ledger", args=[area.v1.code])
    c.get(url)
    with django_assert_max_num_queries(12):
        assert c.get(url).status_code == 200


def test_the_station_page_records_the_six_ones_with_a_photo(area: Area, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path

    c = client_for(area.worker1)
    url = reverse("assistance:station", args=[area.v1.code])
    assert c.post(url, {"action": "create"}).status_code == 302
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "sign-in.png"
    today = timezone.localdate().isoformat()
    response = c.post(
        url,
        {
            "action": "checklist",
            "item": "training",
            "done_on": today,
            "attendance": "23",
            "note": "电商培训",
            "photo": buffer,
        },
    )
    assert response.status_code == 302
    html = c.get(url).content.decode()
    assert "电商培训" in html and "有照片" in html
    entry = ChecklistEntry.objects.get()
    photo = c.get(reverse("assistance:photo", args=[entry.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert (
        client_for(area.worker2).get(reverse("assistance:photo", args=[entry.pk])).status_code
        == 404
    )
    bad = c.post(
        url,
        {
            "action": "checklist",
            "item": "training",
            "done_on": today,
            "photo": io.BytesIO(b"not an image"),
        },
    )
    assert bad.status_code == 400
    assert c.post(url, {"action": "six", "has_site": "on", "has_jobs": "on"}).status_code == 302
    assert (
        c.post(
            url,
            {
                "action": "posting",
                "employer": "车间",
                "title": "包装",
                "pay": "2000元/月",
                "place": "村里",
                "headcount": "2",
            },
        ).status_code
        == 302
    )


def test_editing_keeps_the_phone_unless_asked_and_rehashes_a_corrected_id(area: Area) -> None:
    person = add_person(area.worker1, area.v1, 11, categories=("低保", "返乡创业"))
    c = client_for(area.worker1)
    url = reverse("assistance:person_edit", args=[person.pk])
    form = c.get(url).content.decode()
    assert "返乡创业" in form
    _no_pii(form, 11)
    data = {
        "name": "改名",
        "id_number": "",
        "phone": "",
        "categories": ["低保"],
        "custom_categories": "返乡创业",
        "in_workforce": "on",
    }
    assert c.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.name == "改名" and person.phone_mask == "139****0011"
    assert set(person.categories.values_list("category", flat=True)) == {"低保", "返乡创业"}
    assert c.post(url, {**data, "id_number": fake_id(12), "clear_phone": "1"}).status_code == 302
    person.refresh_from_db()
    assert person.phone_mask == "" and person.phone_cipher == ""
    from minsheng.assistance.services.people import find_by_id_number

    assert find_by_id_number(fake_id(12)) == person and find_by_id_number(fake_id(11)) is None


def test_the_person_and_figures_pages_read_a_fixed_number_of_queries(
    area: Area, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from minsheng.assistance.services import people as service

    st = station(area.worker1, area.v1)
    for n in range(3):
        stations.posting_create(
            area.worker1, st, employer=f"厂{n}", title="工", pay="计件", place="村", headcount=2
        )
    person = add_person(area.worker1, area.v1, 1)
    for seq in range(2, 12):
        other = add_person(area.worker1, area.v1, seq, household=f"户{seq % 3}")
        service.employment_add(area.worker1, other, employer="厂", since=timezone.localdate())
    today = timezone.localdate()
    for _ in range(5):
        service.visit_add(area.worker1, person, today, "走访")
        service.certificate_add(area.worker1, person, kind="证", level="", obtained_on=today)
    c = client_for(area.worker1)
    for url, most in (
        (reverse("assistance:person", args=[person.pk]), 20),
        (reverse("assistance:figures", args=[area.county.code]), 30),
        (reverse("assistance:station", args=[area.v1.code]), 30),
    ):
        c.get(url)
        with django_assert_max_num_queries(most):
            assert c.get(url).status_code == 200


def test_the_home_pages_of_the_ledger_roles_point_at_it(area: Area) -> None:
    for user, heading in ((area.worker1, "劳动保障服务站工作台"), (area.officer, "帮扶专干工作台")):
        html = client_for(user).get("/").content.decode()
        assert heading in html and reverse("assistance:home") in html
    assert client_for(area.worker1).get(reverse("assistance:home"))["Location"] == reverse(
        "assistance:ledger", args=[area.v1.code]
    )
    assert client_for(area.officer).get(reverse("assistance:home"))["Location"] == reverse(
        "assistance:figures", args=[area.sunkou.code]
    )
    assert client_for(area.canlian).get(reverse("assistance:home"))["Location"] == reverse(
        "assistance:ledger", args=["410927000000"]
    )
