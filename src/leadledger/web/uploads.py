"""Refuse an upload over the limit from its declared length, before a byte of it is read.

Django parses a form's body the first time anything reads `request.POST` (a middleware, the CSRF
check), writing a file part to a temporary file: a 6 GB upload would be received, and written,
before the form could say it is too large. This middleware looks at `Content-Length` first and
answers an upload over `LEADLEDGER_UPLOAD_MAX_BYTES` (the import's limit and a margin for the
form's other fields) with a redirect to the same page, which says the limit next to the field
(`?too_large=<bytes>`); nothing of the body is parsed or kept. The page's script says the same
before a browser sends such a file at all. A body without a length (chunked) is read by Django only as far as
the WSGI server gives it; the form still checks the file's size.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

MARGIN = 64 * 1024  # the form's other fields and the multipart boundaries
# A browser that is answered before it has sent its body shows "connection reset", not the answer.
# A body up to this many times the limit is read and thrown away, 64 KB at a time (never kept in
# memory or on disk), so that the page can say why; a larger one is cut off unread.
DRAINED = 4


def _drain(request: HttpRequest) -> None:
    while request.read(64 * 1024):
        pass


def upload_limit() -> int:
    """The largest request body with a file that is read at all (LEADLEDGER_UPLOAD_MAX_BYTES)."""
    default = settings.LEADLEDGER_IMPORT_MAX_BYTES + MARGIN
    return int(getattr(settings, "LEADLEDGER_UPLOAD_MAX_BYTES", None) or default)


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            limit = upload_limit()
            if declared > limit:
                if declared <= DRAINED * limit:
                    _drain(request)
                response = HttpResponseRedirect(f"{request.path}?too_large={declared}", status=303)
                response["Connection"] = "close"
                return response
        return self.get_response(request)
