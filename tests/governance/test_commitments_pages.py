"""民生实事's pages: staff list/commitment/work pages with pinned query counts, the owner's report
form, the Excel export, and the public page (published lists only, no personal data)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.governance.models import (
    Commitment,
    CommitmentEvent,
    CommitmentList,
    ProgressReport,
    Work,
    WorkStatus,
)
from tests.conftest import PASSWORD, Org
from tests.governance.commitment_helpers import example

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_list_page_shows_progress(org: Org, django_assert_num_queries: Any) -> None:
    ex = example(org)
    client = _client("lee")
    url = reverse("governance:commitment_list", args=[ex.clist.pk])
    client.get(url)  # the session's first read
    # session, user, roles, header unit, unread badge + the list's tree in five queries and the
    # origin tickets' counts
    with django_assert_num_queries(11):
        response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert "35.3%" in text and "45.6%" in text and "民生实事" in text
    # More commitments and works cost no more queries.
    for i in range(5):
        c = Commitment.objects.create(clist=ex.clist, position=10 + i, title=f"实事{i}")
        Work.objects.create(commitment=c, title="项目", owner=org.sunkou)
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200


def test_excel_export(org: Org) -> None:
    ex = example(org)
    response = _client("lee").get(
        reverse("governance:commitment_list", args=[ex.clist.pk]) + "?format=xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_commitment_and_work_pages(org: Org, django_assert_num_queries: Any) -> None:
    ex = example(org)
    client = _client("alice")
    client.get(reverse("governance:commitment_detail", args=[ex.c1.pk]))
    with django_assert_num_queries(11):  # the tree (5) and the origin tickets
        response = client.get(reverse("governance:commitment_detail", args=[ex.c1.pk]))
    assert response.status_code == 200
    assert "孙口镇道路硬化" in response.content.decode()
    for i in range(4):
        ProgressReport.objects.create(
            work=ex.w1, month=timezone.localdate().replace(day=1), percent=i, text="x"
        )
    with django_assert_num_queries(11):  # the work, its tree (5) and its reports
        response = client.get(reverse("governance:commitment_work", args=[ex.w1.pk]))
    assert response.status_code == 200
    assert 'name="percent"' in response.content.decode()  # the owner's report form


def test_owner_reports_through_the_form(org: Org) -> None:
    ex = example(org)
    url = reverse("governance:commitment_work", args=[ex.w1.pk])
    month = timezone.localdate().strftime("%Y-%m")
    response = _client("alice").post(
        url, {"action": "report", "month": month, "percent": "70", "text": "路面过半"}
    )
    assert response.status_code == 302
    assert ProgressReport.objects.filter(work=ex.w1, percent=70).exists()
    # A bad percent is refused with a Chinese message and nothing is written.
    response = _client("alice").post(
        url, {"action": "report", "month": month, "percent": "170", "text": "x"}
    )
    assert response.status_code == 400
    assert "进度应在" in response.content.decode()
    assert ProgressReport.objects.filter(work=ex.w1).count() == 1


def test_other_unit_sees_no_form_and_cannot_post(org: Org) -> None:
    ex = example(org)
    url = reverse("governance:commitment_work", args=[ex.w1.pk])
    client = _client("bob")
    assert 'name="percent"' not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "report",
            "month": timezone.localdate().strftime("%Y-%m"),
            "percent": "1",
            "text": "x",
        },
    )
    assert response.status_code == 400
    assert not ProgressReport.objects.filter(work=ex.w1).exists()
    # Task progress likewise.
    task = ex.w1.tasks.first()
    assert task is not None
    client.post(url, {"action": "task", "task": task.pk, "progress": "0"})
    task.refresh_from_db()
    assert task.progress == 100


def test_staff_pages_need_a_staff_role(org: Org) -> None:
    ex = example(org)
    anonymous = Client().get(reverse("governance:commitment_list", args=[ex.clist.pk]))
    assert anonymous.status_code == 302


def test_public_page_published_only_without_personal_data(
    org: Org, django_assert_num_queries: Any
) -> None:
    ex = example(org)
    org.alice.display_name = "张爱丽"
    org.alice.save()
    Work.objects.filter(pk=ex.w2.pk).update(status=WorkStatus.IN_PROGRESS)
    ProgressReport.objects.create(
        work=ex.w2,
        month=timezone.localdate().replace(day=1),
        percent=55,
        text="联系人 13812345678 已到场",
        reported_by=org.alice,
    )
    client = Client()
    url = reverse("portal:commitment_list", args=[ex.clist.pk])
    assert url == f"/h5/commitments/{ex.clist.pk}/"
    with django_assert_num_queries(6):  # the list, its tree and the origins' counts
        response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert "农村道路" in text and "孙口镇桥梁维修" in text
    assert "13812345678" not in text
    assert "张爱丽" not in text and "alice" not in text
    assert ex.clist.title in client.get(reverse("portal:commitment_lists")).content.decode()
    # An unpublished list is not there.
    ex.clist.published = False
    ex.clist.save()
    assert client.get(url).status_code == 404
    assert ex.clist.title not in client.get(reverse("portal:commitment_lists")).content.decode()


def test_an_administrator_sets_up_a_list_through_the_pages(org: Org) -> None:
    ex = example(org)
    client = _client("adm")
    home = reverse("governance:commitment_home")
    response = client.post(
        home, {"year": "2027", "area": "410927000000", "title": "2027年民生实事"}
    )
    assert response.status_code == 302
    clist = CommitmentList.objects.get(title="2027年民生实事")
    list_url = reverse("governance:commitment_list", args=[clist.pk])
    assert client.post(list_url, {"action": "commitment", "title": "道路"}).status_code == 302
    commitment = Commitment.objects.get(clist=clist)
    detail = reverse("governance:commitment_detail", args=[commitment.pk])
    response = client.post(detail, {"title": "修路", "owner": "sunkou", "budget": "12.5"})
    assert response.status_code == 302
    work = Work.objects.get(commitment=commitment)
    work_url = reverse("governance:commitment_work", args=[work.pk])
    response = client.post(work_url, {"action": "new_task", "title": "路基", "weight": "2"})
    assert response.status_code == 302
    assert work.tasks.get().weight == 2
    assert client.post(list_url, {"action": "publish", "published": "1"}).status_code == 302
    clist.refresh_from_db()
    assert clist.published
    # Refusals: a Chinese message, status 400, nothing written.
    before = (CommitmentEvent.objects.count(), Commitment.objects.count(), Work.objects.count())
    response = client.post(list_url, {"action": "commitment", "title": "x", "origins": "NOPE1"})
    assert response.status_code == 400 and "没有这些工单" in response.content.decode()
    response = client.post(detail, {"title": "x", "owner": "nobody"})
    assert response.status_code == 400 and "没有这个责任单位" in response.content.decode()
    response = client.post(home, {"year": "1999", "area": "410927000000", "title": "x"})
    assert response.status_code == 400
    assert before == (
        CommitmentEvent.objects.count(),
        Commitment.objects.count(),
        Work.objects.count(),
    )
    # A handler sees no setup form and cannot post one.
    alice = _client("alice")
    assert 'value="commitment"' not in alice.get(list_url).content.decode()
    assert alice.post(list_url, {"action": "commitment", "title": "y"}).status_code == 400
    assert not Commitment.objects.filter(title="y").exists()
    assert ex.clist.pk != clist.pk


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_report_photo_staff_and_public(org: Org, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minsheng.governance.services import commitments as services

    settings.MEDIA_ROOT = str(tmp_path)
    ex = example(org)
    report = services.report_progress(
        actor=org.alice,
        work=ex.w1,
        month=timezone.localdate().strftime("%Y-%m"),
        percent="70",
        text="现场",
        photo=SimpleUploadedFile("site.png", _png(), "image/png"),
    )
    assert report.photo.name.endswith(".jpg")  # re-encoded as JPEG, without metadata
    staff = _client("lee").get(reverse("governance:commitment_photo", args=[report.pk]))
    assert staff.status_code == 200 and staff["Content-Type"] == "image/jpeg"
    public_url = reverse("portal:commitment_photo", args=[report.pk])
    assert Client().get(public_url).status_code == 200
    assert (
        public_url
        in Client().get(reverse("portal:commitment_list", args=[ex.clist.pk])).content.decode()
    )
    ex.clist.published = False
    ex.clist.save()
    assert Client().get(public_url).status_code == 404


def test_bad_form_input_is_never_a_500(org: Org) -> None:
    ex = example(org)
    client = _client("alice")
    url = reverse("governance:commitment_work", args=[ex.w1.pk])
    assert client.post(url, {"action": "task", "task": "abc", "progress": "1"}).status_code == 404
    assert client.post(url, {"action": "nothing"}).status_code == 404
    response = client.post(
        url, {"action": "report", "month": "junk", "percent": "１０", "text": "x"}
    )
    assert response.status_code == 400
    assert not ProgressReport.objects.filter(work=ex.w1).exists()


def test_origin_tickets_counted_without_personal_data(people: Any) -> None:
    from minsheng.governance.services import commitments as services
    from minsheng.tickets.models import Status, Ticket
    from tests.factories import new_ticket

    org = people.org
    ex = example(org)
    first = new_ticket(people)
    second = new_ticket(people, title="村口积水", citizen_name="李四", citizen_phone="13900001111")
    Ticket.objects.filter(pk=second.pk).update(status=Status.CLOSED)  # closed, as if handled
    response = _client("adm").post(
        reverse("governance:commitment_list", args=[ex.clist.pk]),
        {"action": "commitment", "title": "路灯", "origins": f"{first.number}，{second.number}"},
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get(clist=ex.clist, title="路灯")
    assert set(commitment.origin_tickets.values_list("pk", flat=True)) == {first.pk, second.pk}
    staff = _client("lee").get(reverse("governance:commitment_list", args=[ex.clist.pk]))
    assert '<strong id="origins">2 / 1</strong>' in staff.content.decode()
    public = Client().get(reverse("portal:commitment_list", args=[ex.clist.pk])).content.decode()
    assert "源自群众诉求 2 件，已办结 1 件" in public
    for secret in ("张三", "李四", "13900001111", first.number, second.number):
        assert secret not in public
    assert services.can_manage(ex.admin)


def test_an_administrator_edits_a_commitment_from_its_page(org: Org) -> None:
    ex = example(org)
    client = _client("adm")
    url = reverse("governance:commitment_detail", args=[ex.c2.pk])
    assert "修改这件实事" in client.get(url).content.decode()
    response = client.post(
        url,
        {"action": "edit", "title": "农村饮水安全", "description": "新建水厂", "weight": "3"},
    )
    assert response.status_code == 302
    ex.c2.refresh_from_db()
    assert (ex.c2.title, ex.c2.description, ex.c2.weight) == ("农村饮水安全", "新建水厂", 3)
    before = CommitmentEvent.objects.count()
    response = client.post(url, {"action": "edit", "title": "", "weight": "1"})
    assert response.status_code == 400
    response = client.post(url, {"action": "edit", "title": "饮水", "origins": "NOPE1"})
    assert response.status_code == 400 and "没有这些工单" in response.content.decode()
    ex.c2.refresh_from_db()
    assert ex.c2.title == "农村饮水安全" and CommitmentEvent.objects.count() == before
    # A handler may not.
    alice = _client("alice")
    assert "修改这件实事" not in alice.get(url).content.decode()
    assert alice.post(url, {"action": "edit", "title": "x"}).status_code == 400
    ex.c2.refresh_from_db()
    assert ex.c2.title == "农村饮水安全"
