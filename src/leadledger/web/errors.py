"""Error pages in the user's language, inside the app's layout (handler400/403/404/500, CSRF_FAILURE_VIEW).

The 500 page may be drawn when the database is down or the request half-built: it renders from the
template alone, with no request context and nothing read from the database, and falls back to a plain
sentence if even that fails.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger("leadledger.errors")


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


@requires_csrf_token
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    log.warning("CSRF refused: %s %s (%s)", request.method, request.path, reason)
    return render(request, "403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({}))
    except Exception:  # the layout itself failed (a broken URLconf, a missing static manifest)
        log.exception("the 500 page could not be drawn")
        return HttpResponseServerError(
            "<!doctype html><meta charset=utf-8><h1>服务器出错 / Server error</h1>",
            content_type="text/html; charset=utf-8",
        )
