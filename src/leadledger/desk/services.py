"""Writes at the desk: the search log, registrations through the ledger, and the rotation's moves.

The rotation's state lives in one row per site, read and written under a row lock inside the same
transaction as the registration, so two receptionists clicking at once are served one after the
other and never give the same turn twice (Q-1). The rules themselves are the engine's Desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from leadledger.engine import EngineError
from leadledger.engine.model import CALL, FOLLOW_UP, REFERRAL_LOGGED, RENEWAL, RULING, STAFF_LEFT, body_for
from leadledger.engine.phone import Phone
from leadledger.engine.rotation import Assignment, Desk
from leadledger.ledger import models as ledger
from leadledger.ledger import services as ledger_services
from leadledger.ledger.selectors import customer_search
from leadledger.ledger.services import LedgerError

from . import selectors
from .models import DeskSearch, DeskVisit, Rotation

# What a receptionist may do on the board, and what a manager may do besides. Suspensions are
# set for a number of days on the management page (suspension_set).
ACTIONS = {
    "finish": ("receptionist", "manager", "admin"),
    "go_away": ("receptionist", "manager", "admin"),
    "come_back": ("receptionist", "manager", "admin"),
    "free_start": ("manager", "admin"),
    "free_end": ("manager", "admin"),
    "lunch_start": ("receptionist", "manager", "admin"),  # `staff` is the consultant on lunch duty
    "lunch_end": ("receptionist", "manager", "admin"),
}


def _roster(site: ledger.Site) -> tuple[str, ...]:
    consultants = ledger.Staff.objects.filter(project=site.project, role=ledger.Staff.Role.CONSULTANT)
    return tuple(str(pk) for pk in consultants.order_by("pk").values_list("pk", flat=True))


def _with_suspensions(site: ledger.Site, desk: Desk) -> Desk:
    """Who is suspended now comes from the managers' suspensions and their end (Q-7)."""
    from django.utils import timezone

    from .models import Suspension

    active = {
        str(pk)
        for pk in Suspension.objects.filter(project=site.project, until__gt=timezone.now()).values_list(
            "staff_id", flat=True
        )
    }
    for staff in active - desk.suspended:
        desk = desk.suspend(staff)
    for staff in desk.suspended - active:
        desk = desk.reinstate(staff)
    return desk


def rotation_desk(site: ledger.Site) -> Desk:
    """The site's current rotation (created on first use with the project's consultants in order)."""
    row = Rotation.objects.filter(site=site).first()
    return _with_suspensions(site, Desk(roster=_roster(site)) if row is None else Desk.from_json(row.state))


def _locked(site: ledger.Site) -> tuple[Rotation, Desk]:
    row, _ = Rotation.objects.get_or_create(site=site, defaults={"state": Desk(roster=_roster(site)).to_json()})
    row = Rotation.objects.select_for_update().get(pk=row.pk)
    return row, _with_suspensions(site, Desk.from_json(row.state))


def search_log(*, site: ledger.Site, user: Any, query: str) -> tuple[DeskSearch, list[ledger.Customer]]:
    """Search first (IH-18), and keep what was asked and found."""
    found = selectors.search(site.project, query)
    record = DeskSearch.objects.create(
        project=site.project, site=site, user=user, query=query.strip()[:100], found=[c.pk for c in found]
    )
    return record, found


@dataclass(frozen=True)
class Registered:
    customer: ledger.Customer
    assignment: Assignment
    visit: DeskVisit


def owner_in(verdict: ledger.Verdict | None) -> str | None:
    """The consultant a returning visitor goes to (Q-4): the owner of a pending or active claim."""
    if verdict is None or not verdict.owners or verdict.status not in ("pending", "active"):
        return None
    owners = verdict.owners
    return max(owners, key=lambda k: float(owners[k]))


def owner_of(customer: ledger.Customer) -> str | None:
    return owner_in(ledger.Verdict.objects.filter(customer=customer).first())


def visit_at_desk(
    *,
    site: ledger.Site,
    user: Any,
    search: DeskSearch,
    customer: ledger.Customer | None = None,
    name: str = "",
    phone: str = "",
    asks_for: str | None = None,
    expected: str | None = None,
    chosen: str | None = None,
) -> Registered:
    """Register a visitor after the search: the rotation names the consultant, the ledger records the visit.

    `customer` is a returning one found by the search; otherwise `name` and `phone` describe a new one
    (the phone may be one the search did not find only if the search was for it). `expected` is the
    consultant the receptionist saw named on the board: if the rotation has moved since, nothing is
    registered and the error says so. `chosen` names the consultant on free-reception days (Q-10).
    """
    if search.site_id != site.pk:
        raise LedgerError("这次查询不属于本接待台", "that search was made at another desk")
    if customer is not None and customer.pk not in search.found:
        raise LedgerError("请先查询该客户再登记（首问）", "search for the customer before registering them (IH-18)")
    if customer is None:
        name = name.strip()
        if not name:
            raise LedgerError("请填写客户姓名", "the customer's name is required")
        try:
            key = Phone.parse(phone, masks=False).value  # the visitor is here: the full number, never a mask
        except EngineError as error:
            raise LedgerError(error.zh, error.en, field="phone") from None
        existing = ledger.Customer.objects.filter(project=site.project, phone=key).exclude(phone__contains="*").first()
        if existing is not None and existing.pk not in search.found:
            raise LedgerError(
                "该电话已有客户登记，请先用此电话查询（首问）",
                "a customer with this phone is already registered: search for the phone first (IH-18)",
            )
    with transaction.atomic():
        row, desk = _locked(site)
        # One search, one registration: a double submit (or a second tab) registers nothing twice.
        if DeskVisit.objects.filter(search=search).exists():
            raise LedgerError(
                "这次查询已经登记过一次来访；如需再次登记，请重新查询",
                "this search has already registered a visit; search again to register another",
            )
        if customer is None:
            customer, _ = ledger_services.customer_find_or_create(project=site.project, name=name, phone=phone)
        owner = owner_of(customer)
        if expected and owner is None and not desk.free_reception and desk.next_up != expected:
            raise LedgerError(
                "轮序刚刚变化（另一位前台已分配），请看最新的轮序再分配",
                "the rotation has just moved (another desk gave that turn): look at the board again",
            )
        turns_before = sum(count for _, count in desk.served)
        desk, assignment = desk.walk_in(str(customer.pk), owner=owner, asks_for=asks_for or None)
        staff = assignment.staff
        if staff is None:
            if not chosen:
                raise LedgerError(assignment.zh + "：请选择接待的置业顾问", assignment.en + ": choose who receives")
            staff = chosen
            desk = desk.receives(chosen)
        consultant = ledger.Staff.objects.filter(pk=int(staff), project=site.project).first()
        if consultant is None:
            raise LedgerError("没有这位置业顾问", "no such consultant")
        event = ledger_services.visit_register(
            project=site.project, customer=customer, staff=consultant, actor=user, site=site.name
        )
        row.state = desk.to_json()
        row.save(update_fields=["state", "changed_at"])
        visit = DeskVisit.objects.create(
            project=site.project,
            site=site,
            seq=event.seq,
            search=search,
            staff=staff,
            turn=turns_before if assignment.turn_used else None,
            cites=",".join(assignment.cites),
            explain_zh=assignment.zh,
            explain_en=assignment.en,
        )
    return Registered(customer, assignment, visit)


def suspension_set(*, manager: ledger.Staff, staff: str, days: int, reason: str) -> None:
    """Take a consultant off the rotation for `days` days (Q-7), or put them back with days=0."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import Suspension

    if manager.role not in ("manager", "admin"):
        raise LedgerError("此操作需要销售经理", "only a sales manager may do this")
    target = ledger.Staff.objects.filter(pk=staff, project=manager.project).first()
    if target is None:
        raise LedgerError("没有这位置业顾问", "no such consultant")
    now = timezone.now()
    if days <= 0:
        Suspension.objects.filter(project=manager.project, staff=target, until__gt=now).update(until=now)
        return
    if not reason.strip():
        raise LedgerError("请填写停止轮接的原因", "give the reason for the suspension")
    Suspension.objects.create(
        project=manager.project, staff=target, by=manager, reason=reason.strip(), until=now + timedelta(days=days)
    )


def board_move(*, site: ledger.Site, role: str, action: str, staff: str | None = None) -> Desk:
    """One change on the rotation board (finish, away, back; free reception for managers)."""
    if action not in ACTIONS:
        raise LedgerError(f"未知操作 {action!r}", f"unknown action {action!r}")
    if role not in ACTIONS[action]:
        raise LedgerError("此操作需要销售经理", "only a sales manager may do this")
    if action in ("suspend", "reinstate"):
        raise LedgerError(
            "停止轮接请在管理页按天数设置", "suspensions are set for a number of days on the management page"
        )
    with transaction.atomic():
        row, desk = _locked(site)
        if action in ("free_start", "free_end", "lunch_end"):
            desk = getattr(desk, action)()
        else:
            if staff not in desk.roster and not ledger.Staff.objects.filter(pk=staff, project=site.project).exists():
                raise LedgerError("没有这位置业顾问", "no such consultant")
            desk = getattr(desk, action)(staff)
        row.state = desk.to_json()
        row.save(update_fields=["state", "changed_at"])
    return desk


def _owned_by(staff: ledger.Staff, customer: ledger.Customer) -> bool:
    verdict = ledger.Verdict.objects.filter(customer=customer).first()
    return bool(verdict and verdict.owners and str(staff.pk) in verdict.owners)


def contact_log(*, staff: ledger.Staff, customer: ledger.Customer, kind: str, user: Any) -> ledger.Event:
    """A follow-up or a call by the customer's owner (IH-4); anyone else's contacts never count for them."""
    if kind not in (FOLLOW_UP, CALL):
        raise LedgerError(f"未知类型 {kind!r}", f"unknown kind {kind!r}")
    if not _owned_by(staff, customer):
        raise LedgerError("只能为自己的客户登记追访或来电", "you can log contacts only for your own customers")
    body = {"customer": str(customer.pk), "staff": str(staff.pk)}
    return ledger_services.event_append(project=staff.project, kind=kind, body=body, actor=user)


def referral_log(
    *, staff: ledger.Staff, user: Any, name: str, phone: str, referrer: ledger.Customer | None
) -> ledger.Customer:
    """Log in advance a customer a consultant's customer will bring (IH-8), or their own relative (IH-9)."""
    if referrer is not None and not _owned_by(staff, referrer):
        raise LedgerError("介绍人必须是您自己的客户", "the referrer must be one of your own customers")
    if not name.strip():
        raise LedgerError("请填写客户姓名", "the customer's name is required")
    try:
        Phone.parse(phone)
    except EngineError as error:
        raise LedgerError(error.zh, error.en, field="phone") from None
    with transaction.atomic():
        customer, _ = ledger_services.customer_find_or_create(project=staff.project, name=name.strip(), phone=phone)
        body = body_for(
            REFERRAL_LOGGED,
            staff=str(staff.pk),
            customer=str(customer.pk),
            referrer=str(referrer.pk) if referrer is not None else None,
        )
        ledger_services.event_append(project=staff.project, kind=REFERRAL_LOGGED, body=body, actor=user)
    return customer


def renewal_ask(*, staff: ledger.Staff, customer: ledger.Customer, reason: str) -> Any:
    from .models import RenewalRequest

    if not _owned_by(staff, customer):
        raise LedgerError("只能为自己的客户申请延期", "you can ask to renew only your own customers")
    if not reason.strip():
        raise LedgerError("请说明延期理由", "say why the claim should be renewed")
    if RenewalRequest.objects.filter(customer=customer, staff=staff, status="pending").exists():
        raise LedgerError("该客户已有待审批的延期申请", "a renewal of this customer is already waiting")
    return RenewalRequest.objects.create(project=staff.project, customer=customer, staff=staff, reason=reason.strip())


def renewal_decide(*, manager: ledger.Staff, request_id: int, approve: bool, user: Any) -> Any:
    """A manager's decision on a renewal request; approval records the renewal event now (IH-6)."""
    from django.utils import timezone

    from .models import RenewalRequest

    with transaction.atomic():
        request = RenewalRequest.objects.select_for_update().get(pk=request_id, project=manager.project)
        if request.status != RenewalRequest.Status.PENDING:
            raise LedgerError("该申请已处理", "this request has already been decided")
        request.decided_by, request.decided_at = manager, timezone.now()
        request.status = RenewalRequest.Status.APPROVED if approve else RenewalRequest.Status.REFUSED
        if approve:
            body = {
                "customer": str(request.customer_id),
                "staff": str(request.staff_id),
                "approved_by": str(manager.pk),
            }
            event = ledger_services.event_append(project=manager.project, kind=RENEWAL, body=body, actor=user)
            request.seq = event.seq
        request.save()
    return request


def ruling_make(
    *, manager: ledger.Staff, customer: ledger.Customer, staff: ledger.Staff | None, rule: str, reason: str, user: Any
) -> ledger.Event:
    """A manager's ruling or transfer (IH-12, IH-16): final from now on, with its reason and the rule departed from."""
    if not reason.strip():
        raise LedgerError("裁定必须说明理由", "a ruling needs a reason")
    if not rule:
        raise LedgerError("请选择所偏离的规则", "name the rule the ruling departs from")
    body = {
        "customer": str(customer.pk),
        "staff": str(staff.pk) if staff else None,
        "by": str(manager.pk),
        "reason": f"{rule}: {reason.strip()}",
    }
    return ledger_services.event_append(project=manager.project, kind=RULING, body=body, actor=user)


def departure_record(*, leaver: ledger.Staff, reason: str, user: Any) -> ledger.Event:
    """A consultant leaves: their customers go to the pool (IH-13)."""
    if not reason.strip():
        raise LedgerError("请填写离职原因", "give the reason for leaving")
    body = {"staff": str(leaver.pk), "reason": reason.strip()}
    return ledger_services.event_append(project=leaver.project, kind=STAFF_LEFT, body=body, actor=user)


def relation_add(*, project: ledger.Project, customer: ledger.Customer, phone: str, kind: str) -> ledger.Relation:
    """A relation told at the desk: recorded as pending, and changing no verdict until verified (ID-4)."""
    from leadledger.engine.model import RELATION_KINDS

    if kind not in RELATION_KINDS:
        raise LedgerError(f"未知关系 {kind!r}", f"unknown relation {kind!r}")
    try:
        key = Phone.parse(phone, masks=False).value  # a relation joins two known people, not a mask (ID-2)
    except EngineError as error:
        raise LedgerError(error.zh, error.en, field="phone") from None
    # The project's one search finds the other customer; only that exact number is them (ID-1).
    other = next((c for c in customer_search(project, key) if c.phone == key), None)
    if other is None:
        raise LedgerError("没有这个电话的客户：请先登记该客户", "no customer has this phone: register them first")
    if other.pk == customer.pk:
        raise LedgerError("不能与自己建立关系", "a customer cannot be related to themselves")
    return ledger.Relation.objects.create(project=project, a=customer, b=other, kind=kind, verified=False)


def relation_verify(*, manager: ledger.Staff, relation: ledger.Relation) -> None:
    """A manager verifies a relation (ID-4); the two households are judged again from now on."""
    from django.utils import timezone

    if manager.role not in ("manager", "admin"):
        raise LedgerError("此操作需要销售经理", "only a sales manager may do this")
    with transaction.atomic():
        ledger.Relation.objects.filter(pk=relation.pk).update(verified=True)
        last = ledger.Event.objects.filter(project=manager.project).order_by("-seq").values_list("seq", flat=True)
        ledger_services.verdicts_refresh(
            project=manager.project,
            customer_ids=[relation.a_id, relation.b_id],
            through_seq=last.first() or 0,
            now=timezone.now(),
        )
