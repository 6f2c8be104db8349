"""The map on the report page: only where a tile source is configured; a tapped point is kept
in WGS-84; the tile server is allowed as an image source in the page's CSP, nothing more."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from minsheng.core.middleware import tile_origin
from minsheng.tickets.models import Ticket
from tests.conftest import Org
from tests.portal.conftest import VILLAGE, prove
from tests.portal.test_report_track_rate import report

TILES = "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&z={z}&tk=KEY"


def test_no_tile_source_means_no_map(county: Org, client: Client) -> None:
    prove(client)
    page = client.get("/h5/report/")
    html = page.content.decode()
    assert 'id="report-map"' not in html and "leaflet" not in html
    assert "img-src 'self' data:" in page["Content-Security-Policy"]


def test_a_tile_source_brings_the_map_and_its_origin_into_the_csp(
    county: Org, client: Client, settings: object
) -> None:
    settings.MINSHENG_MAP_TILES = TILES  # type: ignore[attr-defined]
    settings.MINSHENG_MAP_SUBDOMAINS = "0,1,2"  # type: ignore[attr-defined]
    prove(client)
    page = client.get("/h5/report/")
    html = page.content.decode()
    assert 'id="report-map"' in html and 'data-datum="wgs84"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "portal_map.js" in html
    policy = page["Content-Security-Policy"]
    assert "img-src 'self' https://*.tianditu.gov.cn data:" in policy
    assert "script-src 'self';" in policy  # scripts stay local


def test_tile_origins() -> None:
    assert tile_origin(TILES) == "https://*.tianditu.gov.cn"
    assert tile_origin("/tiles/{z}/{x}/{y}.png") == ""
    assert tile_origin("http://tiles.example.org:8080/{z}/{x}/{y}.png") == (
        "http://tiles.example.org:8080"
    )
    assert tile_origin("javascript:alert(1)") == ""


def test_a_tapped_point_is_kept(county: Org, client: Client) -> None:
    prove(client)
    report(client, lat="35.962311", lng="115.871402")
    ticket = Ticket.objects.get()
    assert ticket.lat == Decimal("35.962311") and ticket.lng == Decimal("115.871402")
    assert ticket.division_id == VILLAGE


@pytest.mark.parametrize(
    ("lat", "lng"), [("1_0", "115.8"), ("95", "115.8"), ("35.9", ""), ("NaN", "1"), ("３５", "1")]
)
def test_a_bad_point_is_refused_and_nothing_is_written(
    county: Org, client: Client, lat: str, lng: str
) -> None:
    prove(client)
    response = report(client, lat=lat, lng=lng)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "地图上的位置无效" in response.content.decode()  # type: ignore[attr-defined]
    assert not Ticket.objects.exists()
