"""Errors as JSON, in the caller's language, each with a stable code: 4xx for anything a caller can send."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from leadledger.channel.distributors import Paused
from leadledger.engine.errors import DomainError
from leadledger.ledger.lookups import LookupRefused

from .speech import lang_of

# code: (HTTP status, Chinese, English) for the errors that are not a service's DomainError.
FIXED: dict[str, tuple[int, str, str]] = {
    "unauthorized": (
        401,
        "缺少有效的接口令牌，或令牌已被撤销",
        "a valid API token is required; this one is unknown or revoked",
    ),
    "forbidden": (403, "您的令牌不能做这件事", "your token may not do this"),
    "not_found": (404, "没有找到", "not found"),
    "invalid_request": (422, "请求内容不符合接口说明", "the request does not match the API's schema"),
    "method_not_allowed": (405, "不支持此请求方法", "this method is not allowed here"),
}


class Error(Schema):
    """What every error answers: a stable code to branch on, a sentence to show, the field it is about."""

    code: str
    message: str
    field: str = ""


def error(request: HttpRequest, api: NinjaAPI, code: str, *, field: str = "", **extra: Any) -> HttpResponse:
    status, zh, en = FIXED[code]
    body = {"code": code, "message": zh if lang_of(request) == "zh" else en, "field": field, **extra}
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    """Answer every error of the API as `Error`, never as an HTML page or a server error."""

    @api.exception_handler(AuthenticationError)
    def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = error(request, api, "unauthorized")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        return error(request, api, "invalid_request", field=".".join(where))

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "invalid_request"
        )
        return error(request, api, code)

    @api.exception_handler(LookupRefused)
    def _limited(request: HttpRequest, exc: LookupRefused) -> HttpResponse:
        # Over the lookup limit (ledger/lookups.py): nothing was looked up; say when to try again.
        body = {"code": "rate_limited", "message": exc.message(lang_of(request)), "field": ""}
        response = api.create_response(request, body, status=429)
        response["Retry-After"] = str(max(1, int((exc.retry_at - _now()).total_seconds()) + 1))
        return response

    @api.exception_handler(Paused)
    def _paused(request: HttpRequest, exc: Paused) -> HttpResponse:
        # The company is switched off (decision 480): neither unknown (401) nor a refused request (400).
        body = {"code": "paused", "message": exc.message(lang_of(request)), "field": ""}
        return api.create_response(request, body, status=403)

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        body = {"code": "refused", "message": exc.message(lang_of(request)), "field": exc.field}
        return api.create_response(request, body, status=400)


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()
