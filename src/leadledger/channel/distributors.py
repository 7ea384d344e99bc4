"""Switching a distributor company, or one of its agents, off and back on (decisions 480, 511): the only code
that writes `Distributor.active` and `Agent.active`.

While a company is off, its agents cannot sign in, open their pages or register, and its tokens (an
agent's or the company's system's) are refused by the API, each door saying `PAUSED` and nothing more.
An agent switched off is refused the same doors, saying `AGENT_OFF`, and an escorted visit of theirs is
not confirmed at the door. What was registered before keeps its protection as D-11..D-13 give it: being
switched off is about who may work now, not about whose customers are whose, so no verdict changes.
"""

from __future__ import annotations

from django.db import transaction

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.engine.text import reason_checked
from leadledger.ledger import models

from .models import Switch

# Said at every door to an agent or a token of a company switched off: why is the channel team's to say.
PAUSED = (
    "您所在的分销公司与本项目的合作已暂停，暂时不能登录、报备或调用接口。如有疑问，请联系项目渠道部。",
    "Your company's work with this project is paused: for now you cannot sign in, register or use the API. "
    "Ask the project's channel team.",
)


# Said at every door to an agent switched off (decision 511), or of them, to their company's system.
AGENT_OFF = (
    "该经纪人账号已停用，暂时不能登录、报备或调用接口。如有疑问，请联系所在分销公司或项目渠道部。",
    "This agent's account is switched off: for now it cannot sign in, register or use the API. "
    "Ask the company or the project's channel team.",
)


class Paused(DomainError):
    """An agent or a token of a company switched off, or an agent switched off, tried to work."""

    def __init__(self, sentence: tuple[str, str] = PAUSED) -> None:
        super().__init__(*sentence)


def is_active(distributor_id: int) -> bool:
    """Read from the database, not from an object a page loaded earlier: a switch applies at once."""
    return models.Distributor.objects.filter(pk=distributor_id, active=True).exists()


def refusal_of(agent: models.Agent) -> tuple[str, str] | None:
    """What a door says to this agent now (read from the database), or None when they may work: the company's
    pause first (it says more), then the agent's own switch."""
    row = models.Agent.objects.filter(pk=agent.pk).values_list("distributor__active", "active").first()
    if row is None or not row[0]:
        return PAUSED
    return None if row[1] else AGENT_OFF


def require_active(agent: models.Agent) -> None:
    sentence = refusal_of(agent)
    if sentence is not None:
        raise Paused(sentence)


def distributor_switch(
    *, staff: models.Staff, distributor: models.Distributor, active: bool, reason: str, confirmed: bool
) -> Switch:
    """Switch `distributor` on or off, with the reason, once the person confirmed it; recorded as a Switch."""
    capabilities.require(staff, capabilities.MANAGE_CHANNEL)
    if distributor.project_id != staff.project_id:
        raise DomainError("没有这家分销商", "there is no such distributor")
    reason = _checked(reason, confirmed)
    with transaction.atomic():
        current = models.Distributor.objects.select_for_update().get(pk=distributor.pk)
        if current.active == active:
            raise DomainError(
                "该分销商已是此状态" if active else "该分销商已暂停",
                "the distributor is active already" if active else "the distributor is paused already",
                field="confirmed",
            )
        models.Distributor.objects.filter(pk=distributor.pk).update(active=active)
        distributor.active = active
        return Switch.objects.create(distributor=distributor, active=active, reason=reason, by=staff)


def _checked(reason: str, confirmed: bool) -> str:
    reason = reason_checked(reason).strip()
    if not reason:
        raise DomainError("请写明原因", "give the reason", field="reason")
    if not confirmed:
        raise DomainError("请勾选确认", "tick the box to confirm", field="confirmed")
    return reason


def agent_switch(
    *,
    agent: models.Agent,
    active: bool,
    reason: str,
    confirmed: bool,
    staff: models.Staff | None = None,
    by_agent: models.Agent | None = None,
) -> Switch:
    """Switch one agent on or off, with the reason, once the person confirmed it: the channel team (`staff`)
    or the company's admin (`by_agent`) for its own agents, as capabilities.require_agent_switch says."""
    last = Switch.objects.filter(agent=agent).order_by("-at", "-pk").first()
    capabilities.require_agent_switch(
        staff=staff,
        by_agent=by_agent,
        agent=agent,
        active=active,
        off_by_the_team=last is not None and not last.active and last.by_id is not None,
    )
    reason = _checked(reason, confirmed)
    with transaction.atomic():
        current = models.Agent.objects.select_for_update().get(pk=agent.pk)
        if current.active == active:
            raise DomainError(
                "该经纪人已是启用状态" if active else "该经纪人已停用",
                "the agent is active already" if active else "the agent is switched off already",
                field="confirmed",
            )
        models.Agent.objects.filter(pk=agent.pk).update(active=active)
        agent.active = active
        return Switch.objects.create(
            distributor_id=agent.distributor_id, agent=agent, active=active, reason=reason, by=staff, by_agent=by_agent
        )
