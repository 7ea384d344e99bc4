"""The facts the engine judges: people, relations and events (frozen, in, never changed)."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

E = TypeVar("E")

# Roles that may approve renewals (IH-6) and rule on ownership (IH-16): management, not the desk.
AUTHORITY_ROLES = frozenset({"manager", "sales_manager", "director", "general_manager", "channel_manager", "admin"})
RELATION_KINDS = (
    "spouse",
    "parent_child",
    "grandparent_grandchild",
    "sibling",
    "partner",
    "friend",
    "same_person",
)
HOUSEHOLD_KINDS = frozenset({"spouse", "parent_child", "grandparent_grandchild"})  # ID-3
LOOKBACK_KINDS = frozenset({"spouse", "parent_child"})  # D-1: 分销规范 1.1.3 names only these
NAMED_BUYER_KINDS = frozenset({"spouse", "parent_child", "partner", "sibling"})  # D-5
DEPARTURE_REASONS = ("resigned", "laid_off", "dismissed")
HELP_KINDS = ("decisive", "signing_only")


def _utc(event_id: str, at: datetime) -> datetime:
    # Kept in UTC: comparing datetimes that share one tzinfo needs no offset arithmetic, which
    # makes sorting and windows several times faster. Shown in the project's zone when explained.
    if at.tzinfo is UTC:
        return at
    if at.utcoffset() is None:
        raise ValueError(f"event {event_id!r}: a naive time is ambiguous; give its UTC offset")
    return at.astimezone(UTC)


def quick_init(cls: type[E]) -> type[E]:
    """Give a frozen slots dataclass (an event, a verdict) an __init__ that fills its slots directly.

    The generated frozen __init__ goes through object.__setattr__ for every field, which made
    building a million events cost more than folding them. Writing through the slots' own
    descriptors is half the cost; instances stay frozen (assignment still raises) and equal.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"_utc": _utc}
    params = []
    for f in fields(cls):  # type: ignore[arg-type]
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__  # the slot, wherever in the MRO
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    is_event = "id" in names and "at" in names  # events keep their moment in UTC; others as given
    body = "\n".join(
        f"    _set_{name}(self, _utc(id, at))" if name == "at" and is_event else f"    _set_{name}(self, {name})"
        for name in names
    )
    exec(f"def __init__(self, *, {', '.join(params)}):\n{body}\n", namespace)
    cls.__init__ = namespace["__init__"]  # type: ignore[method-assign]
    return cls


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    id: str
    name: str
    phone: str | None = None  # normalised E.164, or a mask such as 138****5678 (ID-2)
    id_number: str | None = None
    employee: bool = False  # a company employee (IH-14)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Staff:
    id: str
    name: str
    role: str = "consultant"

    @property
    def has_authority(self) -> bool:
        return self.role in AUTHORITY_ROLES


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    id: str
    name: str
    distributor: str = ""


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    a: str
    b: str
    kind: str
    verified: bool = False  # ID-4: an unverified relation has no effect


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event; `seq` is the order of recording and breaks ties of `at`."""

    id: str
    at: datetime
    seq: int = 0


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Visit(Event):
    customer: str
    staff: str
    registered: bool = True
    asks_for: str | None = None
    introduced_by: str | None = None
    referred_by_employee: str | None = None  # IH-14: staff id of the employee who sent them
    company_referral: bool = False  # IH-15
    site: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Event):
    customer: str
    staff: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUp(Event):
    customer: str
    staff: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Renewal(Event):
    customer: str
    staff: str
    approved_by: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralLogged(Event):
    staff: str
    customer: str
    referrer: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class StaffLeft(Event):
    staff: str
    reason: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Ruling(Event):
    customer: str
    staff: str | None
    by: str
    reason: str = ""


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class EscortedVisit(Event):
    customer: str
    agent: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Deal(Event):
    customer: str
    buyer: str
    staff: str
    helper: str | None = None
    help: str | None = None
    poacher: str | None = None
    unknowing: bool = False
    complaint_transfer: bool = False
    special_approval: bool = False
    on_the_spot: bool = False


# The event types by the names the scenario format and the ledger store them under.
EVENT_TYPES: dict[str, type[Event]] = {
    "visit": Visit,
    "call": Call,
    "follow_up": FollowUp,
    "renewal": Renewal,
    "referral_logged": ReferralLogged,
    "staff_left": StaffLeft,
    "ruling": Ruling,
    "escorted_visit": EscortedVisit,
    "deal": Deal,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Cast:
    """Everyone a timeline speaks of."""

    customers: dict[str, Customer] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()
