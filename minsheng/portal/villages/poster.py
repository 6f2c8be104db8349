"""The poster's QR code, drawn here (segno: pure Python), never fetched from a service."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def board_url(request: HttpRequest, village_code: str) -> str:
    """The board's address as villagers reach it: MINSHENG_PUBLIC_URL when it is set (a poster
    printed from an intranet address would lead nowhere), else the address of this request."""
    path = reverse("portal:village_board", args=[village_code])
    base = str(settings.MINSHENG_PUBLIC_URL)
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _code(url: str) -> segno.QRCode:
    # Level M (15 % of the code may be soiled or torn): a poster on an outdoor board.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> SafeString:
    """The code as inline SVG, one path, scaled by CSS (no width or height of its own)."""
    svg = _code(url).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, dark="#000"
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="QR" ', 1))  # noqa: S308 (segno's own markup of a URL)


def qr_png(url: str, scale: int = 12) -> bytes:
    """The same code as a PNG (for a print shop, or to share)."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
