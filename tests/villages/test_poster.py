"""The printable poster: the village, its township, the call to scan, and a QR code drawn on the
server that really decodes (zxing-cpp) to the board's address — from the page's own inline SVG
(rasterised here) and from the PNG."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from django.test import Client
from PIL import Image, ImageDraw

from tests.villages.public_helpers import VILLAGE, places

pytestmark = pytest.mark.django_db

SCALE = 8


def rasterise(svg: str) -> Image.Image:
    """Draw segno's inline SVG (a viewBox and one path of M/m moves and h runs, each run one
    module high, drawn with a 1-unit stroke at y + 0.5) as a black-on-white bitmap."""
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    path = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert box is not None and path is not None, svg[:300]
    width, height = int(box.group(1)), int(box.group(2))
    image = Image.new("L", (width * SCALE, height * SCALE), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for op, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", path.group(1)):
        nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if op == "M":
            x, y = nums[0], nums[1]
        elif op == "m":
            x, y = x + nums[0], y + nums[1]
        elif op in "hH":
            end = x + nums[0] if op == "h" else nums[0]
            top = y - 0.5
            draw.rectangle(
                [min(x, end) * SCALE, top * SCALE, max(x, end) * SCALE - 1, (top + 1) * SCALE - 1],
                fill=0,
            )
            x = end
        else:
            raise AssertionError(f"unexpected path command {op}")
    return image


def decoded(image: Image.Image) -> list[str]:
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def test_the_posters_qr_code_decodes_to_the_boards_address(client: Client) -> None:
    places()
    response = client.get(f"/h5/villages/{VILLAGE}/poster/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "孙口村" in html and "孙口镇" in html and "扫码查看本村村务公开" in html
    svg = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", html, re.S)
    assert svg is not None
    url = f"http://testserver/h5/villages/{VILLAGE}/"
    assert decoded(rasterise(svg.group(0))) == [url]
    png = client.get(f"/h5/villages/{VILLAGE}/poster/qr.png")
    assert png["Content-Type"] == "image/png"
    assert decoded(Image.open(io.BytesIO(png.content))) == [url]


def test_the_public_address_is_used_when_it_is_configured(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    places()
    settings.MINSHENG_PUBLIC_URL = "https://12345.taiqian.gov.cn"
    html = client.get(f"/h5/villages/{VILLAGE}/poster/").content.decode()
    svg = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", html, re.S)
    assert svg is not None
    url = f"https://12345.taiqian.gov.cn/h5/villages/{VILLAGE}/"
    assert decoded(rasterise(svg.group(0))) == [url]
    assert url in html


def test_the_poster_is_a_4_for_print(client: Client) -> None:
    """The print stylesheet: A4, without the site's header and footer."""
    from django.contrib.staticfiles import finders

    found = finders.find("portal/portal.css")
    assert found is not None
    with open(found, encoding="utf-8") as css:
        text = css.read()
    block = text[text.index("@media print") :]
    assert "size:A4" in block and ".bar,.foot,.no-print{display:none" in block


def test_an_unknown_village_has_no_poster(client: Client) -> None:
    places()
    assert client.get("/h5/villages/410928100201/poster/").status_code == 404
    assert client.get("/h5/villages/410927102999/poster/qr.png").status_code == 404
