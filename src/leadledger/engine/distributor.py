"""Distributor attribution between a distributor and the house (D-1..D-9): one person's channel."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from .inhouse import ONE, Shares, equal_shares
from .model import EscortedVisit
from .policy import Policy
from .reasons import Reason, reason

NONE, PROTECTED, PUBLIC, VOIDED = "none", "protected", "public", "void"


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

    def status(self) -> str:
        if self.claim is not None:
            return PROTECTED
        if self.lapsed is not None:
            return PUBLIC
        return VOIDED if self.voided else NONE


class ChannelContext:
    __slots__ = ("agents", "contacts", "lookback", "policy", "renew_window", "valid")

    def __init__(
        self,
        policy: Policy,
        contacts: Callable[[datetime, datetime], tuple[Contact, str] | None],
        agents: dict[str, str],
    ) -> None:
        self.policy = policy
        self.lookback = timedelta(days=policy.lookback_days)
        self.valid = timedelta(days=policy.distributor_valid_days)
        self.renew_window = timedelta(days=policy.renew_window_days)
        # (since, until) -> the first in-house contact in [since, until), and "self" or the relation's kind
        self.contacts = contacts
        self.agents = agents  # agent id -> distributor name


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


def escort(state: ChannelState, ctx: ChannelContext, event: EscortedVisit) -> None:
    at = event.at
    settle(state, at)
    state.escorted = True
    claim = state.claim
    if claim is not None:
        if event.agent not in claim.agents and at == claim.start:
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
    if state.lapsed is not None:  # D-4: in-house contact does not disqualify a re-claim
        reasons = [reason("d_reclaim", event.id, agent=event.agent, at=at)]
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


def fold(events: list[EscortedVisit], ctx: ChannelContext, state: ChannelState | None = None) -> ChannelState:
    state = state or ChannelState()
    for event in events:
        escort(state, ctx, event)
    return state
