"""Writes at the desk: the search log, registrations through the ledger, and the rotation's moves.

The rotation's state lives in one row per site, read and written under a row lock inside the same
transaction as the registration, so two receptionists clicking at once are served one after the
other and never give the same turn twice (Q-1). The rules themselves are the engine's Desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import EngineError
from leadledger.engine.model import (
    CALL,
    FOLLOW_UP,
    REFERRAL_LOGGED,
    RENEWAL,
    RULING,
    STAFF_LEFT,
    ReferralLogged,
    body_for,
)
from leadledger.engine.phone import Phone
from leadledger.engine.rotation import Assignment, Desk, returning_owner
from leadledger.engine.text import name_checked, next_contact_checked, note_checked, plain_text, reason_checked
from leadledger.engine.visits import VisitDetails
from leadledger.ledger import lookups, relations
from leadledger.ledger import models as ledger
from leadledger.ledger import selectors as selectors_ledger
from leadledger.ledger import services as ledger_services
from leadledger.ledger.prepared import STAND_IN_IDS, STAND_IN_MOMENT, PreparedInsert, PreparedRead
from leadledger.ledger.selectors import customer_search, departed_staff
from leadledger.ledger.services import LedgerError

from . import selectors
from .models import DeskSearch, DeskVisit, Dispute, Notice, Rotation

# Who may make each move on the board. Suspensions are set for a number of days on the
# management page (suspension_set).
ACTIONS = {
    "finish": capabilities.WORK_DESK,
    "go_busy": capabilities.WORK_DESK,  # busy with something else, passed over until done
    "go_away": capabilities.WORK_DESK,
    "come_back": capabilities.WORK_DESK,
    "free_start": capabilities.FREE_RECEPTION,
    "free_end": capabilities.FREE_RECEPTION,
    "lunch_start": capabilities.WORK_DESK,  # `staff` is the consultant on lunch duty
    "lunch_end": capabilities.WORK_DESK,
}


def _roster(site: ledger.Site, people: list[int] | None = None) -> tuple[str, ...]:
    """The consultants who may receive walk-ins: on the project's roster and not departed (IH-13);
    `people`, their ids as `capabilities.owner_candidate_ids` gives them, when a page has read them."""
    if people is None:
        people = capabilities.owner_candidate_ids(site.project)
    if not people:
        raise LedgerError(
            "本项目没有在职的置业顾问：请先在管理后台添加", "the project has no consultant on the roster: add one first"
        )
    return tuple(str(pk) for pk in people)


def _suspended_read() -> PreparedRead:
    from .models import Suspension

    return PreparedRead(
        lambda project, now: Suspension.objects.filter(project_id=project, until__gt=now).values_list("staff_id"),
        STAND_IN_IDS[0],
        STAND_IN_MOMENT,
    )


_SUSPENDED = _suspended_read()  # who is suspended now: read by every desk request (ledger.prepared)


def _with_suspensions(site: ledger.Site, desk: Desk, roster: tuple[str, ...] | None = None) -> Desk:
    """Today's roster (joiners added, leavers gone, IH-13) and who is suspended now (Q-7)."""
    desk = desk.staffed(roster if roster is not None else _roster(site))

    active = {str(pk) for (pk,) in _SUSPENDED.rows(site.project_id, timezone.now())}
    for staff in active - desk.suspended:
        desk = desk.suspend(staff)
    for staff in desk.suspended - active:
        desk = desk.reinstate(staff)
    return desk


# A site's rotation as stored: read by every desk request (ledger.prepared).
_STATE = PreparedRead(lambda site: Rotation.objects.filter(site_id=site).values_list("state"), STAND_IN_IDS[0])


def rotation_desk(site: ledger.Site, *, consultants: list[int] | None = None) -> Desk:
    """The site's current rotation (created on first use with the project's consultants in order).

    `consultants`: `capabilities.owner_candidate_ids` as the page has already read them (else read here)."""
    state = _STATE.rows(site.pk)
    roster = _roster(site, consultants)  # read once: the rotation's first state and today's roster are the same list
    return _with_suspensions(site, Desk.from_json(state[0][0]) if state else Desk(roster=roster), roster)


def _locked(site: ledger.Site) -> tuple[Rotation, Desk]:
    """The site's rotation row, locked for this transaction, and its rotation as of now."""
    # Locked in one read; created only on the site's first use (get_or_create read the roster for its
    # defaults on every call, and read the row twice: three queries of every registration's 53).
    row = Rotation.objects.select_for_update().filter(site=site).first()
    if row is None:
        Rotation.objects.get_or_create(site=site, defaults={"state": Desk(roster=_roster(site)).to_json()})
        row = Rotation.objects.select_for_update().get(site=site)
    return row, _with_suspensions(site, Desk.from_json(row.state))


_SEARCH_INSERT = PreparedInsert(DeskSearch)  # a search record on every search that settles (ledger.prepared)
SETTLING = timedelta(seconds=30)  # decision 210: a search followed this soon by another was still being typed


def search_log(
    *, site: ledger.Site, user: Any, query: str, after: int | None = None
) -> tuple[DeskSearch, list[ledger.Customer]]:
    """Search first (IH-18), and keep what was asked and found; within the user's lookup limits
    (`lookups.LookupRefused` when over them).

    Every lookup is logged (ledger.lookups), but the desk keeps one search record per settled search
    (decision 210): `after` is the search the desk's box showed when this one was typed; if it is this
    person's at this desk, from within `SETTLING`, and no visit cites it, they were still typing and that
    record is rewritten with what they settle on. Any other search is a new record.
    """
    project = site.project
    records: list[DeskSearch] = []

    def keep(found: list[ledger.Customer]) -> None:  # in the lookup log line's transaction (one commit)
        asked, ids = query.strip()[:100], [c.pk for c in found]
        now = timezone.now()
        last = None
        if after is not None:
            mine = DeskSearch.objects.select_for_update().filter(pk=after, site=site, user=user)
            last = mine.filter(at__gte=now - SETTLING).first()
        if last is not None and not DeskVisit.objects.filter(search=last).exists():
            DeskSearch.objects.filter(pk=last.pk).update(query=asked, found=ids, at=now)
            last.query, last.found, last.at = asked, ids, now
            records.append(last)
        else:
            record = DeskSearch(project=project, site=site, user=user, query=asked, found=ids)
            _SEARCH_INSERT.insert(record)
            records.append(record)

    found = lookups.lookup(
        project=project,
        user=user,
        place=lookups.Place.DESK,
        query=query,
        find=lambda: selectors.search(project, query),
        kept=keep,
    )
    return records[0], found


@dataclass(frozen=True)
class Registered:
    customer: ledger.Customer
    assignment: Assignment
    visit: DeskVisit
    again: bool = False  # the same form sent twice: this is the first registration, unchanged
    owners: tuple[str, ...] = ()  # whom the engine says the customer belongs to after this visit
    returning: bool = False  # the customer had an owner when they arrived

    @property
    def assisted(self) -> bool:
        """Received by someone who is not their owner: an assist, and ownership stays (IH-11)."""
        return bool(self.owners) and self.visit.staff not in self.owners


def owner_in(verdict: ledger.Verdict | None, desk: Desk | None = None) -> str | None:
    """The consultant a returning visitor goes to: the engine's answer (Q-4, IH-17) on the stored verdict."""
    if verdict is None:
        return None
    return returning_owner(verdict.owners, verdict.status, desk)


def owner_of(customer: ledger.Customer, desk: Desk | None = None) -> str | None:
    return owner_in(ledger.Verdict.objects.filter(customer=customer).first(), desk)


def _staff_of(project: ledger.Project, user: Any) -> ledger.Staff | None:
    staff = ledger.Staff.objects.filter(project=project, user=user).first() if user is not None else None
    if staff is not None:
        staff.project = project  # the one it was found in: the capability check does not read it again
    return staff


def _registered(visit: DeskVisit) -> Registered:
    event = ledger.Event.objects.select_related("customer").get(project_id=visit.project_id, seq=visit.seq)
    assert event.customer is not None  # a visit is always filed under its customer
    assignment = Assignment(
        visitor=str(event.customer.pk),
        staff=visit.staff,
        cites=tuple(c for c in visit.cites.split(",") if c),
        turn_used=visit.turn is not None,
        zh=visit.explain_zh,
        en=visit.explain_en,
    )
    verdict = ledger.Verdict.objects.filter(customer=event.customer).first()
    owners = tuple(verdict.owners) if verdict is not None and verdict.owners else ()
    returning = Notice.objects.filter(seq=visit.seq, project_id=visit.project_id).exclude(kind="new").exists()
    return Registered(event.customer, assignment, visit, again=True, owners=owners, returning=returning)


def _again(visit: DeskVisit, customer: ledger.Customer | None, phone: str) -> Registered:
    """A second submit of the same search: the same visitor gets the first answer; another is refused."""
    first = _registered(visit)
    if customer is not None:
        same = customer.pk == first.customer.pk
    else:
        try:
            same = Phone.parse(phone, masks=False).value == first.customer.phone
        except EngineError:
            same = False
    if not same:
        raise LedgerError(
            "这次查询已经登记过一次来访；如需再次登记，请重新查询",
            "this search has already registered a visit; search again to register another",
        )
    return first


def visit_at_desk(
    *,
    site: ledger.Site,
    user: Any,
    search: DeskSearch,
    customer: ledger.Customer | None = None,
    name: str = "",
    phone: str = "",
    asks_for: str | None = None,
    chosen: str | None = None,
    details: VisitDetails | None = None,
) -> Registered:
    """Register a visitor after the search: the rotation names the consultant, the ledger records the visit.

    `customer` is a returning one found by the search; otherwise `name` and `phone` describe a new one
    (the phone may be one the search did not find only if the search was for it). The rotation is
    read when the registration is committed, under the row lock: a new walk-in goes to whoever is
    next then (Q-1), whatever the board showed at the search. Only `asks_for`, the consultant the
    visitor asked for by name (Q-5), is held to, and goes into the visit's event for the engine (IH-8).
    `chosen` names who receives during free reception (Q-10); `details` are the desk's notes of the visit.
    Sent twice, the same form answers with the first registration.

    Whoever the engine says owns the customer after the visit is told at once (a `Notice`), in the
    same transaction: their customer is here, and who receives them (an assist when not them, IH-11).
    """
    if search.site_id != site.pk:
        raise LedgerError("这次查询不属于本接待台", "that search was made at another desk")
    capabilities.require(_staff_of(site.project, user), capabilities.WORK_DESK)
    if (first := DeskVisit.objects.filter(search=search).first()) is not None:
        return _again(first, customer, phone)
    if customer is not None and customer.pk not in search.found:
        raise LedgerError("请先查询该客户再登记（首问）", "search for the customer before registering them (IH-18)")
    if customer is None:
        name = name_checked(name)
        if not name:
            raise LedgerError("请填写客户姓名", "the customer's name is required", field="name")
        try:
            key = Phone.parse(phone, masks=False).value  # the visitor is here: the full number, never a mask
        except EngineError as error:
            raise LedgerError(error.zh, error.en, field="phone") from None
        existing = ledger.Customer.objects.filter(project=site.project, phone=key).exclude(phone__contains="*").first()
        if existing is not None and existing.pk not in search.found:
            raise LedgerError(
                "该电话已有客户登记，请先用此电话查询（首问）",
                "a customer with this phone is already registered: search for the phone first (IH-18)",
                field="phone",
            )
    asked = capabilities.owner_candidate(site.project, asks_for, field="asks_for") if asks_for else None
    named = str(asked.pk) if asked is not None else None
    picked = str(capabilities.owner_candidate(site.project, chosen, field="chosen").pk) if chosen else None
    with transaction.atomic():
        row, desk = _locked(site)
        # One search, one registration: a double submit that raced the first answers with it.
        if (first := DeskVisit.objects.filter(search=search).first()) is not None:
            return _again(first, customer, phone)
        # The receptionist may have typed on since this form was shown (decision 210): the visit cites
        # the search as it stands, which must still have found the returning customer.
        search = DeskSearch.objects.select_for_update().get(pk=search.pk)
        if customer is not None and customer.pk not in search.found:
            raise LedgerError("请先查询该客户再登记（首问）", "search for the customer before registering them (IH-18)")
        if customer is None:
            customer, _ = ledger_services.customer_find_or_create(project=site.project, name=name, phone=phone)
        held = _owners_after(customer)  # before this visit: whom the customer belongs to as they arrive
        owner = owner_of(customer, desk)
        turns_before = sum(count for _, count in desk.served)
        desk, assignment = desk.walk_in(str(customer.pk), owner=owner, asks_for=named)  # Q-1 applied now
        staff = assignment.staff
        if staff is None:
            if picked is None:
                raise LedgerError(
                    assignment.zh + "：请选择接待的置业顾问", assignment.en + ": choose who receives", field="chosen"
                )
            staff = picked
            desk = desk.receives(picked)
        consultant = capabilities.owner_candidate(site.project, staff)
        event = ledger_services.visit_register(
            project=site.project,
            customer=customer,
            staff=consultant,
            actor=user,
            site=site.name,
            asks_for=asked,
            details=details,
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
        # A returning customer stays their owners' (Q-4, IH-11); a new one is whoever the engine now says (IH-1, IH-8).
        owners = held if owner is not None else _owners_after(customer)
        _notify_owners(site=site, customer=customer, seq=event.seq, receiver=consultant, owners=owners, returning=owner)
    return Registered(customer, assignment, visit, owners=owners, returning=owner is not None)


@dataclass(frozen=True)
class Corrected:
    visit: DeskVisit
    event: ledger.Event  # the correction's event
    customer: ledger.Customer
    staff: ledger.Staff
    gained: tuple[str, ...] = ()  # consultants the correction made owners (told at once)
    lost: tuple[str, ...] = ()  # consultants it took the customer from (told at once)


def visit_correct(
    *,
    site: ledger.Site,
    user: Any,
    seq: int,
    reason: str,
    customer: ledger.Customer | None = None,
    staff: str | None = None,
    details: VisitDetails | None = None,
) -> Corrected:
    """Correct one of today's registrations at this desk with a new event (docs/decisions.md 220-223).

    `customer` is the visitor as they really were (the wrong match corrected; None: as registered),
    `staff` who really received them, `details` the desk's notes. Only whoever registered the visit,
    or a manager, may; the engine says when (the same day, once, before anything else happened). The
    rotation's counted turn moves with the receiver; every consultant who gains or loses the customer
    by it is told at once, in the same transaction.
    """
    project = site.project
    by = _staff_of(project, user)
    capabilities.require(by, capabilities.WORK_DESK)
    assert by is not None
    visit = DeskVisit.objects.filter(site=site, seq=seq).first()
    event = ledger.Event.objects.select_related("customer").filter(project=project, seq=seq).first()
    if visit is None or event is None or event.customer is None:
        raise LedgerError("这次登记不在本接待台", "that registration was not made at this desk", field="visit")
    granted = capabilities.capabilities_of(by)
    if not capabilities.may_correct_visit(granted, registered_by=event.actor_id, user_id=getattr(user, "pk", None)):
        raise LedgerError(
            "只有登记这次来访的前台或经理可以更正", "only whoever registered this visit, or a manager, may correct it"
        )
    target = customer if customer is not None else event.customer
    if target.project_id != project.pk:
        raise LedgerError("没有这位客户", "there is no such customer", field="customer")
    consultant = capabilities.owner_candidate(project, staff if staff else visit.staff, field="staff")
    with transaction.atomic():
        row, desk = _locked(site)
        customers = list(dict.fromkeys([event.customer, target]))
        before = {c.pk: set(_owners_after(c)) for c in customers}
        appended = ledger_services.visit_correct(
            project=project,
            visit=event,
            customer=target,
            staff=consultant,
            by=by,
            reason=reason,
            actor=user,
            details=details,
        )
        if visit.turn is not None and str(consultant.pk) != visit.staff:
            row.state = desk.turn_moved(visit.staff, str(consultant.pk)).to_json()  # the turn goes with it
            row.save(update_fields=["state", "changed_at"])
        gained: list[str] = []
        lost: list[str] = []
        notices = []
        for c in customers:
            after = set(_owners_after(c))
            for owner, kind, into in (
                *((o, Notice.Kind.GAINED, gained) for o in sorted(after - before[c.pk])),
                *((o, Notice.Kind.LOST, lost) for o in sorted(before[c.pk] - after)),
            ):
                into.append(owner)
                notices.append(
                    Notice(
                        project=project,
                        staff_id=int(owner),
                        kind=kind,
                        customer=c,
                        receiver=consultant,
                        site=site,
                        seq=appended.seq,
                    )
                )
        Notice.objects.bulk_create(notices)
    return Corrected(visit, appended, target, consultant, tuple(gained), tuple(lost))


def _owners_after(customer: ledger.Customer) -> tuple[str, ...]:
    """The customer's owners as the engine last judged them (the verdict stored with their latest event)."""
    verdict = ledger.Verdict.objects.filter(customer=customer).first()
    return tuple(verdict.owners) if verdict is not None and verdict.owners else ()


def _notify_owners(
    *,
    site: ledger.Site,
    customer: ledger.Customer,
    seq: int,
    receiver: ledger.Staff,
    owners: tuple[str, ...],
    returning: str | None,
) -> None:
    """Tell each owner their customer was registered and who receives them (IH-11 when it is a colleague)."""
    notices = []
    for owner in owners:
        if owner == str(receiver.pk):
            kind = Notice.Kind.ARRIVED if returning is not None else Notice.Kind.NEW
        else:
            kind = Notice.Kind.ASSISTED
        notices.append(
            Notice(
                project=site.project,
                staff_id=int(owner),
                kind=kind,
                customer=customer,
                receiver=receiver,
                site=site,
                seq=seq,
            )
        )
    Notice.objects.bulk_create(notices)


def suspension_set(*, manager: ledger.Staff, staff: str, days: int, reason: str) -> None:
    """Take a consultant off the rotation for `days` days (Q-7), or put them back with days=0."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import Suspension

    capabilities.require(manager, capabilities.APPROVE)
    target = ledger.Staff.objects.filter(pk=staff, project=manager.project).first()
    if target is None:
        raise LedgerError("没有这位置业顾问", "no such consultant")
    now = timezone.now()
    if days <= 0:
        Suspension.objects.filter(project=manager.project, staff=target, until__gt=now).update(until=now)
        return
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("请填写停止轮接的原因", "give the reason for the suspension", field="reason")
    Suspension.objects.create(
        project=manager.project, staff=target, by=manager, reason=reason, until=now + timedelta(days=days)
    )


def board_move(*, site: ledger.Site, by: ledger.Staff, action: str, staff: str | None = None) -> Desk:
    """One change on the rotation board (done, busy, away, back, lunch duty; free reception for managers)."""
    if action not in ACTIONS:
        raise LedgerError(f"未知操作：{action}", f"unknown action: {action}")
    capabilities.require(by, ACTIONS[action])
    with transaction.atomic():
        row, desk = _locked(site)
        if action in ("free_start", "free_end", "lunch_end"):
            desk = getattr(desk, action)()
        else:
            # Only a consultant on the roster is moved, and only one may be put on lunch duty.
            found = str(capabilities.owner_candidate(site.project, staff).pk)
            desk = getattr(desk, action)(found)
        row.state = desk.to_json()
        row.save(update_fields=["state", "changed_at"])
    return desk


# What a consultant may do to their own line on the board, from their phone: busy, away, back on site.
SELF_MOVES = frozenset({"go_busy", "finish", "go_away", "come_back"})


def board_move_self(*, site: ledger.Site, staff: ledger.Staff, action: str) -> Desk:
    """A consultant marks themself busy, away or on site again: the board's own moves, on nobody else (Q-1, Q-2)."""
    if action not in SELF_MOVES:
        raise LedgerError(f"未知操作 {action!r}", f"unknown action {action!r}")
    if site.project_id != staff.project_id:
        raise LedgerError("没有这个接待台", "there is no such desk")
    capabilities.require(staff, capabilities.OWN_CUSTOMERS)
    me = str(capabilities.owner_candidate(site.project, staff.pk).pk)  # on the roster (Q-9: not on a day off)
    with transaction.atomic():
        row, desk = _locked(site)
        desk = getattr(desk, action)(me)
        row.state = desk.to_json()
        row.save(update_fields=["state", "changed_at"])
    return desk


def _owned_by(staff: ledger.Staff, customer: ledger.Customer) -> bool:
    verdict = ledger.Verdict.objects.filter(customer=customer).first()
    return bool(verdict and verdict.owners and str(staff.pk) in verdict.owners)


@dataclass(frozen=True)
class Logged:
    """A contact recorded, and what it did: the engine's verdict before and after it."""

    event: ledger.Event
    changed: bool
    status: str
    zh: str  # the engine's sentence for the verdict after the contact
    en: str


def contact_log(
    *,
    staff: ledger.Staff,
    customer: ledger.Customer,
    kind: str,
    user: Any,
    note: str = "",
    next_contact: str = "",
) -> Logged:
    """A follow-up or a call by the customer's owner (IH-4); anyone else's contacts never count for them.

    The contact is a fact and is recorded; whether it changed the claim is the engine's to say (a
    lapsed or void claim is not revived by a follow-up, IH-4 / IH-7), so the answer carries the
    verdict after it and whether it differs from the verdict just before. A follow-up may carry a
    note and the day to contact the customer next (a date as typed, YYYY-MM-DD, in the project's
    zone); both go into the event's body, and the latest of them into the consultant's plan.
    """
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from .models import FollowUpPlan

    if kind not in (FOLLOW_UP, CALL):
        raise LedgerError(f"未知类型：{kind}", f"unknown kind: {kind}")
    capabilities.require(staff, capabilities.OWN_CUSTOMERS)
    if not _owned_by(staff, customer):
        raise LedgerError("只能为自己的客户登记追访或来电", "you can log contacts only for your own customers")
    note = note_checked(note)
    today = timezone.now().astimezone(ZoneInfo(staff.project.time_zone)).date()
    day = next_contact_checked(next_contact, today=today)
    if kind == CALL and (note or day):  # the call's event has no room for them: nothing typed is dropped
        raise LedgerError(
            "备注和下次联系日期请随追访登记", "a note and a next-contact date go with a follow-up", field="note"
        )
    cid = str(customer.pk)
    before = selectors_ledger.timeline_for(staff.project, [customer.pk]).verdict(cid, timezone.now())
    if kind == FOLLOW_UP:
        body = body_for(
            FOLLOW_UP,
            customer=cid,
            staff=str(staff.pk),
            note=note or None,
            next_contact=day.isoformat() if day else None,
        )
    else:
        body = {"customer": cid, "staff": str(staff.pk)}
    with transaction.atomic():
        event = ledger_services.event_append(project=staff.project, kind=kind, body=body, actor=user)
        if kind == FOLLOW_UP:
            FollowUpPlan.objects.update_or_create(
                staff=staff,
                customer=customer,
                defaults={
                    "project": staff.project,
                    "seq": event.seq,
                    "at": event.at,
                    "note": note,
                    "next_contact": day,
                },
            )
    after = ledger.Verdict.objects.get(customer=customer)

    def shares(owners: Any) -> dict[str, str]:
        return {str(k): str(v) for k, v in (owners or {}).items()}

    changed = (before.status, before.until, shares(before.owners)) != (after.status, after.until, shares(after.owners))
    return Logged(event, changed, after.status, after.explain_zh, after.explain_en)


def referral_log(
    *, staff: ledger.Staff, user: Any, name: str, phone: str, referrer: ledger.Customer | None
) -> ledger.Customer:
    """Log in advance a customer a consultant's customer will bring (IH-8), or their own relative (IH-9)."""
    capabilities.require(staff, capabilities.OWN_CUSTOMERS)
    if referrer is not None and not _owned_by(staff, referrer):
        raise LedgerError(
            "介绍人必须是您自己的客户", "the referrer must be one of your own customers", field="referrer"
        )
    name = name_checked(name)
    if not name:
        raise LedgerError("请填写客户姓名", "the customer's name is required", field="name")
    try:
        key = Phone.parse(phone).value
    except EngineError as error:
        raise LedgerError(error.zh, error.en, field="phone") from None
    project = staff.project
    known = lookups.lookup(
        project=project,
        user=user,
        place=lookups.Place.REFERRAL,
        query=key,
        find=lambda: [c for c in customer_search(project, key) if c.phone == key],
    )
    for customer in known:
        _refuse_a_second_referral(staff, customer)
        if not _owned_by(staff, customer):
            # Another consultant's customer, or one already known: the form says no more than that the
            # phone is taken (never the name or the owner), and a manager can link it (PIPL).
            raise LedgerError(
                "该电话已是本项目的客户，不能再作为介绍客户报备；如需关联，请联系销售经理",
                "this phone is already a customer of the project and cannot be logged as a referral; a manager"
                " can link it",
                field="phone",
            )
    with transaction.atomic():
        customer, _ = ledger_services.customer_find_or_create(project=project, name=name, phone=phone)
        _refuse_a_second_referral(staff, customer)
        body = body_for(
            REFERRAL_LOGGED,
            staff=str(staff.pk),
            customer=str(customer.pk),
            referrer=str(referrer.pk) if referrer is not None else None,
        )
        ledger_services.event_append(project=staff.project, kind=REFERRAL_LOGGED, body=body, actor=user)
    return customer


def _refuse_a_second_referral(staff: ledger.Staff, customer: ledger.Customer) -> None:
    """The same consultant logging the same customer again changes nothing (IH-8): say when it was logged."""
    from zoneinfo import ZoneInfo

    timeline = selectors_ledger.timeline_for(staff.project, [customer.pk])
    me, cid = str(staff.pk), str(customer.pk)
    for event in timeline.events:
        if isinstance(event, ReferralLogged) and event.staff == me and event.customer == cid:
            when = event.at.astimezone(ZoneInfo(staff.project.time_zone)).strftime("%Y-%m-%d %H:%M")
            raise LedgerError(
                f"您已于 {when} 报备过 {customer.name}，无需重复报备（IH-8）",
                f"you already logged {customer.name} as a referral on {when}; it is not logged twice (IH-8)",
                field="phone",
            )


def renewal_ask(*, staff: ledger.Staff, customer: ledger.Customer, reason: str) -> Any:
    from .models import RenewalRequest

    capabilities.require(staff, capabilities.OWN_CUSTOMERS)
    if not _owned_by(staff, customer):
        raise LedgerError("只能为自己的客户申请延期", "you can ask to renew only your own customers")
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("请说明延期理由", "say why the claim should be renewed", field="reason")
    if RenewalRequest.objects.filter(customer=customer, staff=staff, status="pending").exists():
        raise LedgerError("该客户已有待审批的延期申请", "a renewal of this customer is already waiting")
    return RenewalRequest.objects.create(project=staff.project, customer=customer, staff=staff, reason=reason)


def renewal_decide(*, manager: ledger.Staff, request_id: int, approve: bool, user: Any) -> Any:
    """A manager's decision on a renewal request; approval records the renewal event now (IH-6)."""
    from django.utils import timezone

    from .models import RenewalRequest

    capabilities.require(manager, capabilities.APPROVE)
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
    """A manager's ruling or transfer (IH-12, IH-16): final from now on, with its reason and the rule departed from.

    The customer can be ruled to a consultant on the roster only, or to nobody (the pool).
    """
    capabilities.require(manager, capabilities.RULE)
    if staff is not None:
        staff = capabilities.owner_candidate(manager.project, staff.pk)
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("裁定必须说明理由", "a ruling needs a reason", field="reason")
    rule = plain_text(rule, limit=16, what=("规则编号", "the rule"), field="rule")
    if not rule:
        raise LedgerError("请选择所偏离的规则", "name the rule the ruling departs from", field="rule")
    body = {
        "customer": str(customer.pk),
        "staff": str(staff.pk) if staff else None,
        "by": str(manager.pk),
        "reason": f"{rule}：{reason}",  # read inside a Chinese sentence: a full-width colon
    }
    with transaction.atomic():
        event = ledger_services.event_append(project=manager.project, kind=RULING, body=body, actor=user)
        # A ruling on the customer settles every dispute open about them (decision 142).
        Dispute.objects.filter(project=manager.project, customer=customer, settled_at__isnull=True).update(
            ruling_seq=event.seq, settled_at=event.at
        )
    return event


def dispute_raise(*, staff: ledger.Staff, customer: ledger.Customer, reason: str) -> Any:
    """Someone in the office contests who a customer belongs to: it waits in the manager's queue (IH-16).

    One open dispute per person and customer: asking twice adds nothing to the queue.
    """
    if customer.project_id != staff.project_id:
        raise LedgerError("没有这位客户", "there is no such customer")
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("请说明归属有何争议", "say what is disputed about the ownership", field="reason")
    with transaction.atomic():
        ledger.Customer.objects.select_for_update().filter(pk=customer.pk).first()  # two clicks make one dispute
        if Dispute.objects.filter(customer=customer, raised_by=staff, settled_at__isnull=True).exists():
            raise LedgerError(
                "您对该客户的争议已在等待经理裁定", "your dispute about this customer is already waiting for a ruling"
            )
        return Dispute.objects.create(project=staff.project, customer=customer, raised_by=staff, reason=reason)


def departure_checked(*, by: ledger.Staff, leaver: ledger.Staff, reason: str) -> str:
    """The departure's reason as it would be recorded, or the refusal: asked before "are you sure?" too."""
    capabilities.require(by, capabilities.RULE)
    if leaver.project_id != by.project_id:
        raise LedgerError("没有这位员工", "there is no such member of staff", field="staff")
    reason = reason_checked(reason)
    if not reason:
        raise LedgerError("请填写离职原因", "give the reason for leaving", field="reason")
    if str(leaver.pk) in departed_staff(by.project):
        raise LedgerError(
            f"{leaver.name}的离职已经登记过", f"{leaver.name}'s departure is already recorded", field="staff"
        )
    return reason


def notice_read(typed: Any) -> date | None:
    """A resignation's notice date as the form sends it (YYYY-MM-DD, or nothing), checked by the engine
    against today, the day of leaving (IH-13, decision 473)."""
    from django.utils import timezone

    from leadledger.engine import money as money_rules

    text = str(typed or "").strip()
    if not text:
        return None
    try:
        notice_on = date.fromisoformat(text)
    except ValueError:
        raise LedgerError("请填写提出辞职的日期", "give the date notice was given", field="notice_on") from None
    return money_rules.notice_checked(notice_on, timezone.localdate())


def departure_record(
    *, by: ledger.Staff, leaver: ledger.Staff, reason: str, user: Any, notice_on: date | None = None
) -> ledger.Event:
    """A consultant leaves: their customers go to the pool (IH-13); a departure is recorded once, with the
    notice date of a resignation (IH-13 pays commission on leaving after a proper 30-day notice)."""
    reason = departure_checked(by=by, leaver=leaver, reason=reason)
    with transaction.atomic():
        ledger.Staff.objects.select_for_update().get(pk=leaver.pk)  # two managers at once record it once
        departure_checked(by=by, leaver=leaver, reason=reason)  # again, under the lock
        notice = notice_on.isoformat() if notice_on is not None else None
        body = body_for(STAFF_LEFT, staff=str(leaver.pk), reason=reason, notice_on=notice)
        event = ledger_services.event_append(project=by.project, kind=STAFF_LEFT, body=body, actor=user)
        from leadledger.money import services as money  # the money side reads the desk's departures

        # IH-13: a dismissal forfeits the unpaid commission to the pool; a lay-off or a proper resignation
        # is paid on leaving
        money.post_departure(event)
        return event


def relation_add(
    *, project: ledger.Project, customer: ledger.Customer, phone: str, kind: str, user: Any
) -> ledger.Relation:
    """A relation told at the desk: recorded as pending, and changing no verdict until verified (ID-4).

    The other customer is looked up like any search at the desk (logged, within the user's limits);
    the form answers whether the phone is a customer, which the desk's own search shows anyway.
    """
    from leadledger.engine.model import RELATION_KINDS

    if kind not in RELATION_KINDS:
        raise LedgerError(f"未知关系：{kind}", f"unknown relation: {kind}")
    try:
        key = Phone.parse(phone, masks=False).value  # a relation joins two known people, not a mask (ID-2)
    except EngineError as error:
        raise LedgerError(error.zh, error.en, field="phone") from None
    # The project's one search finds the other customer; only that exact number is them (ID-1).
    found = lookups.lookup(
        project=project,
        user=user,
        place=lookups.Place.RELATION,
        query=key,
        find=lambda: [c for c in customer_search(project, key) if c.phone == key],
    )
    other = found[0] if found else None
    if other is None:
        raise LedgerError("没有这个电话的客户：请先登记该客户", "no customer has this phone: register them first")
    if other.pk == customer.pk:
        raise LedgerError("不能与自己建立关系", "a customer cannot be related to themselves")
    return relations.relation_create(project=project, a=customer, b=other, kind=kind, verified=False, user=user)


def relation_verify(*, manager: ledger.Staff, relation: ledger.Relation) -> None:
    """A manager verifies a relation (ID-4); the two households are judged again from now on. A relation of a
    customer a distributor claims is refused here: the channel team verifies it with evidence (D-10)."""
    from django.urls import reverse
    from django.utils import timezone

    from leadledger.channel.case_selectors import relation_channel_case

    claimed, case = relation_channel_case(relation)
    code = manager.project.code
    where = reverse("channel_case", args=[code, case.pk]) if case is not None else reverse("channel_team", args=[code])
    capabilities.require_relation_verify(manager, channel_claimed=claimed, case_url=where)
    with transaction.atomic():
        relations.relation_verified(relation=relation, user=manager.user)
        last = ledger.Event.objects.filter(project=manager.project).order_by("-seq").values_list("seq", flat=True)
        ledger_services.verdicts_refresh(
            project=manager.project,
            customer_ids=[relation.a_id, relation.b_id],
            through_seq=last.first() or 0,
            now=timezone.now(),
        )


def notices_read(*, staff: ledger.Staff, notices: list[Notice]) -> int:
    """Mark these notices read now (they have been shown to their consultant); the others stay as they are."""
    from django.utils import timezone

    ids = [n.pk for n in notices if n.read_at is None and n.staff_id == staff.pk]
    return Notice.objects.filter(pk__in=ids, staff=staff, read_at__isnull=True).update(read_at=timezone.now())
