"""A database that cannot take writes (read-only, disk full) refuses the action in words, with 503.

Nothing is acknowledged that was not committed: the registration's transaction failed as a whole, so
the person is told it was not saved, in their language, and the page stays as it was. Every other
database error is left to Django (a server error, logged with its traceback).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# PostgreSQL's SQLSTATEs: read_only_sql_transaction, disk_full, insufficient_resources.
_PG_STATES = {"25006", "53100", "53000"}
# SQLite's messages for SQLITE_READONLY, SQLITE_FULL and SQLITE_IOERR.
_SQLITE_WORDS = ("readonly database", "database or disk is full", "disk i/o error")


def unwritable(error: BaseException) -> bool:
    """Whether a database error means the database cannot take writes now (not a bug in a query)."""
    for cause in (error, error.__cause__):
        if cause is None:
            continue
        if getattr(cause, "sqlstate", None) in _PG_STATES:
            return True
        if any(words in str(cause).lower() for words in _SQLITE_WORDS):
            return True
    return False


class UnwritableDatabaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError) or not unwritable(exception):
            return None
        message = _(
            "Not saved: the database cannot take new records right now (disk full or read-only). "
            "Nothing you entered was recorded; tell the system administrator, then try again."
        )
        if getattr(request, "htmx", False):
            return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        return render(request, "web/unwritable.html", {"message": message}, status=503)
