"""The facility's QR code, drawn here (segno: pure Python), never fetched from a service; as
the village posters' (portal/villages/poster.py), which this app may not import (the portal is
a layer above)."""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def public_url(request: HttpRequest, public_code: str) -> str:
    """The QR page's address as citizens reach it: MINSHENG_PUBLIC_URL when set, else this
    request's (a sign printed from an intranet address would lead nowhere)."""
    path = reverse("portal:facility", args=[public_code])
    base = str(settings.MINSHENG_PUBLIC_URL)
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def qr_svg(url: str) -> SafeString:
    """Inline SVG, one path, scaled by CSS; level M: a sign on a toilet's wall gets soiled."""
    svg = segno.make(url, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, dark="#000"
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="QR" ', 1))  # noqa: S308 (segno's own markup of a URL)
