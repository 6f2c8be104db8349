"""专项行动 pages: the list, the dashboard with the seed's numbers, the Excel export, the phone
entry form and the inspection form; who sees what (404 outside); pinned query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from minsheng.governance.models import CampaignEvent, Entry, Inspection
from minsheng.governance.services import campaigns as services
from tests.governance.campaign_helpers import Upload, World, jpeg
from tests.governance.campaign_helpers import world as world

pytestmark = pytest.mark.django_db

D = dt.date


def seed_numbers(w: World, *, days: int = 4) -> None:
    """82% → 98% from inspections; 217 traders and 312 heaps from entries over `days` days."""
    add = services.inspection_record
    add(actor=w.team, indicator=w.rate, day=D(2026, 5, 6), place="孙口大街", checked=50, passing=41)
    add(
        actor=w.team,
        indicator=w.rate,
        day=D(2026, 10, 20),
        place="金堤路",
        checked=50,
        passing=49,
        village=w.v1,
    )
    traders = [217 // days] * days
    traders[-1] += 217 - sum(traders)
    heaps = [312 // days] * days
    heaps[-1] += 312 - sum(heaps)
    for i in range(days):
        day = D(2026, 6, 1) + dt.timedelta(days=i % 120)
        services.entry_add(
            actor=w.team,
            indicator=w.traders,
            day=day,
            unit=w.zfdd,
            count=traders[i],
            village=w.v1 if i % 2 else w.v2,
            place="孙口集",
        )
        services.entry_add(
            actor=w.station,
            indicator=w.heaps,
            day=day,
            unit=w.nyfw,
            count=heaps[i],
            village=w.v2,
            place="村口",
        )


def test_the_dashboard_shows_the_seed_numbers(client, world: World) -> None:  # type: ignore[no-untyped-def]
    seed_numbers(world)
    client.force_login(world.secretary)
    page = client.get(reverse("governance:campaign_detail", args=[world.campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "人居环境整治提升攻坚" in html
    assert "98.0%" in html and "基线 82% → 目标 98%" in html
    assert "49 / 50" in html
    assert "217" in html and "312" in html
    assert "孙口镇农业服务中心" in html and "孙码头村" in html
    assert 'style="width:100%"' in html
    listing = client.get(reverse("governance:campaign_list")).content.decode()
    assert "人居环境整治提升攻坚" in listing and "孙口镇人民政府" in listing


def test_the_export_holds_progress_entries_and_inspections(client, world: World) -> None:  # type: ignore[no-untyped-def]
    seed_numbers(world)
    services.entry_add(
        actor=world.team,
        indicator=world.traders,
        day=D(2026, 7, 1),
        unit=world.zfdd,
        count=1,
        note='=HYPERLINK("http://x")',
    )
    client.force_login(world.county_leader)
    response = client.get(reverse("governance:campaign_export", args=[world.campaign.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert summary[1][:5] == ["主次干道保洁达标率", "达标率", "82%", "98%", "98.0%"]
    assert summary[2][3:6] == ["217", "218", 100.0]
    entries = list(book.worksheets[1].iter_rows(values_only=True))
    assert len(entries) == 1 + 8 + 1
    assert sum(int(r[4]) for r in entries[1:]) == 217 + 312 + 1
    assert any(r[6] == '=HYPERLINK("http://x")' for r in entries)  # text, never a formula
    assert book.worksheets[1]["G10"].data_type == "s"
    checks = list(book.worksheets[2].iter_rows(values_only=True))
    assert [r[4:6] for r in checks[1:]] == [(50, 41), (50, 49)]


def test_outsiders_get_404(client, world: World) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.outsider)
    pk = world.campaign.pk
    for name in (
        "campaign_detail",
        "campaign_export",
        "campaign_entry_new",
        "campaign_inspection_new",
    ):
        assert client.get(reverse(f"governance:{name}", args=[pk])).status_code == 404
    assert "人居环境" not in client.get(reverse("governance:campaign_list")).content.decode()


def test_a_team_member_adds_an_entry_with_a_photo(client, world: World, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    w = world
    client.force_login(w.team)
    url = reverse("governance:campaign_entry_new", args=[w.campaign.pk])
    form = client.get(url).content.decode()
    assert 'accept="image/*"' in form and "capture" in form
    assert "孙口镇综合行政执法大队" in form and "孙口镇农业服务中心" not in form  # his unit only
    response = client.post(
        url,
        {
            "indicator": w.traders.pk,
            "unit": w.zfdd.pk,
            "day": "2026-06-02",
            "count": "12",
            "village": w.v1.code,
            "place": "孙口集东头",
            "note": "",
            "photo": Upload(jpeg().getvalue()),
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.count, entry.unit, entry.village, entry.entered_by) == (12, w.zfdd, w.v1, w.team)
    assert entry.photo.name.endswith(".jpg")
    assert "已填报" in client.get(url).content.decode()


def test_refused_forms_write_nothing_and_say_why(client, world: World) -> None:  # type: ignore[no-untyped-def]
    w = world
    before = CampaignEvent.objects.count()
    client.force_login(w.team)
    url = reverse("governance:campaign_entry_new", args=[w.campaign.pk])
    page = client.post(
        url, {"indicator": w.traders.pk, "unit": w.zfdd.pk, "day": "2027-01-02", "count": "3"}
    )
    assert page.status_code == 200 and "日期须在行动期间内" in page.content.decode()
    page = client.post(
        url, {"indicator": w.traders.pk, "unit": w.nyfw.pk, "day": "2026-06-02", "count": "3"}
    )  # not a unit he may enter for: not among the choices
    assert page.status_code == 200
    url = reverse("governance:campaign_inspection_new", args=[w.campaign.pk])
    page = client.post(
        url,
        {
            "indicator": w.rate.pk,
            "day": "2026-06-02",
            "place": "金堤路",
            "checked": "20",
            "passing": "21",
        },
    )
    assert page.status_code == 200 and "达标点位数不能超过抽查点位数" in page.content.decode()
    assert CampaignEvent.objects.count() == before
    assert not Entry.objects.exists() and not Inspection.objects.exists()
    page = client.post(
        url,
        {
            "indicator": w.rate.pk,
            "day": "2026-06-02",
            "place": "金堤路",
            "checked": "20",
            "passing": "19",
        },
    )
    assert page.status_code == 302 and Inspection.objects.get().passing == 19


# Session, user, role grants; the campaigns (list); the campaign, its units, indicators, the progress' four
# reads, the latest entries and inspections, the tagged tickets' count and latest; the inbox badge.
QUERIES = {"list": 6, "detail": 16}


def test_pages_have_pinned_query_counts(
    client, world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    w = world
    seed_numbers(w, days=4)
    client.force_login(w.secretary)
    urls = {
        "list": reverse("governance:campaign_list"),
        "detail": reverse("governance:campaign_detail", args=[w.campaign.pk]),
    }
    for name, url in urls.items():
        with django_assert_max_num_queries(QUERIES[name]):
            assert client.get(url).status_code == 200
    seed_numbers(w, days=40)  # ten times the entries, more days: the same number of queries
    for name, url in urls.items():
        with django_assert_max_num_queries(QUERIES[name]):
            assert client.get(url).status_code == 200


def test_the_nav_shows_campaigns_to_township_staff(client, world: World) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.team)
    assert "专项行动" in client.get("/").content.decode()


def test_photos_are_served_to_those_who_see_the_campaign(
    client, world: World, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    w = world
    entry = services.entry_add(
        actor=w.team,
        indicator=w.traders,
        day=D(2026, 6, 1),
        unit=w.zfdd,
        count=2,
        photo=Upload(jpeg().getvalue()),
    )
    url = reverse("governance:campaign_photo", args=[w.campaign.pk, "entry", entry.pk])
    client.force_login(w.station)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    page = client.get(reverse("governance:campaign_detail", args=[w.campaign.pk]))
    assert url in page.content.decode()
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    client.force_login(w.station)
    other = reverse("governance:campaign_photo", args=[w.campaign.pk, "inspection", entry.pk])
    assert client.get(other).status_code == 404
