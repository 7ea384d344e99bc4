"""The language of a page: Chinese, whatever the browser says, unless the person chose another from the menu.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an English browser in a
Chinese sales office would get English pages nobody chose. Here only a choice made from the menu
changes it, and the choice is the person's (decision 340): kept for them (`LanguageChoice`) and put in
their session when they sign in, so it follows them to another device and does not pass to the next
person who signs in at a shared desk tablet. Signed out, the browser's last choice (a cookie kept a
year) decides the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from leadledger.ledger.models import LanguageChoice

# The session's language: the person's, set at sign-in and by the menu.
SESSION_KEY = "leadledger_language"
# Set when the menu is used in this session before signing in: the choice becomes the person's at sign-in.
CHOSEN_SIGNED_OUT = "leadledger_language_chosen"


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def chosen_language(request: HttpRequest) -> str:
    """The person's language in this session, else the browser's last menu choice, else the default."""
    session = getattr(request, "session", None)
    in_session = _supported(session.get(SESSION_KEY)) if session is not None else None
    return in_session or _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activates the chosen language for the request, in place of Django's LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        session = getattr(request, "session", None)
        theirs = session.get(SESSION_KEY) if session is not None else None
        if theirs and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != theirs:
            _cookie(response, theirs)  # the sign-in page after they leave reads as they last did
        patch_vary_headers(response, ("Cookie",))  # the page depends on the language cookie and the session
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def _cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def language_remember(user: Any, language: str) -> None:
    """Keeps a signed-in person's choice for their next sign-in, on any device."""
    LanguageChoice.objects.update_or_create(user=user, defaults={"language": language})


def language_of(user: Any) -> str | None:
    """The language the person chose, if they ever did."""
    found = LanguageChoice.objects.filter(user=user).values_list("language", flat=True).first()
    return _supported(found)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The menu's language form: Django's `set_language` (the cookie, the redirect), then the person's choice."""
    response = set_language(request)
    chosen = _supported(request.POST.get("language"))
    if chosen:
        request.session[SESSION_KEY] = chosen
        if request.user.is_authenticated:
            language_remember(request.user, chosen)
        else:
            request.session[CHOSEN_SIGNED_OUT] = True
    return response


@receiver(user_logged_in, dispatch_uid="leadledger.language_at_sign_in")
def _language_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At sign-in the session takes the person's language: chosen just now on the sign-in page (kept as
    theirs), else the one they chose before, else the project's default; never the previous person's."""
    if request is None or not hasattr(request, "session"):
        return
    just_chosen = request.session.pop(CHOSEN_SIGNED_OUT, False) and _supported(request.session.get(SESSION_KEY))
    if just_chosen:
        language_remember(user, just_chosen)
        return
    request.session[SESSION_KEY] = language_of(user) or settings.LANGUAGE_CODE
