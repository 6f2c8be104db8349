"""The language a page is served in: the user's explicit choice, otherwise LANGUAGE_CODE.

Django's LocaleMiddleware also follows the browser's Accept-Language header. We deliberately do
not: a hotline is staffed on whatever machines the county owns, many with an English-language
browser or OS, and the deployment's language (LANGUAGE_CODE, zh-hans by default) must not change
under an operator because of that. Switching is explicit: the language form in the page header
posts to Django's set_language view, which stores the choice in the language cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
