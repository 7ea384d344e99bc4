"""Who may do what: the one place that decides it, for views, services, templates and the admin.

A capability is asked of a person's staff record in a project. Roles grant capabilities; a consultant
recorded as departed (IH-13) keeps none of them. Views ask `can` to show a button, services ask
`require` before they write, so no door (a form, an import, the board, the admin) goes around it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from leadledger.engine.errors import DomainError
from leadledger.ledger import models
from leadledger.ledger.selectors import departed_staff

Role = models.Staff.Role

OWN_CUSTOMERS = "own_customers"  # be given a customer: receive walk-ins, be named by a ruling, an import row (IH-1)
WORK_DESK = "work_desk"  # search and register at the reception desk, move the board (IH-18, Q-1..Q-10)
RULE = "rule"  # rulings and transfers (IH-12, IH-16), relation verification (ID-4), departures (IH-13)
APPROVE = "approve"  # renewals (IH-6), suspensions
REVEAL = "reveal"  # show a phone or ID number in full, as a logged action (PIPL)
IMPORT = "import"  # import an office's visit register
MANAGE_CHANNEL = "manage_channel"  # distributors, agents, escorted visits (D-1..D-14)
ERASE = "erase"  # erase a customer's personal data on a lawful request

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CONSULTANT: frozenset({OWN_CUSTOMERS}),
    Role.RECEPTIONIST: frozenset({WORK_DESK}),
    Role.MANAGER: frozenset({WORK_DESK, RULE, APPROVE, REVEAL, IMPORT}),
    Role.CHANNEL_SPECIALIST: frozenset({MANAGE_CHANNEL}),
    Role.CHANNEL_MANAGER: frozenset({MANAGE_CHANNEL, RULE}),
    Role.FINANCE: frozenset(),
    Role.ADMIN: frozenset({WORK_DESK, RULE, APPROVE, REVEAL, IMPORT, MANAGE_CHANNEL, ERASE}),
}


def can(staff: models.Staff | None, capability: str, *, departed: Collection[str] | None = None) -> bool:
    """Whether this staff member may do this; `departed` saves a query when asked for many people."""
    if staff is None or capability not in ROLE_CAPABILITIES.get(staff.role, frozenset()):
        return False
    gone = departed_staff(staff.project) if departed is None else departed
    return str(staff.pk) not in gone


def require(staff: models.Staff | None, capability: str, **kwargs: Any) -> None:
    """Raise the domain error a user sees when they may not do this."""
    if not can(staff, capability, **kwargs):
        raise DomainError(*_REFUSALS.get(capability, _REFUSED))


def owner_candidate(project: models.Project, staff_id: Any) -> models.Staff:
    """The consultant a customer may be given to: on the project's roster, a consultant, not departed."""
    staff = models.Staff.objects.filter(project=project, pk=staff_id).first() if str(staff_id).isdigit() else None
    if staff is None:
        raise DomainError("没有这位置业顾问", "there is no such consultant", field="staff")
    if not can(staff, OWN_CUSTOMERS):
        raise DomainError(
            f"{staff.name}不是在职的置业顾问，不能成为客户的归属人",
            f"{staff.name} is not a consultant on the roster and cannot be given a customer",
            field="staff",
        )
    return staff


_REFUSED = ("您没有权限做这件事", "you may not do this")
_REFUSALS: dict[str, tuple[str, str]] = {
    OWN_CUSTOMERS: ("只有在职的置业顾问可以接待和拥有客户", "only consultants on the roster receive and own customers"),
    WORK_DESK: ("此操作需要前台或销售经理", "only the reception desk or a sales manager may do this"),
    RULE: ("此操作需要销售经理", "only a sales manager may do this"),
    APPROVE: ("此操作需要销售经理", "only a sales manager may do this"),
    REVEAL: ("您无权查看完整信息", "you may not see this in full"),
    IMPORT: ("导入需要销售经理或管理员", "imports are for sales managers and administrators"),
    MANAGE_CHANNEL: ("此操作需要渠道专员或渠道经理", "only the channel team may do this"),
    ERASE: ("删除个人信息需要管理员", "only an administrator may erase personal data"),
}
