"""Bearer tokens on every call; no session, no cookie, hence no CSRF to guard (the API is not a page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from leadledger.channel.distributors import AGENT_OFF, Paused
from leadledger.ledger import models as ledger

from .models import Token
from .tokens import token_check


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Token | None:
        found = token_check(token)
        if found is not None and found.staff_id is None:
            firm = found.agent.distributor if found.agent is not None else found.distributor
            if firm is not None and not firm.active:
                raise Paused()  # decision 480: answered 403 "paused", with the channel's sentence
            if found.agent is not None and not found.agent.active:
                raise Paused(AGENT_OFF)  # decision 511: the agent alone is switched off
        return found


def token_of(request: HttpRequest) -> Token:
    token: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, Token)
    return token


def channel_token(request: HttpRequest) -> Token:
    """The token of an agent or an integration: a staff member's token registers nothing (403)."""
    token = token_of(request)
    if token.staff_id is not None:
        raise HttpError(403, "forbidden")
    return token


def staff_token(request: HttpRequest, capability: str) -> tuple[Token, ledger.Staff]:
    """The token of a staff member holding `capability` now (none once departed, IH-13), else 403."""
    from leadledger import capabilities

    token = token_of(request)
    if token.staff is None or not capabilities.can(token.staff, capability):
        raise HttpError(403, "forbidden")
    return token, token.staff


def agents_of(token: Token) -> list[ledger.Agent]:
    """Whose registrations the token reaches: an agent's as the page shows them (their own, or the company's
    for its admin: channel.selectors.agents_in_view), an integration's the whole company's in its project."""
    from leadledger.channel.selectors import agents_in_view

    if token.agent is not None:
        return agents_in_view(token.agent)
    return list(ledger.Agent.objects.filter(project=token.project, distributor=token.distributor).order_by("pk"))
