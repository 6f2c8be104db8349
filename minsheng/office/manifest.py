"""The web app manifest: staff add the back office to the phone's home screen (issue 23).

Served from the site's root so that its scope is the whole site; the icons are static files
(minsheng/static/icons/, drawn by scripts/make_icons.py). No service worker: every page is
the server's answer for the user logged in, and a cache on the phone could show a page of
another user after a logout.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    data = {
        "name": _("民生 · 12345 接诉即办"),
        "short_name": _("民生"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8fa",
        "theme_color": "#b4232a",
        "lang": getattr(request, "LANGUAGE_CODE", "zh-hans"),
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=86400"
    return response
