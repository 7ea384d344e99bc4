"""Test helpers: a small cast of named people and a builder for timelines."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadledger.engine import (
    Agent,
    Call,
    Cast,
    Customer,
    Deal,
    EscortedVisit,
    FollowUp,
    ReferralLogged,
    Relation,
    Renewal,
    Ruling,
    Staff,
    StaffLeft,
    Timeline,
    Visit,
    policy_from,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHARED = Path(__file__).resolve().parents[2] / "shared"

# The cast: Alice owns customers, Bob is her colleague, Charlie a third consultant, Zhao the manager.
ALICE, BOB, CHARLIE, ZHAO = "alice", "bob", "charlie", "zhao"
STAFF = {
    ALICE: Staff(id=ALICE, name="王芳"),
    BOB: Staff(id=BOB, name="刘洋"),
    CHARLIE: Staff(id=CHARLIE, name="陈静"),
    ZHAO: Staff(id=ZHAO, name="赵强", role="manager"),
}
CUSTOMERS = {
    "zhang": Customer(id="zhang", name="张伟", phone="+8613800000001"),
    "li": Customer(id="li", name="李娜", phone="+8613900000002"),
    "wang": Customer(id="wang", name="王磊", phone="+8613700000003"),
}
AGENTS = {
    "ming": Agent(id="ming", name="李明", distributor="安居分销"),
    "jie": Agent(id="jie", name="周杰", distributor="好房"),
}


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    """A moment in 2026 in the project's zone."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Story:
    """Write a timeline the way a manager tells it: who did what, when."""

    def __init__(self, policy: dict[str, Any] | None = None, relations: tuple[Relation, ...] = ()) -> None:
        self.policy = policy_from(policy or {})
        self.relations = relations
        self.events: list[Any] = []
        self._ids = count(1)

    def _add(self, kind: type, when: datetime, **fields: Any) -> str:
        event_id = f"e{next(self._ids)}"
        self.events.append(kind(id=event_id, at=when, seq=len(self.events), **fields))
        return event_id

    def visit(self, when: datetime, customer: str, staff: str, **kw: Any) -> str:
        return self._add(Visit, when, customer=customer, staff=staff, **kw)

    def call(self, when: datetime, customer: str, staff: str) -> str:
        return self._add(Call, when, customer=customer, staff=staff)

    def follow_up(self, when: datetime, customer: str, staff: str) -> str:
        return self._add(FollowUp, when, customer=customer, staff=staff)

    def renewal(self, when: datetime, customer: str, staff: str, approved_by: str | None = ZHAO) -> str:
        return self._add(Renewal, when, customer=customer, staff=staff, approved_by=approved_by)

    def referral(self, when: datetime, staff: str, customer: str, referrer: str | None = None) -> str:
        return self._add(ReferralLogged, when, staff=staff, customer=customer, referrer=referrer)

    def ruling(self, when: datetime, customer: str, staff: str | None, by: str = ZHAO) -> str:
        return self._add(Ruling, when, customer=customer, staff=staff, by=by, reason="test")

    def left(self, when: datetime, staff: str, reason: str = "resigned") -> str:
        return self._add(StaffLeft, when, staff=staff, reason=reason)

    def escort(self, when: datetime, customer: str, agent: str) -> str:
        return self._add(EscortedVisit, when, customer=customer, agent=agent)

    def deal(self, when: datetime, customer: str, staff: str, **kw: Any) -> str:
        kw.setdefault("buyer", customer)
        return self._add(Deal, when, customer=customer, staff=staff, **kw)

    def timeline(self, **options: Any) -> Timeline:
        cast = Cast(customers=dict(CUSTOMERS), staff=dict(STAFF), agents=dict(AGENTS), relations=self.relations)
        return Timeline(cast, self.policy, self.events, **options)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
