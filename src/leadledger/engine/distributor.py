"""Distributor attribution between a distributor and the house (D-1..D-14): one person's channel."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from .errors import EngineError
from .identity import normalise_phone
from .inhouse import ONE, Shares, equal_shares
from .model import ChannelRuling, Customer, EscortedVisit, Event, Registration
from .policy import Policy
from .reasons import Reason, reason

NONE, PROTECTED, PUBLIC, VOIDED = "none", "protected", "public", "void"

# D-12's refusals, in the order the first that applies is given; the agent learns only the word.
CAP, INVALID, OWNER, DUPLICATE, TAKEN, KNOWN = (
    "超出当日报备上限",
    "号码无效",
    "已成交业主",
    "重复报备",
    "已被报备",
    "案场已有接触",
)
REFUSALS = (CAP, INVALID, OWNER, DUPLICATE, TAKEN, KNOWN)
REFUSALS_EN = {
    CAP: "daily registration limit reached",
    INVALID: "invalid number",
    OWNER: "already an owner",
    DUPLICATE: "already registered by you",
    TAKEN: "already registered",
    KNOWN: "already known to the sales office",
}
# The words the trade uses for a registration as its agent sees it ("my customers", D-11..D-13).
REGISTERED, VISITED, SUBSCRIBED, SIGNED, LAPSED, INVALIDATED, PUBLIC_WORD = (
    "报备成功",
    "已到访",
    "已认购",
    "已签约",
    "已失效",
    "无效",
    "公客",
)
STANDING_EN = {
    REGISTERED: "registered",
    VISITED: "visited",
    SUBSCRIBED: "subscribed",
    SIGNED: "signed",
    LAPSED: "lapsed",
    INVALIDATED: "invalid",
    PUBLIC_WORD: "public",
}
# Where a deal stands in sales control (销控), as a registration's word reads it (decision 482): the
# ledger's `deal` is written when the deposit is taken (认购), and the unit is signed (签约) or returned
# (退房) later. A deal sales control does not know (an import, a replayed file) is a signing (decision 254).
DEAL_SUBSCRIBED, DEAL_SIGNED, DEAL_RETURNED = "subscribed", "signed", "returned"
_TYPED_MASK = re.compile(r"^(?:\+?86)?(1\d{2,3})[*xX×]{4}(\d{3,4})$")


class TypedPhone(NamedTuple):
    """What an agent typed for a registration: a full number (E.164) or a mask's visible digits."""

    e164: str | None
    prefix: str = ""
    suffix: str = ""

    @property
    def masked(self) -> bool:
        return self.e164 is None


def read_typed_phone(raw: str, mode: str) -> TypedPhone | None:
    """A registration's number if acceptable in the project's `report_phone_mode`, else None (D-12)."""
    text = re.sub(r"[\s\-().·]", "", unicodedata.normalize("NFKC", raw))
    match = _TYPED_MASK.match(text)
    if match is not None:
        prefix, suffix = match.groups()
        wanted = {"前三后四": (3, 4), "前四后三": (4, 3)}.get(mode)  # `full`: no mask is acceptable
        return TypedPhone(None, prefix, suffix) if (len(prefix), len(suffix)) == wanted else None
    try:
        e164 = normalise_phone(text)
    except EngineError:
        return None
    national = e164.removeprefix("+86")
    # A mainland mobile: +86 and eleven digits from 1 (landlines and foreign numbers are refused).
    if not e164.startswith("+86") or len(national) != 11 or not national.startswith("1"):
        return None
    return TypedPhone(e164)


def surname(name: str) -> str:
    """The surname a masked registration is matched by (ID-2): the name's first character."""
    clean = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return clean[:1]


def agrees(event: Registration, record: Customer, mode: str) -> bool:
    """Whether a registration is of this customer record: its number (full, or a mask's visible
    digits with the surname) agrees with the number taken at the visit (D-12, ID-2)."""
    if event.phone is None:
        return True
    typed = read_typed_phone(event.phone, mode)
    if typed is None:
        return False
    stored = record.phone
    if stored is None or "*" in stored:  # no full number on record: nothing to disagree with
        return True
    if typed.e164 is not None:
        return typed.e164 == stored
    national = stored.removeprefix("+86")
    return (
        national.startswith(typed.prefix)
        and national.endswith(typed.suffix)
        and surname(event.name or record.name) == surname(record.name)
    )


def may_be_registered(typed: TypedPhone, name: str, record: Customer) -> bool:
    """Whether a registration typed as a mask and a name may be of this record (D-12, ID-2): the
    record's number shows the mask's visible digits (or is that mask), and the surname is the same.

    A full number is the record with that number, nothing else: it is not asked here.
    """
    stored = record.phone
    if not typed.masked or not stored or surname(name) != surname(record.name):
        return False
    if "*" in stored:
        return stored.removeprefix("+86") == f"{typed.prefix}****{typed.suffix}"
    national = stored.removeprefix("+86")
    return len(national) == 11 and national.startswith(typed.prefix) and national.endswith(typed.suffix)


class Outcome(NamedTuple):
    """A registration as judged when it was made (D-11, D-12)."""

    accepted: bool
    refusal: str | None
    until: datetime | None
    reasons: tuple[Reason, ...]


class Held(NamedTuple):
    """An accepted registration that holds the person until `until` (D-11 under report_visit)."""

    agent: str
    start: datetime
    until: datetime
    event: str


class Contact(Protocol):
    """An in-house interaction (visit, call, follow-up) that D-1 looks back for: the event itself."""

    @property
    def at(self) -> datetime: ...
    @property
    def id(self) -> str: ...
    @property
    def customer(self) -> str: ...  # the record it was logged under (D-7: another phone of the person)


class ChannelClaim:
    __slots__ = ("agents", "events", "expiry", "reasons", "start")

    def __init__(
        self, *, agents: Shares, start: datetime, expiry: datetime, reasons: list[Reason], events: list[str]
    ) -> None:
        self.agents = agents
        self.start = start
        self.expiry = expiry
        self.reasons = reasons
        self.events = events


@dataclass(slots=True)
class ChannelState:
    claim: ChannelClaim | None = None
    lapsed: ChannelClaim | None = None  # the last claim that ended unrenewed (public, D-3/D-4)
    voided: tuple[Reason, ...] = ()  # why the last confirmation was the house's (D-1, D-7)
    history: list[ChannelClaim] = field(default_factory=list)
    escorted: bool = False
    notes: list[Reason] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)  # accepted registrations (report_visit)
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # registration id -> as judged
    acts: dict[str, datetime] = field(default_factory=dict)  # agent -> their latest registration or escort

    def status(self) -> str:
        if self.claim is not None:
            return PROTECTED
        if self.lapsed is not None:
            return PUBLIC
        return VOIDED if self.voided else NONE


def _nothing(_event: Event) -> None:
    return None


def _first(_event: Registration) -> int:
    return 1


class ChannelContext:
    __slots__ = (
        "agents",
        "agrees",
        "attempt",
        "authority",
        "bought",
        "contacts",
        "deal_between",
        "lead",
        "lookback",
        "number",
        "policy",
        "renew_window",
        "report_days",
        "scheme",
        "valid",
    )

    def __init__(
        self,
        policy: Policy,
        contacts: Callable[[datetime, datetime], tuple[Contact, str] | None],
        agents: Mapping[str, str],
        *,
        attempt: Callable[[Registration], int] = _first,
        bought: Callable[[Event], str | None] = _nothing,
        agrees: Callable[[Registration], bool] | None = None,
        deal_between: Callable[[datetime, datetime], str | None] | None = None,
        authority: Callable[[str], bool] | None = None,
        number: Callable[[Registration], str | None] | None = None,
    ) -> None:
        self.policy = policy
        self.lookback = timedelta(days=policy.lookback_days)
        self.valid = timedelta(days=policy.distributor_valid_days)
        self.renew_window = timedelta(days=policy.renew_window_days)
        self.scheme = policy.protection_scheme
        self.lead = timedelta(minutes=policy.report_lead_minutes)
        self.report_days = timedelta(days=policy.report_visit_days)
        # (since, until) -> the first in-house contact in [since, until), and "self" or the relation's kind
        self.contacts = contacts
        self.agents = agents  # agent id -> distributor name
        self.attempt = attempt  # D-12: the registration's number among its agent's attempts that day
        self.bought = bought  # D-12: a deal of the person's household before the event, if any
        self.agrees = agrees or (lambda _event: True)  # D-12 / ID-2: typed number agrees with the record
        self.deal_between = deal_between or (lambda _since, _until: None)  # D-13: a deal to appeal against
        self.authority = authority or (lambda _staff: True)  # D-10: who may rule on a channel
        self.number = number or (lambda event: event.phone)  # D-12: the number a registration carries


def first_contact_between(
    times: list[datetime], contacts: Sequence[Contact], since: datetime, until: datetime
) -> Contact | None:
    """The first contact in [since, until), from a list sorted by time (D-1)."""
    i = bisect_left(times, since)
    if i < len(times) and times[i] < until:
        return contacts[i]
    return None


def settle(state: ChannelState, at: datetime) -> None:
    claim = state.claim
    if claim is not None and at > claim.expiry:  # D-2 / D-3: public from the moment protection ends
        state.lapsed = claim
        state.claim = None


def _qualifying(state: ChannelState, ctx: ChannelContext, agent: str, at: datetime) -> Held | None:
    """D-11 (report_visit): the agent's accepted registration made 30 minutes to 7 days before the visit."""
    for held in state.held:
        if held.agent == agent and at - ctx.report_days <= held.start <= at - ctx.lead:
            return held
    return None


def _unregistered(state: ChannelState, ctx: ChannelContext, event: EscortedVisit) -> Reason:
    """Why an escorted visit claims nothing under a registration scheme (D-11)."""
    if ctx.scheme == "report_visit":
        for held in state.held:  # registered, but at the door (防截客)
            if held.agent == event.agent and event.at - ctx.lead < held.start <= event.at:
                return reason(
                    "d_registered_late",
                    event.id,
                    agent=event.agent,
                    registered=held.start,
                    at=event.at,
                    lead=ctx.policy.report_lead_minutes,
                )
        return reason(
            "d_unregistered",
            event.id,
            agent=event.agent,
            at=event.at,
            lead=ctx.policy.report_lead_minutes,
            days=ctx.policy.report_visit_days,
        )
    return reason("d_unregistered_report", event.id, agent=event.agent, at=event.at)


def escort(state: ChannelState, ctx: ChannelContext, event: EscortedVisit) -> None:
    at = event.at
    settle(state, at)
    state.escorted = True
    state.acts[event.agent] = at
    claim = state.claim
    scheme = ctx.scheme
    if claim is not None:
        if (
            event.agent not in claim.agents
            and at == claim.start
            and (scheme == "visit" or (scheme == "report_visit" and _qualifying(state, ctx, event.agent, at)))
        ):
            claim.agents = equal_shares([*claim.agents, event.agent])  # D-9: same moment, split
            claim.reasons.append(reason("d_simultaneous", event.id, agents=list(claim.agents)))
            claim.events.append(event.id)
        elif event.agent in claim.agents and claim.expiry - ctx.renew_window <= at < claim.expiry:
            claim.expiry += ctx.valid  # D-3: the new period starts when the old one ends
            claim.reasons.append(
                reason(
                    "d_renewed",
                    event.id,
                    agent=event.agent,
                    at=at,
                    window=ctx.policy.renew_window_days,
                    until=claim.expiry,
                )
            )
            claim.events.append(event.id)
        else:  # D-8: the first confirmer keeps a valid claim
            holder = next(iter(claim.agents)) if len(claim.agents) == 1 else claim.agents
            state.notes.append(reason("d_first_keeps", event.id, agent=event.agent, at=at, holder=holder))
        return
    distributor = ctx.agents.get(event.agent, "")
    held: Held | None = None
    if scheme != "visit":
        held = _qualifying(state, ctx, event.agent, at) if scheme == "report_visit" else None
        if held is None:  # D-11: no claim without a registration (report: only a registration claims)
            note = _unregistered(state, ctx, event)
            if state.lapsed is None:
                state.voided = (note,)
            else:
                state.notes.append(note)
            return
    if state.lapsed is not None:  # D-4: in-house contact does not disqualify a re-claim
        reasons = [reason("d_reclaim", event.id, agent=event.agent, at=at)]
    elif held is not None:
        # D-11: D-1 was checked back from the registration when it was accepted (案场已有接触);
        # the house's contacts since then do not disqualify the claim.
        reasons = [
            reason(
                "d_valid_registered",
                event.id,
                agent=event.agent,
                distributor=distributor,
                registered=held.start,
                at=at,
                lookback=ctx.policy.lookback_days,
            )
        ]
    else:
        found = ctx.contacts(at - ctx.lookback, at)
        if found is not None:  # D-1: the house had contact in the lookback window
            contact, kind = found
            house = reason(
                "d_house",
                event.id,
                agent=event.agent,
                at=at,
                who=contact.customer,
                contact=contact.at,
                lookback=ctx.policy.lookback_days,
            )
            if kind == "self" and contact.customer != event.customer:
                # D-7: the same person under another number was known to the house
                state.voided = (house, reason("d_other_phone", contact.id, record=contact.customer))
            else:
                state.voided = (house,)
            return
        reasons = [
            reason(
                "d_valid",
                event.id,
                agent=event.agent,
                distributor=distributor,
                at=at,
                lookback=ctx.policy.lookback_days,
            )
        ]
    state.voided = ()
    claim = ChannelClaim(agents={event.agent: ONE}, start=at, expiry=at + ctx.valid, reasons=reasons, events=[event.id])
    state.claim = claim
    state.history.append(claim)


def _holds(state: ChannelState, at: datetime) -> list[str]:
    """The agents who hold the person at `at`: a valid claim, or an accepted registration (D-11)."""
    agents = list(state.claim.agents) if state.claim is not None else []
    agents.extend(held.agent for held in state.held if held.start <= at <= held.until)
    return agents


def judge(state: ChannelState, ctx: ChannelContext, event: Registration) -> str | None:
    """D-12: the first refusal that applies, in the rule's order, or None when accepted."""
    at = event.at
    if ctx.attempt(event) > ctx.policy.report_daily_cap:
        return CAP
    typed = ctx.number(event)  # what the agent typed, or the record's number when nothing was
    if typed is None or read_typed_phone(typed, ctx.policy.report_phone_mode) is None:
        return INVALID
    deal = ctx.bought(event)
    if deal is not None:
        return OWNER
    holders = _holds(state, at)
    if event.agent in holders:
        return DUPLICATE
    if holders:
        return TAKEN
    public = state.claim is None and state.lapsed is not None  # D-4: a lapsed customer may be claimed again
    if not public and ctx.contacts(at - ctx.lookback, at) is not None:
        return KNOWN
    return None


def register(state: ChannelState, ctx: ChannelContext, event: Registration) -> None:
    """An agent's registration, judged when made (D-12) and holding as the scheme says (D-11)."""
    at = event.at
    settle(state, at)
    state.held = [held for held in state.held if at <= held.until]
    state.acts[event.agent] = at
    refusal = judge(state, ctx, event)
    if refusal is not None:
        state.outcomes[event.id] = Outcome(
            False,
            refusal,
            None,
            (
                reason(
                    "r_refused",
                    event.id,
                    agent=event.agent,
                    at=at,
                    word=refusal,
                    word_en=f"{refusal} ({REFUSALS_EN[refusal]})",
                ),
            ),
        )
        return
    scheme = ctx.scheme
    if scheme == "visit":  # D-11: checked and recorded; the claim starts at the escorted visit
        state.outcomes[event.id] = Outcome(
            True, None, None, (reason("r_accepted_visit", event.id, agent=event.agent, at=at),)
        )
        return
    until = at + (ctx.report_days if scheme == "report_visit" else ctx.valid)
    accepted = reason("r_accepted", event.id, agent=event.agent, at=at, until=until)
    if not ctx.agrees(event):  # ID-2: a number or surname that is not this customer's holds nothing here
        state.outcomes[event.id] = Outcome(
            True, None, until, (accepted, reason("r_elsewhere", event.id, agent=event.agent))
        )
        return
    state.outcomes[event.id] = Outcome(True, None, until, (accepted,))
    if scheme == "report_visit":
        state.held.append(Held(event.agent, at, until, event.id))
        return
    # D-11 (report): the accepted registration is itself the claim, valid distributor_valid_days.
    distributor = ctx.agents.get(event.agent, "")
    code = "d_reclaim_registered" if state.lapsed is not None else "d_registration_claim"
    claim = ChannelClaim(
        agents={event.agent: ONE},
        start=at,
        expiry=until,
        reasons=[
            reason(code, event.id, agent=event.agent, distributor=distributor, at=at, lookback=ctx.policy.lookback_days)
        ],
        events=[event.id],
    )
    state.escorted = True
    state.voided = ()
    state.claim = claim
    state.history.append(claim)


def _appealable(state: ChannelState, ctx: ChannelContext, event: ChannelRuling) -> bool:
    """D-13: an appeal is heard within appeal_days of the refusal or verdict it is against."""
    since = event.at - timedelta(days=ctx.policy.appeal_days)
    last = state.acts.get(event.agent or "")
    return (last is not None and last >= since) or ctx.deal_between(since, event.at) is not None


def rule(state: ChannelState, ctx: ChannelContext, event: ChannelRuling) -> None:
    """The channel manager's ruling (D-10), or an appeal decided (D-13): the verdict follows it."""
    at = event.at
    settle(state, at)
    if not ctx.authority(event.by):  # as IH-16: only management rules
        state.notes.append(reason("d_ruling_ignored", event.id, by=event.by, at=at))
        return
    if event.appeal and event.agent is not None and not _appealable(state, ctx, event):
        state.notes.append(reason("d_appeal_late", event.id, agent=event.agent, at=at, days=ctx.policy.appeal_days))
        return
    state.held = []
    if event.agent is None:
        code = "d_appeal_rejected" if event.appeal else "d_ruling_house"
        state.claim, state.lapsed = None, None
        state.voided = (reason(code, event.id, by=event.by, at=at, why=event.reason or "—"),)
        return
    code = "d_appeal_upheld" if event.appeal else "d_ruling"
    claim = ChannelClaim(
        agents={event.agent: ONE},
        start=at,
        expiry=at + ctx.valid,
        reasons=[reason(code, event.id, agent=event.agent, by=event.by, at=at, why=event.reason or "—")],
        events=[event.id],
    )
    state.voided = ()
    state.claim = claim
    state.history.append(claim)


def fold(
    events: Sequence[EscortedVisit | Registration | ChannelRuling],
    ctx: ChannelContext,
    state: ChannelState | None = None,
) -> ChannelState:
    state = state or ChannelState()
    for event in events:
        kind = type(event)
        if kind is EscortedVisit:
            escort(state, ctx, event)  # type: ignore[arg-type]
        elif kind is Registration:
            register(state, ctx, event)  # type: ignore[arg-type]
        else:
            rule(state, ctx, event)  # type: ignore[arg-type]
    return state
