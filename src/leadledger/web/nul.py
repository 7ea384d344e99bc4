"""Refuse a request carrying a NUL character in a query or form value, before any view reads it.

PostgreSQL cannot store NUL in text, so a search logged with one would fail as a server error there
(SQLite would keep it); no person types one. The request is answered 400 with a sentence in the
chosen language, on both databases alike.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

REFUSAL = gettext_noop("What was sent holds a control character (NUL) that cannot be saved. Remove it and try again.")


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for values in (request.GET, request.POST if request.method == "POST" else None):
            if values is not None and any("\x00" in value for key in values for value in values.getlist(key)):
                return HttpResponseBadRequest(_(REFUSAL), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
