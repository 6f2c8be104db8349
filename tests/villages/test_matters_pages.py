"""四议两公开's pages: they render, their query counts are pinned, and a refusal shows the law's
rule in Chinese and stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from minsheng.villages.models import Matter, RegisterCount, Representative, Step
from minsheng.villages.services import matters
from tests.conftest import PASSWORD
from tests.villages.test_matters import (
    QIAOBEI,
    SUNKOU,
    Village,
    decide,
    fill_registers,
    make_villages,
    open_matter,
    through_three,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def v() -> Village:
    village = make_villages()
    fill_registers(village.clerk)
    fill_registers(village.other_clerk, QIAOBEI, representatives=3)
    return village


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)


def step_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "action": "step",
        "meeting": "representatives",
        "held_on": "2026-03-20",
        "present": "20",
        "households_present": "",
        "votes_for": "20",
        "votes_against": "0",
        "votes_abstain": "0",
        "outcome": "passed",
        "resolution": "硬化村西主干道 1.2 公里。",
        "minutes": "",
    }
    data.update(overrides)
    return data


def test_the_clerk_lands_on_the_village_and_opens_a_matter(client, v):
    login(client, v.clerk)
    response = client.get(reverse("villages:matter_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("villages:matter_village", args=[SUNKOU])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "新建事项" in page.content.decode()
    response = client.post(
        reverse("villages:matter_village", args=[SUNKOU]),
        {"title": "村西主干道硬化", "kind": "road", "description": "全长 1.2 公里"},
    )
    matter = Matter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("villages:matter_detail", args=[matter.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "村西主干道硬化" in detail
    assert "下一步：① 村党组织提议" in detail
    # The expected number is the register's, shown, not a field.
    assert 'name="expected"' not in detail
    # An empty title is refused on the page.
    response = client.post(
        reverse("villages:matter_village", args=[SUNKOU]), {"title": " ", "kind": "road"}
    )
    assert response.status_code == 400
    assert Matter.objects.count() == 1


def test_a_refusal_shows_the_laws_rule_in_chinese_and_stores_nothing(client, v):
    matter = open_matter(v.clerk)
    through_three(v.clerk, matter)
    matter.refresh_from_db()
    login(client, v.clerk)
    steps = Step.objects.count()
    response = client.post(
        reverse("villages:matter_detail", args=[matter.pk]),
        step_post(revision=matter.revision),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "村民代表会议须有三分之二以上组成人员到会：应到 31 人，实到 20 人，至少需 21 人" in text
    assert "本次记录未保存" in text
    assert Step.objects.count() == steps
    # A majority that fails, declared passed: the majority's rule, and how to record it failed.
    response = client.post(
        reverse("villages:matter_detail", args=[matter.pk]),
        step_post(present="22", votes_for="11", votes_against="11", revision=matter.revision),
    )
    assert response.status_code == 400
    assert "决定须经到会人员过半数同意：到会 22 人，赞成 11 票，至少需 12 票" in (
        response.content.decode()
    )
    assert Step.objects.count() == steps
    # Declared failed, it is stored as failed; the matter stays at ④.
    response = client.post(
        reverse("villages:matter_detail", args=[matter.pk]),
        step_post(
            present="22",
            votes_for="11",
            votes_against="11",
            outcome="failed",
            revision=matter.revision,
        ),
    )
    assert response.status_code == 302
    assert Step.objects.filter(number=4, outcome="failed").count() == 1
    matter.refresh_from_db()
    assert matter.next_step == 4


def test_recording_through_the_page_with_a_file(client, v, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    matter = open_matter(v.clerk)
    login(client, v.clerk)
    response = client.post(
        reverse("villages:matter_detail", args=[matter.pk]),
        {
            "action": "step",
            "meeting": "branch",
            "held_on": "2026-03-01",
            "present": "5",
            "votes_for": "5",
            "votes_against": "0",
            "votes_abstain": "0",
            "outcome": "passed",
            "minutes": "支委会一致同意提议。",
            "revision": str(matter.revision),
            "attachments": [SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 x")],
        },
    )
    assert response.status_code == 302, response.content.decode()
    step = Step.objects.get()
    assert step.expected == 5 and step.files.count() == 1
    file_url = reverse("villages:matter_file", args=[step.files.get().pk])
    assert (
        file_url in client.get(reverse("villages:matter_detail", args=[matter.pk])).content.decode()
    )
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # Another village's clerk gets 404 for the file as for the matter.
    client.logout()
    login(client, v.other_clerk)
    assert client.get(file_url).status_code == 404


def test_a_correction_through_the_page(client, v):
    matter = open_matter(v.clerk)
    first = matters.step_record(
        actor=v.clerk,
        matter_id=matter.pk,
        number=1,
        vote=matters.Vote("branch", D(2026, 3, 1), 5, 5, 0, 0, "passed"),
    )
    matter.refresh_from_db()
    login(client, v.clerk)
    prefix = f"c{first.pk}-"
    response = client.post(
        reverse("villages:matter_detail", args=[matter.pk]),
        {
            "action": "correct",
            "step_id": str(first.pk),
            prefix + "revision": str(matter.revision),
            prefix + "reason": "实到人数录错",
            prefix + "meeting": "branch",
            prefix + "held_on": "2026-03-01",
            prefix + "present": "4",
            prefix + "votes_for": "4",
            prefix + "votes_against": "0",
            prefix + "votes_abstain": "0",
            prefix + "outcome": "passed",
        },
    )
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("villages:matter_detail", args=[matter.pk])).content.decode()
    assert "更正上一条记录，原因：实到人数录错" in page
    assert "已于" in page and "更正" in page
    assert Step.objects.count() == 2


def test_scoping_on_pages(client, v):
    matter = open_matter(v.clerk)
    login(client, v.other_clerk)
    assert client.get(reverse("villages:matter_detail", args=[matter.pk])).status_code == 404
    assert client.get(reverse("villages:matter_village", args=[SUNKOU])).status_code == 404
    assert client.get(reverse("villages:matter_registers", args=[SUNKOU])).status_code == 404
    response = client.post(reverse("villages:matter_detail", args=[matter.pk]), step_post())
    assert response.status_code == 404
    client.logout()
    # The township's reviewer reads, and has no forms.
    login(client, v.reviewer)
    page = client.get(reverse("villages:matter_detail", args=[matter.pk]))
    assert page.status_code == 200
    assert "保存记录" not in page.content.decode()
    response = client.post(
        reverse("villages:matter_detail", args=[matter.pk]),
        {**step_post(), "meeting": "branch", "present": "5", "votes_for": "5"},
    )
    assert response.status_code == 404
    assert not Step.objects.exists()
    client.logout()
    login(client, v.other_reviewer)
    assert client.get(reverse("villages:matter_detail", args=[matter.pk])).status_code == 404
    # Someone without a village role: no overview at all.
    client.logout()
    from tests.conftest import make_user

    make_user("nobody", None)
    login(client, type("U", (), {"username": "nobody"}))
    assert client.get(reverse("villages:matter_overview")).status_code == 403


def test_the_registers_page(client, v):
    login(client, v.clerk)
    url = reverse("villages:matter_registers", args=[SUNKOU])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "村民代表会议组成人员（今天 31 人）" in text
    assert "45（2026-01-01 起）" in text
    response = client.post(
        url,
        {"action": "count", "kind": "party", "value": "51", "effective_from": "2026-04-01"},
    )
    assert response.status_code == 302
    assert RegisterCount.objects.filter(board_id=SUNKOU, kind="party").count() == 2
    response = client.post(url, {"action": "rep_add", "name": "张三", "from_date": "2026-04-01"})
    assert response.status_code == 302
    rep = Representative.objects.get(name="张三")
    response = client.post(
        url, {"action": "rep_remove", "representative": str(rep.pk), "until_date": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "离任日期应晚于任职日期 2026-04-01" in response.content.decode()
    # A number typed in other digits is refused by the form.
    response = client.post(
        url, {"action": "count", "kind": "party", "value": "５１", "effective_from": "2026-04-01"}
    )
    assert response.status_code == 400
    assert RegisterCount.objects.filter(board_id=SUNKOU, kind="party").count() == 2


def _many(clerk, n: int, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        open_matter(clerk, f"事项{start + i}")


# Session, user, role grants, unit, division, the page's own reads, the inbox badge.
QUERIES = {"overview": 8, "village": 9, "registers": 9, "detail": 11}


def test_list_pages_have_pinned_query_counts(client, v, django_assert_max_num_queries):
    _many(v.clerk, 3)
    matters.matter_open(actor=v.other_clerk, village_code=QIAOBEI, title="低保评议", kind="dibao")
    login(client, v.reviewer)
    urls = {
        "overview": reverse("villages:matter_overview"),
        "village": reverse("villages:matter_village", args=[SUNKOU]),
        "registers": reverse("villages:matter_registers", args=[SUNKOU]),
    }
    for name, url in urls.items():
        with django_assert_max_num_queries(QUERIES[name]):
            assert client.get(url).status_code == 200
    # Seven times the matters, more register rows: the same number of queries.
    _many(v.clerk, 20, start=3)
    fill_registers(v.clerk, representatives=10)
    for name, url in urls.items():
        with django_assert_max_num_queries(QUERIES[name]):
            page = client.get(url)
        assert page.status_code == 200
    assert "事项22" in client.get(urls["overview"]).content.decode()


def test_the_matter_page_has_a_pinned_query_count(client, v, django_assert_max_num_queries):
    matter = open_matter(v.clerk)
    through_three(v.clerk, matter)
    login(client, v.clerk)
    url = reverse("villages:matter_detail", args=[matter.pk])
    with django_assert_max_num_queries(QUERIES["detail"]):
        assert client.get(url).status_code == 200
    # A fourth step and its correction: still the same.
    step = decide(v.clerk, matter)
    matters.step_correct(
        actor=v.clerk,
        step_id=step.pk,
        reason="弃权票录错",
        vote=matters.Vote(
            "representatives", D(2026, 3, 20), 25, 20, 2, 3, "passed", resolution="硬化"
        ),
    )
    with django_assert_max_num_queries(QUERIES["detail"]):
        page = client.get(url)
    assert "实施结果" in page.content.decode()


def test_the_overview_flags_stuck_matters(client, v, settings):
    settings.MINSHENG_VILLAGE_MATTER_STUCK_DAYS = 30
    old = open_matter(v.clerk, "等了很久的事")
    open_matter(v.clerk, "刚开始的事")
    Matter.objects.filter(pk=old.pk).update(step_since=timezone.now() - dt.timedelta(days=40))
    login(client, v.reviewer)
    page = client.get(reverse("villages:matter_overview")).content.decode()
    assert "等了很久的事" in page and "刚开始的事" in page
    assert page.count('<span class="flag">停滞</span>') == 1
    stuck_only = client.get(reverse("villages:matter_overview"), {"stuck": "on"}).content.decode()
    assert "等了很久的事" in stuck_only and "刚开始的事" not in stuck_only


PROBES = ["\x00", "x" * 20_000, "😀" * 500, "<script>alert(1)</script>", "١٢", "-1", "9" * 40, ""]


def test_bad_input_never_answers_500_nor_stores(client, v):
    matter = open_matter(v.clerk)
    login(client, v.clerk)
    url = reverse("villages:matter_detail", args=[matter.pk])
    fields = ["meeting", "held_on", "present", "votes_for", "votes_against", "outcome", "revision"]
    for field in fields:
        for value in PROBES:
            data = {
                **step_post(meeting="branch", present="2", votes_for="2"),
                "revision": str(matter.revision),
            }
            data[field] = value
            response = client.post(url, data)
            assert response.status_code in (302, 400, 404), (field, value)
    registers = reverse("villages:matter_registers", args=[SUNKOU])
    for field in ["kind", "value", "effective_from", "note"]:
        for value in PROBES:
            data = {
                "action": "count",
                "kind": "party",
                "value": "3",
                "effective_from": "2026-01-02",
            }
            data[field] = value
            assert client.post(registers, data).status_code in (302, 400), (field, value)
    for value in PROBES:
        response = client.post(url, {"action": "correct", "step_id": value})
        assert response.status_code in (400, 404)
    # 2 of 5 is below the quorum whatever else was typed: no step was stored.
    assert not Step.objects.exists()
