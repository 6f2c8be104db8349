"""The language a page is served in: the user's explicit choice, otherwise LANGUAGE_CODE.

Django's LocaleMiddleware also follows the browser's Accept-Language header. We deliberately do
not: a hotline is staffed on whatever machines the county owns, many with an English-language
browser or OS, and the deployment's language (LANGUAGE_CODE, zh-hans by default) must not change
under an operator because of that. Switching is explicit: the language form in the page header
posts to Django's set_language view, which stores the choice in the language cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from minsheng.core.errors import error_response, interface_of


def chosen_language(request: HttpRequest) -> str:
    """The language code for this request: a valid cookie choice, else LANGUAGE_CODE."""
    choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if choice:
        try:
            # Only the languages in LANGUAGES that have a catalogue; anything else is ignored.
            return translation.get_supported_language_variant(choice)
        except LookupError:
            pass
    return str(settings.LANGUAGE_CODE)


class LanguageMiddleware:
    """Activate the chosen language for the request (replaces Django's LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The same URL renders differently per language cookie: caches must key on it.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query or a posted form field of a page holds a NUL character.

    Under /api/ only the path is looked at: its serializers refuse a NUL in a parameter or a
    body field by name (DRF's CharField), and its bodies are JSON. Open311 checks its own
    parameters and answers an unknown request id, NUL or not, with the spec's 404."""
    kind = interface_of(request.path)
    if kind == "open311":
        return False
    if NUL in request.path:
        return True
    if kind == "api":
        return False
    if any(NUL in key or any(NUL in v for v in values) for key, values in request.GET.lists()):
        return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return any(
            NUL in key or any(NUL in v for v in values) for key, values in request.POST.lists()
        )
    return False


class RejectNulMiddleware:
    """Refuse a request whose URL or form holds a NUL character, with a 400 in the format of
    the interface. No input of Minsheng can contain one, and PostgreSQL cannot store or even
    compare text that does: left to the views, `/tickets/a%00/` fails inside a query as a 500.
    One check at the door instead of one in every view (JSON bodies: minsheng.api.parsers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if has_nul(request):
            return error_response(request, 400, str(_("请求中含有无效字符（NUL），已拒绝。")))
        return self.get_response(request)


class DropNulCookiesMiddleware:
    """Forget any cookie whose value holds a NUL character, before the session reads its key:
    no cookie of ours can contain one, and a session key with a NUL fails inside PostgreSQL's
    query as a 500. A forged cookie is treated as no cookie (an anonymous request), which is
    what it is. Placed before SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if any("\x00" in value for value in request.COOKIES.values()):
            request.COOKIES = {k: v for k, v in request.COOKIES.items() if "\x00" not in v}
        return self.get_response(request)


# Every page uses local scripts only (static files, no inline script, no CDN), so scripts may
# come from this origin alone: an injected <script> or onclick runs nowhere. Styles allow
# inline `style` attributes, which a few templates and the chart library set. The API's
# documentation pages (Swagger UI, Redoc, third-party) start with an inline script and Redoc
# runs a worker from a blob, so those two paths are allowed that much more.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
API_DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:"
)
API_DOCS_PATHS = ("/api/v1/docs/", "/api/v1/redoc/")


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy (and keep one a view set itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = API_DOCS_POLICY if request.path in API_DOCS_PATHS else CONTENT_SECURITY_POLICY
        tiles = tile_origin(str(settings.MINSHENG_MAP_TILES))
        if tiles:  # the map's tiles are images from the configured tile server, nothing more
            policy = policy.replace("img-src 'self'", f"img-src 'self' {tiles}")
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


def tile_origin(template: str) -> str:
    """The origin(s) of an XYZ tile template for img-src: "https://t0.example.cn" or, with a
    {s} subdomain placeholder, "https://*.example.cn"; "" for a local path or none."""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname
    if "{s}" in template.split("//", 1)[1].split("/", 1)[0]:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"
