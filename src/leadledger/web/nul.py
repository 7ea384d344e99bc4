"""Refuse a request carrying a NUL character in a query or form value, before any view reads it.

PostgreSQL cannot store NUL in text, so a search logged with one would fail as a server error there
(SQLite would keep it); no person types one. The request is answered 400 with a sentence in the
chosen language, on both databases alike.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

REFUSAL = gettext_noop("What was sent holds a control character (NUL) that cannot be saved. Remove it and try again.")


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for values in (request.GET, request.POST if request.method == "POST" else None):
            field = next((key for key in values or {} if any("\x00" in v for v in values.getlist(key))), None)
            if values is not None and field is not None:
                if request.path.startswith("/api/"):  # the API's own error shape (docs/api.md), documented as 400
                    return JsonResponse({"code": "nul", "message": _(REFUSAL), "field": field}, status=400)
                return HttpResponseBadRequest(_(REFUSAL), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
