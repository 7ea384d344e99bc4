"""Switching a distributor company off and back on (decision 480): the only code that writes `Distributor.active`.

While a company is off, its agents cannot sign in, open their pages or register, and its tokens (an
agent's or the company's system's) are refused by the API, each door saying `PAUSED` and nothing more.
What the company's agents registered before keeps its protection as D-11..D-13 give it: being switched
off is about who may work now, not about whose customers are whose, so no verdict changes.
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


class Paused(DomainError):
    """An agent or a token of a company switched off tried to work."""

    def __init__(self) -> None:
        super().__init__(*PAUSED)


def is_active(distributor_id: int) -> bool:
    """Read from the database, not from an object a page loaded earlier: a switch applies at once."""
    return models.Distributor.objects.filter(pk=distributor_id, active=True).exists()


def require_active(agent: models.Agent) -> None:
    if not is_active(agent.distributor_id):
        raise Paused()


def distributor_switch(
    *, staff: models.Staff, distributor: models.Distributor, active: bool, reason: str, confirmed: bool
) -> Switch:
    """Switch `distributor` on or off, with the reason, once the person confirmed it; recorded as a Switch."""
    capabilities.require(staff, capabilities.MANAGE_CHANNEL)
    if distributor.project_id != staff.project_id:
        raise DomainError("没有这家分销商", "there is no such distributor")
    reason = reason_checked(reason).strip()
    if not reason:
        raise DomainError("请写明原因", "give the reason", field="reason")
    if not confirmed:
        raise DomainError("请勾选确认", "tick the box to confirm", field="confirmed")
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
