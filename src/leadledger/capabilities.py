"""Who may do what: the one place that decides it, for views, services, templates and the admin.

A capability is asked of a person's staff record in a project. Roles grant capabilities; a consultant
recorded as departed (IH-13) keeps none of them. Views ask `can` to show a button, services ask
`require` before they write, so no door (a form, an import, the board, the admin) goes around it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, Protocol, TypeVar

from leadledger.engine.errors import DomainError
from leadledger.engine.text import whole_id
from leadledger.ledger import models
from leadledger.ledger.selectors import departed_staff

Role = models.Staff.Role

SEE_CUSTOMERS = "see_customers"  # the project's customer list and pages (each page still masks personal data)
OWN_CUSTOMERS = "own_customers"  # be given a customer: receive walk-ins, be named by a ruling, an import row (IH-1)
WORK_DESK = "work_desk"  # search and register at the reception desk, move the board (IH-18, Q-1..Q-10)
RULE = "rule"  # rulings and transfers (IH-12, IH-16), relation verification (ID-4), departures (IH-13)
APPROVE = "approve"  # renewals (IH-6), suspensions
REVEAL = "reveal"  # show a phone or ID number in full, as a logged action (PIPL)
IMPORT = "import"  # import an office's visit register
FREE_RECEPTION = "free_reception"  # pause the rotation for a peak day and resume it
MANAGE_CHANNEL = "manage_channel"  # distributors, agents, escorted visits (D-1..D-14)
# Confirm an agent's escorted visit on arrival (带看确认, D-1, D-11) and print its slip: the channel team,
# and the reception desk, which is at the door when no specialist is (docs/decisions.md 230).
CONFIRM_ESCORT = "confirm_escort"
ERASE = "erase"  # erase a customer's personal data on a lawful request
WORKBENCH = "workbench"  # the customer manager's own duties, work log and weekly reports (W-1..W-3)
LEAD_TEAM = "lead_team"  # edit and assign duties, see the team's standing, review its reports (W-2, W-3)
# Record a customer's complaint, answer it, pass it to a department and close it with the customer's
# confirmation (S-1): whoever the customer complains to, at the desk or on the phone.
SERVE_COMPLAINTS = "serve_complaints"
SET_POLICY = "set_policy"  # adopt a policy (re-judging every verdict) and try one over the whole project (what-if)
TAKE_DEPOSIT = "take_deposit"  # take a deposit on a unit for a customer: the subscription (认购, S3 界定5 接待 11)
RECORD_DEAL = "record_deal"  # load units, record a signing (签约) or a return (退房) of a unit
# Issue and revoke API tokens, add and stop webhooks (docs/decisions.md 481): credentials are handed out by
# a manager (the channel manager, a sales manager, the administrator), not by every channel specialist.
ISSUE_TOKENS = "issue_tokens"
# Distributors' monthly statements and paying them their commission (C-6): the sales manager, the channel
# manager, finance and the administrator; channel specialists work the cases, not the money (decision 472).
CHANNEL_MONEY = "channel_money"

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CONSULTANT: frozenset({SEE_CUSTOMERS, OWN_CUSTOMERS, TAKE_DEPOSIT, WORKBENCH, SERVE_COMPLAINTS}),
    Role.RECEPTIONIST: frozenset({SEE_CUSTOMERS, WORK_DESK, CONFIRM_ESCORT, SERVE_COMPLAINTS}),
    Role.MANAGER: frozenset(
        {
            SEE_CUSTOMERS,
            WORK_DESK,
            FREE_RECEPTION,
            RULE,
            APPROVE,
            REVEAL,
            IMPORT,
            SET_POLICY,
            TAKE_DEPOSIT,
            RECORD_DEAL,
            CHANNEL_MONEY,
            WORKBENCH,
            LEAD_TEAM,
            SERVE_COMPLAINTS,
            ISSUE_TOKENS,
        }
    ),
    Role.CHANNEL_SPECIALIST: frozenset({SEE_CUSTOMERS, MANAGE_CHANNEL, CONFIRM_ESCORT}),
    Role.CHANNEL_MANAGER: frozenset({SEE_CUSTOMERS, MANAGE_CHANNEL, RULE, CONFIRM_ESCORT, ISSUE_TOKENS, CHANNEL_MONEY}),
    Role.FINANCE: frozenset({SEE_CUSTOMERS, CHANNEL_MONEY}),
    Role.ADMIN: frozenset(
        {
            SEE_CUSTOMERS,
            WORK_DESK,
            FREE_RECEPTION,
            RULE,
            APPROVE,
            REVEAL,
            IMPORT,
            MANAGE_CHANNEL,
            CONFIRM_ESCORT,
            ERASE,
            SET_POLICY,
            TAKE_DEPOSIT,
            RECORD_DEAL,
            CHANNEL_MONEY,
            LEAD_TEAM,
            SERVE_COMPLAINTS,
            ISSUE_TOKENS,
        }
    ),
}
CAPABILITIES = frozenset().union(*ROLE_CAPABILITIES.values())

# What an agent of a distributor (D-*) may do once agents sign in: only pages marked for agents
# admit them, and they hold none of the staff's capabilities.
AGENT_CAPABILITIES: frozenset[str] = frozenset()


def roles_with(capability: str) -> tuple[str, ...]:
    """The roles that grant a capability, in the roster's order (for a form's list of people)."""
    return tuple(role for role, granted in ROLE_CAPABILITIES.items() if capability in granted)


def capabilities_of(staff: models.Staff | None, *, departed: Collection[str] | None = None) -> frozenset[str]:
    """Everything this person may do: none once recorded as departed (IH-13)."""
    if staff is None:
        return frozenset()
    gone = departed_staff(staff.project) if departed is None else departed
    return frozenset() if str(staff.pk) in gone else ROLE_CAPABILITIES.get(staff.role, frozenset())


def can(staff: models.Staff | None, capability: str, *, departed: Collection[str] | None = None) -> bool:
    """Whether this staff member may do this; `departed` saves a query when asked for many people."""
    if capability not in CAPABILITIES:
        raise AssertionError(f"unknown capability {capability!r}")  # a typo must not silently refuse
    if staff is None or capability not in ROLE_CAPABILITIES.get(staff.role, frozenset()):
        return False
    gone = departed_staff(staff.project) if departed is None else departed
    return str(staff.pk) not in gone


def require(staff: models.Staff | None, capability: str, **kwargs: Any) -> None:
    """Raise the domain error a user sees when they may not do this."""
    if not can(staff, capability, **kwargs):
        if staff is not None and ROLE_CAPABILITIES.get(staff.role, frozenset()) >= {capability}:
            raise DomainError(*_LEFT)  # the role grants it: they are recorded as departed
        raise DomainError(*_REFUSALS.get(capability, _REFUSED))


def owner_candidate(project: models.Project, staff_id: Any, *, field: str = "staff") -> models.Staff:
    """The consultant a customer may be given to: on the project's roster, a consultant, not departed.

    Every service that names who receives or owns a customer (the rotation's answer, free reception,
    lunch duty, a client's named consultant, a ruling, an import row) asks this first.
    """
    pk = whole_id(staff_id)
    staff = models.Staff.objects.filter(project=project, pk=pk).first() if pk is not None else None
    if staff is None:
        raise DomainError("没有这位置业顾问", "there is no such consultant", field=field)
    staff.project = project  # the one it was found in: not read again by the checks below and the caller
    if not can(staff, OWN_CUSTOMERS):
        raise DomainError(
            f"{staff.name}不是在职的置业顾问，不能接待或拥有客户",
            f"{staff.name} is not a consultant on the roster and cannot receive or be given a customer",
            field=field,
        )
    return staff


def may_correct_visit(granted: Collection[str], *, registered_by: int | None, user_id: int | None) -> bool:
    """A registration is corrected by whoever registered it at the desk, or by a manager who works the
    desk and rules (docs/decisions.md 221): nobody corrects a colleague's registration behind them.
    `granted` is the person's capabilities (`capabilities_of`, or a request's)."""
    if WORK_DESK not in granted:
        return False
    return (registered_by is not None and registered_by == user_id) or RULE in granted


def require_relation_verify(staff: models.Staff | None, *, channel_claimed: bool, case_url: str = "") -> None:
    """ID-4 at the desk: a sales manager verifies a relation. One touching a customer a distributor claims is
    the channel team's alone, through a special case with evidence (D-10, docs/decisions.md 484); the
    refusal says where that is done (`case_url`: the case, or the channel team's page to open one)."""
    require(staff, RULE)
    if channel_claimed:
        raise DomainError(
            f"该客户由分销商报备，关系只能由渠道部凭证据通过特殊情况核实（D-10）：{case_url}".rstrip("："),
            f"a distributor claims this customer: only the channel team verifies the relation, through a special "
            f"case with evidence (D-10): {case_url}".rstrip(": "),
            field="relation",
        )


def may_switch_agents(agent: models.Agent | None) -> bool:
    """Whether this agent is their company's admin, who switches its other agents off and on (decision 511)."""
    return agent is not None and agent.admin


def require_agent_switch(
    *,
    staff: models.Staff | None,
    by_agent: models.Agent | None,
    agent: models.Agent,
    active: bool,
    off_by_the_team: bool,
) -> None:
    """One agent switched off or on (decision 511): by the channel team, or by the company's admin for the
    company's other agents; an agent the channel team switched off is switched back on by the team only."""
    if staff is not None:
        require(staff, MANAGE_CHANNEL)
        if agent.project_id != staff.project_id:
            raise DomainError("没有这位经纪人", "there is no such agent")
        return
    if (
        by_agent is None
        or not may_switch_agents(by_agent)
        or by_agent.distributor_id != agent.distributor_id
        or by_agent.project_id != agent.project_id
    ):
        raise DomainError("没有这位经纪人", "there is no such agent")  # another company's: nothing to say
    if by_agent.pk == agent.pk:
        raise DomainError("不能停用自己的账号", "you cannot switch your own account off", field="confirmed")
    if active and off_by_the_team:
        raise DomainError(
            "该经纪人由项目渠道部停用，只能由渠道部重新启用",
            "the project's channel team switched this agent off: only they switch them back on",
            field="confirmed",
        )


def owner_candidates(project: models.Project, *, departed: Collection[str] | None = None) -> list[models.Staff]:
    """The consultants who may be given a customer now, in roster order (for a form's select)."""
    gone = departed_staff(project) if departed is None else departed
    return owner_candidates_among(models.Staff.objects.filter(project=project), gone)


def owner_candidate_ids(project: models.Project, *, departed: Collection[str] | None = None) -> list[int]:
    """`owner_candidates`' ids alone: what a rotation reads on every desk request."""
    return [staff.pk for staff in owner_candidates(project, departed=departed)]


PersonT = TypeVar("PersonT", bound="Person")


class Person(Protocol):
    """A member of staff as a page reads them (a `Staff` row, or `web.selectors.Person`)."""

    @property
    def pk(self) -> int: ...
    @property
    def role(self) -> str: ...


def owner_candidates_among(people: Iterable[PersonT], departed: Collection[str]) -> list[PersonT]:
    """`owner_candidates` picked from the project's staff already read (a page reads them once)."""
    owning = roles_with(OWN_CUSTOMERS)
    return sorted((p for p in people if p.role in owning and str(p.pk) not in departed), key=lambda p: p.pk)


_REFUSED = ("您没有权限做这件事", "you may not do this")
_LEFT = ("您已登记离职，不能再做这件事（IH-13）", "you are recorded as having left, and may no longer do this (IH-13)")
_REFUSALS: dict[str, tuple[str, str]] = {
    OWN_CUSTOMERS: ("只有在职的置业顾问可以接待和拥有客户", "only consultants on the roster receive and own customers"),
    WORK_DESK: ("此操作需要前台或销售经理", "only the reception desk or a sales manager may do this"),
    RULE: ("此操作需要销售经理", "only a sales manager may do this"),
    APPROVE: ("此操作需要销售经理", "only a sales manager may do this"),
    REVEAL: ("您无权查看完整信息", "you may not see this in full"),
    IMPORT: ("导入需要销售经理或管理员", "imports are for sales managers and administrators"),
    MANAGE_CHANNEL: ("此操作需要渠道专员或渠道经理", "only the channel team may do this"),
    CONFIRM_ESCORT: (
        "带看确认需要渠道专员、渠道经理或前台",
        "only the channel team or the reception desk may confirm a visit",
    ),
    ERASE: ("删除个人信息需要管理员", "only an administrator may erase personal data"),
    SET_POLICY: ("调整归属政策需要销售经理", "only a sales manager may change the policy"),
    SEE_CUSTOMERS: _REFUSED,
    TAKE_DEPOSIT: ("只有置业顾问或销售经理可以收取定金", "only consultants and sales managers take deposits"),
    RECORD_DEAL: ("此操作需要销售经理", "only a sales manager may do this"),
    ISSUE_TOKENS: (
        "接口令牌和状态回调由渠道经理、销售经理或管理员管理",
        "API tokens and webhooks are managed by the channel manager, a sales manager or the administrator",
    ),
    FREE_RECEPTION: ("此操作需要销售经理", "only a sales manager may do this"),
    WORKBENCH: ("工作台是客户经理和销售经理的", "the workbench is for customer managers and sales managers"),
    LEAD_TEAM: ("此操作需要销售经理", "only a sales manager may do this"),
    SERVE_COMPLAINTS: (
        "客户投诉由前台、置业顾问和销售经理处理",
        "complaints are handled by the desk, consultants and managers",
    ),
}
