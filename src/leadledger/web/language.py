"""The language of a page: Chinese, whatever the browser says, unless the person chose another from the menu.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an English browser in a
Chinese sales office would get English pages nobody chose. Here only the language cookie that the
menu's form sets (Django's `set_language` view) can change it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    """The language chosen from the menu, if it is one we speak; otherwise the default (LANGUAGE_CODE)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activates the chosen language for the request, in place of Django's LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))  # the page depends on the language cookie
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
