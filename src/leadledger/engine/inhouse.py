"""In-house attribution between consultants (IH-1..IH-17): one household's events folded into a claim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import singledispatch
from zoneinfo import ZoneInfo

from .model import (
    Call,
    Cast,
    Correction,
    Deal,
    Event,
    FollowUp,
    ReferralLogged,
    Renewal,
    Ruling,
    StaffLeft,
    Visit,
)
from .policy import Policy
from .reasons import Reason, reason

Shares = dict[str, Fraction]
ONE = Fraction(1)

PENDING, ACTIVE, LAPSED, VOID, POOL, FREE = "pending", "active", "lapsed", "void", "pool", "free"


def equal_shares(people: list[str]) -> Shares:
    share = Fraction(1, len(people))
    return dict.fromkeys(people, share)


class Claim:
    """One consultant's (or a split's) hold on a household, as RULES.md section 2 shapes it."""

    __slots__ = (
        "deadline",
        "events",
        "followed",
        "kept",
        "lapsed",
        "member",
        "origin",
        "owners",
        "previous",
        "reasons",
        "sites",
        "start",
        "valid_until",
    )

    def __init__(
        self,
        *,
        owners: Shares,
        origin: str,
        member: str | None,
        start: datetime,
        deadline: datetime | None,
        valid_until: datetime | None,
        reasons: list[Reason],
        events: list[str],
        site: tuple[str, str] | None = None,
    ) -> None:
        self.owners = owners
        self.origin = origin
        self.member = member
        self.start = start
        self.deadline = deadline  # end of the follow-up window (IH-4); None when there is none
        self.followed: datetime | None = None
        self.valid_until = valid_until  # IH-5; None while the follow-up is pending
        self.lapsed = False
        self.kept: tuple[str, str, datetime, datetime] | None = None  # the latest contest kept (IH-7)
        self.sites: dict[str, str] = dict([site]) if site else {}
        self.reasons = reasons
        self.events = events
        self.previous: Shares | None = None

    @property
    def pending(self) -> bool:
        return self.deadline is not None and self.followed is None

    def copy(self) -> Claim:
        """A copy whose time-driven fields (lapsing) can change without touching this one."""
        other = Claim.__new__(Claim)
        for name in Claim.__slots__:
            setattr(other, name, getattr(self, name))
        return other


@dataclass(frozen=True, slots=True, kw_only=True)
class DealSnapshot:
    """What the in-house side knew at the moment a deal was signed."""

    deal: Deal
    owners: Shares | None
    previous: Shares | None
    status: str
    reasons: tuple[Reason, ...]


@dataclass(slots=True)
class HouseholdState:
    claim: Claim | None = None
    pool: Reason | None = None  # why the household is in the pool, if it is
    ended: Claim | None = None  # the last claim voided for want of a follow-up
    claimed_before: bool = False
    has_deal: bool = False
    contacts: dict[str, list[datetime]] = field(default_factory=dict)
    referrals: dict[str, list[ReferralLogged]] = field(default_factory=dict)
    history: list[Reason] = field(default_factory=list)  # calls and unregistered visits before a claim
    assists: list[tuple[str, str, datetime]] = field(default_factory=list)  # (event id, helper, when)
    notes: list[Reason] = field(default_factory=list)
    # IH-6: the latest renewal ignored while there was no claim (never claimed, void, pool), or on the
    # pending claim that then became void; a verdict without a claim says it.
    renewal_ignored: Reason | None = None
    departed: dict[str, StaffLeft] = field(default_factory=dict)
    deals: dict[str, DealSnapshot] = field(default_factory=dict)

    def snapshot(self) -> HouseholdState:
        """A copy that `settle` may move on in time; the history it refers to is shared, read-only."""
        other = HouseholdState.__new__(HouseholdState)
        for name in HouseholdState.__slots__:
            setattr(other, name, getattr(self, name))
        if self.claim is not None:
            other.claim = self.claim.copy()
        return other

    def status(self) -> str:
        claim = self.claim
        if claim is not None:
            if claim.pending:
                return PENDING
            return LAPSED if claim.lapsed else ACTIVE
        if self.pool is not None:
            return POOL
        return VOID if self.ended is not None else FREE


class Context:
    """What a fold may consult besides its own events: the cast, the policy, other households."""

    __slots__ = ("cast", "follow_up", "grace", "owners_at", "policy", "valid", "zone")

    def __init__(
        self,
        cast: Cast,
        policy: Policy,
        owners_at: Callable[[str, Event], Shares | None],
    ) -> None:
        self.cast = cast
        self.policy = policy
        self.zone: ZoneInfo = policy.zone
        self.follow_up = None if policy.follow_up_days is None else timedelta(days=policy.follow_up_days)
        self.valid = timedelta(days=policy.valid_days)
        self.grace = timedelta(days=policy.grace_days)
        self.owners_at = owners_at

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


# Reasons that can recur on one claim; a verdict says only the latest of each, so that the sentence
# read at the desk stays one sentence however long the customer has been courted.
LATEST_ONLY = frozenset({"contest_kept", "renewed", "renewal_ignored", "ruling_ignored", "departed_share"})


def note(reasons: list[Reason], item: Reason) -> None:
    """Add a reason to a claim's (or a history's) list; a recurring kind replaces its previous one."""
    if item.code in LATEST_ONLY:
        for i in range(len(reasons) - 1, -1, -1):
            if reasons[i].code == item.code:
                del reasons[i]
                break
    reasons.append(item)


# -- time passing -------------------------------------------------------------------------------


def settle(state: HouseholdState, at: datetime) -> None:
    """Apply what the mere passing of time does by `at`: voiding (IH-4) and lapsing (IH-5)."""
    claim = state.claim
    if claim is None:
        return
    if claim.deadline is not None and claim.followed is None:
        if at >= claim.deadline:  # IH-4: void at the window's end with no follow-up
            state.ended = claim
            state.claim = None
        return
    if not claim.lapsed and claim.valid_until is not None and at > claim.valid_until:
        claim.lapsed = True  # IH-7: an expired claim stands, lapsed, until contested


def _follow_up_if_due(claim: Claim, at: datetime, ctx: Context, event: str) -> None:
    # IH-4: the window is (start, start + follow_up_days]; the owner's contact inside it keeps the claim.
    if claim.deadline is not None and claim.followed is None and claim.start < at <= claim.deadline:
        claim.followed = at
        claim.valid_until = claim.deadline + ctx.valid  # IH-5: counted from the window's end
        claim.reasons.append(reason("followed_up", event, owner=one_or_many(claim.owners), at=at))
        claim.events.append(event)


def _owner_contact(state: HouseholdState, ctx: Context, staff: str, at: datetime, event: str) -> bool:
    """Record a contact; return True when it was the owner's (IH-4, IH-7)."""
    # The hot path of every fold (follow-ups and calls): the cheap checks are written out here.
    claim = state.claim
    if claim is not None:
        if claim.followed is None and claim.deadline is not None and staff in claim.owners:
            _follow_up_if_due(claim, at, ctx, event)
        settle(state, at)
    contacts = state.contacts.get(staff)
    if contacts is None:
        state.contacts[staff] = [at]
    else:
        contacts.append(at)
    claim = state.claim
    return claim is not None and staff in claim.owners


def _owner_contact_before(state: HouseholdState, owners: Shares, since: datetime, until: datetime) -> datetime | None:
    """The latest contact by an owner in [since, until) (IH-7's grace)."""
    best: datetime | None = None
    for owner in owners:
        for moment in reversed(state.contacts.get(owner, ())):
            if since <= moment < until:
                best = moment if best is None or moment > best else best
                break
            if moment < since:
                break
    return best


# -- registration: the heart of IH-1, IH-7, IH-8..IH-11, IH-14, IH-15, IH-17 ---------------------


def _new_claim(
    state: HouseholdState,
    ctx: Context,
    *,
    event: Event,
    customer: str,
    receiver: str,
    visit: Visit | None,
    origin_reasons: list[Reason],
) -> None:
    at = event.at
    owner = receiver
    origin = "first_contact"
    reasons: list[Reason] = list(origin_reasons)
    chosen = _logged_referral(state, ctx, customer, event)
    staff = ctx.cast.staff
    if chosen is not None:
        owner, why = chosen
        origin = "referral"
        reasons.append(why)
    elif visit is not None and visit.referred_by_employee:
        named = visit.asks_for
        if ctx.policy.employee_referrals == "named" and named in staff and named not in state.departed:
            owner = named
            reasons.append(reason("employee_named", event.id, employee=visit.referred_by_employee, owner=owner))
        else:
            reasons.append(reason("employee_rotation", event.id, employee=visit.referred_by_employee, owner=owner))
        origin = "employee"
    elif visit is not None and visit.asks_for and visit.asks_for in staff and visit.asks_for not in state.departed:
        owner = visit.asks_for  # IH-8: the customer asked for this consultant on arrival
        origin = "request"
        reasons.append(reason("asked_for", event.id, owner=owner, at=at))
    elif visit is not None and visit.company_referral:
        reasons.append(reason("company_referral", event.id, owner=owner))
    if origin == "first_contact" or (origin == "employee" and owner == receiver):
        if isinstance(event, Call):
            reasons.insert(0, reason("phone_first_contact", event.id, owner=owner, at=at))
        else:
            code = "claimed_afresh" if state.claimed_before else "first_contact"
            reasons.insert(0, reason(code, event.id, owner=owner, at=at))
    deadline = None if ctx.follow_up is None else at + ctx.follow_up
    claim = Claim(
        owners={owner: ONE},
        origin=origin,
        member=customer,
        start=at,
        deadline=deadline,
        valid_until=at + ctx.valid if deadline is None else None,  # 方法: validity counts from registration
        reasons=reasons,
        events=[event.id],
        site=(visit.site, owner) if visit is not None and visit.site and owner == receiver else None,
    )
    if state.ended is not None:
        previous = state.ended.owners
        claim.reasons.append(reason("afresh_after_void", state.ended.events[0], previous=one_or_many(previous)))
    if state.pool is not None:
        claim.reasons.append(reason("pool_new", event.id))
    state.claim = claim
    state.claimed_before = True
    state.pool = None
    state.ended = None
    state.renewal_ignored = None
    if owner != receiver:
        state.assists.append((event.id, receiver, event.at))


def _logged_referral(
    state: HouseholdState, ctx: Context, customer: str, registration: Event
) -> tuple[str, Reason] | None:
    # IH-8 / IH-9: the earliest referral logged strictly before the registration wins.
    at = registration.at
    for log in state.referrals.get(customer, ()):
        if log.at >= at:
            break
        if log.staff in state.departed or log.staff not in ctx.cast.staff:
            continue
        if log.referrer is None:
            return log.staff, reason("own_contact_logged", log.id, owner=log.staff, logged=log.at, at=at)
        owners = ctx.owners_at(log.referrer, registration)  # as recorded before it, at the same moment too
        if owners is None or log.staff not in owners:
            state.notes.append(
                reason("referral_unowned", log.id, staff=log.staff, logged=log.at, referrer=log.referrer)
            )
            continue
        return log.staff, reason(
            "referral_logged", log.id, owner=log.staff, logged=log.at, referrer=log.referrer, at=at
        )
    return None


def one_or_many(owners: Shares) -> str | Shares:
    """One person's id, or the share map of a split, as sentences and answers show them."""
    return next(iter(owners)) if len(owners) == 1 else owners


def register(
    state: HouseholdState,
    ctx: Context,
    *,
    event: Event,
    customer: str,
    staff: str,
    visit: Visit | None = None,
) -> None:
    """A registered visit (or, when the policy says so, a call) by `staff` (IH-1)."""
    at = event.at
    if _owner_contact(state, ctx, staff, at, event.id):
        return
    claim = state.claim
    if claim is not None:
        if not claim.lapsed:
            if _site_split(claim, ctx, staff, at, visit):
                return
            # IH-4 / IH-11: someone else's registration while a claim is pending or active is an assist.
            state.assists.append((event.id, staff, at))
            return
        since = at - ctx.grace
        contact = _owner_contact_before(state, claim.owners, since, at)
        owner = one_or_many(claim.owners)
        if contact is not None:  # IH-7: kept, still lapsed
            # Only the latest contest is said; its sentence is made when a verdict is asked for.
            claim.kept = (event.id, staff, at, contact)
            state.assists.append((event.id, staff, at))
            return
        lost = reason(
            "contest_lost",
            event.id,
            owner=owner,
            until=claim.valid_until,
            staff=staff,
            at=at,
            grace=ctx.policy.grace_days,
        )
        state.claim = None
        _new_claim(state, ctx, event=event, customer=customer, receiver=staff, visit=visit, origin_reasons=[lost])
        return
    if state.pool is not None and state.has_deal:
        state.notes.append(reason("pool_signed", event.id))  # IH-13: a signed customer stays in the pool
        state.assists.append((event.id, staff, at))
        return
    _new_claim(
        state,
        ctx,
        event=event,
        customer=customer,
        receiver=staff,
        visit=visit,
        origin_reasons=list(state.history),
    )
    state.history.clear()


def _site_split(claim: Claim, ctx: Context, staff: str, at: datetime, visit: Visit | None) -> bool:
    # IH-17: first registered visits at two different sites on the same local day share the claim.
    if (
        visit is None
        or not visit.site
        or claim.origin != "first_contact"
        or not claim.sites
        or visit.site in claim.sites
        or ctx.local_day(at) != ctx.local_day(claim.start)  # computed only here: the zone is costly
    ):
        return False
    claim.sites[visit.site] = staff
    claim.owners = equal_shares([*claim.owners, staff])
    claim.reasons.append(reason("site_split", visit.id, sites=list(claim.sites), owners=claim.owners))
    claim.events.append(visit.id)
    return True


# -- one small function per event type ---------------------------------------------------------


@singledispatch
def apply(event: Event, state: HouseholdState, ctx: Context) -> None:
    raise TypeError(f"no in-house rule for {type(event).__name__}")  # pragma: no cover


def _departed(state: HouseholdState, staff: str, event: Event) -> bool:
    if staff in state.departed:
        state.notes.append(reason("departed_staff", event.id, staff=staff, at=event.at))
        return True
    return False


@apply.register
def _visit(event: Visit, state: HouseholdState, ctx: Context) -> None:
    if state.departed and _departed(state, event.staff, event):
        settle(state, event.at)
        return
    if not event.registered:  # IH-2: an unregistered visit gives no claim, and is no follow-up
        settle(state, event.at)
        if state.claim is None:
            state.history.append(reason("unregistered", event.id, staff=event.staff, at=event.at))
        return
    register(state, ctx, event=event, customer=event.customer, staff=event.staff, visit=event)


@apply.register
def _correction(event: Correction, state: HouseholdState, ctx: Context) -> None:
    pass  # a marker: the timeline reads the corrected visit in its place (docs/decisions.md 222)


@apply.register
def _call(event: Call, state: HouseholdState, ctx: Context) -> None:
    if state.departed and _departed(state, event.staff, event):
        settle(state, event.at)
        return
    if ctx.policy.phone_contact_claims:  # IH-3: a project may count calls like registered visits
        register(state, ctx, event=event, customer=event.customer, staff=event.staff)
        return
    owned = _owner_contact(state, ctx, event.staff, event.at, event.id)
    if not owned and state.claim is None:
        state.history.append(reason("call_no_claim", event.id, staff=event.staff, at=event.at))


@apply.register
def _follow_up(event: FollowUp, state: HouseholdState, ctx: Context) -> None:
    if state.departed and _departed(state, event.staff, event):
        settle(state, event.at)
        return
    _owner_contact(state, ctx, event.staff, event.at, event.id)


_NO_APPROVAL = ("未经经理批准", "no manager's approval")
_NOT_OWNER = ("不是归属人", "not the owner")
_NO_CLAIM = {
    VOID: ("归属已作废", "the claim is already void"),
    POOL: ("客户在公共客户池中，没有可续的归属", "the customer is in the pool: there is no claim to renew"),
    FREE: ("客户尚无归属，没有可续的归属", "nobody has claimed the customer: there is no claim to renew"),
}


@apply.register
def _renewal(event: Renewal, state: HouseholdState, ctx: Context) -> None:
    # IH-6: only the owner, only with a manager's approval, only where there is a claim.
    at = event.at
    claim = state.claim
    approver = ctx.cast.staff.get(event.approved_by or "")
    why = None
    if approver is None or not approver.has_authority:
        why = _NO_APPROVAL
    elif claim is not None and event.staff in claim.owners:
        _follow_up_if_due(claim, at, ctx, event.id)
    settle(state, at)
    claim = state.claim
    if why is None and claim is None:
        why = _NO_CLAIM[state.status()]
    elif why is None and claim is not None and event.staff not in claim.owners:
        why = _NOT_OWNER
    if why is not None or claim is None:
        reason_zh, reason_en = why or ("", "")
        ignored = reason("renewal_ignored", event.id, staff=event.staff, at=at, why=reason_zh, why_en=reason_en)
        # Said in the verdict, so that the desk can tell the consultant why nothing changed.
        if claim is not None:
            note(claim.reasons, ignored)
            if not claim.pending:
                return
        state.renewal_ignored = ignored  # said by a void, pool or free verdict too
        return
    new_end = at + ctx.valid
    if claim.valid_until is None or new_end > claim.valid_until:
        claim.valid_until = new_end
    claim.lapsed = False
    note(
        claim.reasons,
        reason("renewed", event.id, owner=event.staff, at=at, approver=event.approved_by, until=claim.valid_until),
    )
    claim.events.append(event.id)
    state.contacts.setdefault(event.staff, []).append(at)  # IH-7 counts an approved renewal


@apply.register
def _referral(event: ReferralLogged, state: HouseholdState, ctx: Context) -> None:
    settle(state, event.at)
    if event.staff in state.departed:
        return
    state.referrals.setdefault(event.customer, []).append(event)


@apply.register
def _ruling(event: Ruling, state: HouseholdState, ctx: Context) -> None:
    at = event.at
    settle(state, at)
    judge = ctx.cast.staff.get(event.by)
    if judge is None or not judge.has_authority:
        ignored = reason("ruling_ignored", event.id, by=event.by, at=at)
        note(state.claim.reasons if state.claim is not None else state.history, ignored)
        return
    previous = state.claim.owners if state.claim is not None else None
    text = event.reason or "—"
    if event.staff is None:  # IH-16: a ruling that names nobody sends the customer to the pool
        state.claim = None
        state.ended = None
        state.renewal_ignored = None
        state.pool = reason("ruling_pool", event.id, by=event.by, at=at, reason=text)
        return
    # IH-16: final from its time on; valid `valid_days` with no follow-up window, then lapses as usual.
    reasons = [reason("ruling", event.id, by=event.by, at=at, owner=event.staff, reason=text, until=at + ctx.valid)]
    if previous is not None and event.staff not in previous:  # IH-12: a change of consultant, approved
        reasons.append(reason("transfer", event.id, by=event.by, previous=one_or_many(previous), owner=event.staff))
    claim = Claim(
        owners={event.staff: ONE},
        origin="ruling",
        member=event.customer,
        start=at,
        deadline=None,
        valid_until=at + ctx.valid,
        reasons=reasons,
        events=[event.id],
    )
    claim.previous = previous
    state.claim = claim
    state.claimed_before = True
    state.pool = None
    state.ended = None
    state.renewal_ignored = None


@apply.register
def _staff_left(event: StaffLeft, state: HouseholdState, ctx: Context) -> None:
    at = event.at
    settle(state, at)
    state.departed[event.staff] = event
    claim = state.claim
    if claim is None or event.staff not in claim.owners:
        return
    remaining = [owner for owner in claim.owners if owner != event.staff]
    if remaining:  # a split claim stays with the co-owner (docs/decisions.md)
        claim.owners = equal_shares(remaining)
        note(claim.reasons, reason("departed_share", event.id, staff=event.staff, at=at, owners=claim.owners))
        return
    state.claim = None  # IH-13: back to the sales department's pool
    state.ended = None
    state.renewal_ignored = None
    state.pool = reason("departed_pool", event.id, staff=event.staff, at=at)


@apply.register
def _deal(event: Deal, state: HouseholdState, ctx: Context) -> None:
    settle(state, event.at)
    claim = state.claim
    state.deals[event.id] = DealSnapshot(
        deal=event,
        owners=dict(claim.owners) if claim is not None else None,
        previous=claim.previous if claim is not None else None,
        status=state.status(),
        reasons=tuple(claim.reasons) if claim is not None else (),
    )
    state.has_deal = True


# The fold's hot loop looks handlers up directly; `apply` stays the one place to register them.
HANDLERS: dict[type, Callable[[Event, HouseholdState, Context], None]] = {
    cls: fn for cls, fn in apply.registry.items() if cls is not object
}


def handler(event: Event) -> Callable[[Event, HouseholdState, Context], None]:
    try:
        return HANDLERS[type(event)]
    except KeyError:  # an event type registered after import
        return apply.dispatch(type(event))


def fold(events: list[Event], ctx: Context, state: HouseholdState | None = None) -> HouseholdState:
    """Fold a household's events (already in time order) into its state."""
    state = state or HouseholdState()
    for event in events:
        handler(event)(event, state, ctx)
    return state
