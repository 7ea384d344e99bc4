"""Making, revoking and checking API tokens: the only code that writes `api.Token`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger

from .models import Token

PREFIX = "llk_"
USED_EVERY = timedelta(minutes=1)  # last_used_at is refreshed at most this often: no write per request


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _integration_user(distributor: ledger.Distributor) -> Any:
    """The user an integration acts as (the ledger's actor, the lookup log's caller): it cannot sign in."""
    username = f"api-{distributor.project_id}-{distributor.pk}-{secrets.token_hex(4)}"
    user = get_user_model().objects.create_user(username=username, first_name=distributor.name[:150])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def token_create(
    *,
    agent: ledger.Agent | None = None,
    distributor: ledger.Distributor | None = None,
    staff: ledger.Staff | None = None,
    label: str = "",
    by: Any = None,
) -> tuple[Token, str]:
    """Make a token for an agent, a distributor's system or a staff member; the raw token is returned once."""
    if [agent, distributor, staff].count(None) != 2:
        raise DomainError(
            "请选择经纪人、分销商或员工之一", "choose an agent, a distributor or a staff member, one of them"
        )
    if agent is not None and agent.user_id is None:
        raise DomainError(
            "该经纪人没有登录账号，请先为其开通账号", "this agent has no sign-in: give them one first", field="agent"
        )
    if staff is not None and staff.user_id is None:
        raise DomainError(
            "该员工没有登录账号，请先为其开通账号",
            "this staff member has no sign-in: give them one first",
            field="staff",
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if agent is not None:
            project, user = agent.project, agent.user
        elif staff is not None:
            project, user = staff.project, staff.user
        else:
            assert distributor is not None
            project, user = distributor.project, _integration_user(distributor)
        token = Token.objects.create(
            project=project,
            agent=agent,
            distributor=distributor,
            staff=staff,
            user=user,
            label=label[:100],
            prefix=raw[: len(PREFIX) + 6],
            digest=digest(raw),
            created_by=by if getattr(by, "pk", None) else None,
        )
    return token, raw


def token_revoke(*, token: Token, by: Any = None) -> bool:
    """Revoke a token from now on; False when it was revoked already (the first revocation is kept)."""
    done = Token.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by if getattr(by, "pk", None) else None
    )
    token.refresh_from_db()
    return bool(done)


def token_check(raw: str) -> Token | None:
    """The live token `raw` names, or None: unknown, revoked, or its agent's sign-in switched off."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = (
        Token.objects.select_related("project", "agent__distributor", "distributor", "staff", "user")
        .filter(digest=digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or (token.distributor_id is None and not token.user.is_active):
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - USED_EVERY:
        Token.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_issue(
    *,
    by: ledger.Staff,
    agent: ledger.Agent | None = None,
    distributor: ledger.Distributor | None = None,
    staff: ledger.Staff | None = None,
    label: str = "",
) -> tuple[Token, str]:
    """A token made on the channel's page (decision 481): by whoever may issue tokens, for their project only."""
    from leadledger import capabilities

    capabilities.require(by, capabilities.ISSUE_TOKENS)
    owner = agent or distributor or staff
    if owner is not None and owner.project_id != by.project_id:
        raise DomainError("请选择本项目的经纪人、分销商或员工", "choose someone of this project", field="owner")
    return token_create(agent=agent, distributor=distributor, staff=staff, label=label, by=by.user)


def token_withdraw(*, by: ledger.Staff, token: Token) -> bool:
    """Revoke a token of the project on the channel's page (decision 481); False when it was revoked already."""
    from leadledger import capabilities

    capabilities.require(by, capabilities.ISSUE_TOKENS)
    if token.project_id != by.project_id:
        raise DomainError("没有这个接口令牌", "there is no such token")
    return token_revoke(token=token, by=by.user)
