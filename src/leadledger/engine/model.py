"""The facts the engine judges: people, relations and events (frozen, in, never changed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from .errors import EngineError

E = TypeVar("E")

# Roles that may approve renewals (IH-6) and rule on ownership (IH-16): management, not the desk.
AUTHORITY_ROLES = frozenset({"manager", "sales_manager", "director", "general_manager", "channel_manager", "admin"})
SAME_PERSON = "same_person"  # ID-1: two records of one human being
RELATION_KINDS = (
    "spouse",
    "parent_child",
    "grandparent_grandchild",
    "sibling",
    "partner",
    "friend",
    SAME_PERSON,
)
HOUSEHOLD_KINDS = frozenset({"spouse", "parent_child", "grandparent_grandchild"})  # ID-3
LOOKBACK_KINDS = frozenset({"spouse", "parent_child"})  # D-1: 分销规范 1.1.3 names only these
NAMED_BUYER_KINDS = frozenset({"spouse", "parent_child", "partner", "sibling"})  # D-5
DEPARTURE_REASONS = ("resigned", "laid_off", "dismissed")
HELP_KINDS = ("decisive", "signing_only")


# Event kinds: the names events are stored under in the ledger and written under in scenario files.
VISIT = "visit"
CALL = "call"
FOLLOW_UP = "follow_up"
RENEWAL = "renewal"
REFERRAL_LOGGED = "referral_logged"
STAFF_LEFT = "staff_left"
RULING = "ruling"
ESCORTED_VISIT = "escorted_visit"
DEAL = "deal"
REGISTRATION = "registration"
CHANNEL_RULING = "channel_ruling"
CORRECTION = "visit_correction"


def joins_household(relation_kind: str, verified: bool = True) -> bool:
    """Whether a relation makes its two customers one household (ID-3; one person is one household, ID-1)."""
    return verified and (relation_kind in HOUSEHOLD_KINDS or relation_kind == SAME_PERSON)  # ID-3, ID-4


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
    """Base of every event; `seq` is the order of recording and breaks ties of `at`.

    Each event type declares, once, what the ledger, verify, selectors and imports need to know of
    it without reading its fields by name: its `kind` (the name it is stored and written under), the
    fields naming customers (`customer_fields`: the customers it concerns, the first being the one it
    is filed under), staff (`staff_fields`) and agents (`agent_fields`), and the `schema` version of
    its stored body (see `upcast`).

    `link_fields` are the customer fields naming *another* customer whose history decides what this
    event means (IH-8: the referrer's owner; D-5: the confirmed customer of a deal filed under its
    buyer): whoever judges the filed-under customer must load the linked customers too, and verify
    keeps them with one worker. `by_field` names the staff member the event is *by* (who received the
    visit, made the call, asked for the renewal, ruled, closed the deal); it fills the ledger's
    indexed `staff` column that work is counted from. None where nobody in the body acts: a
    departure names who left, not who recorded it (the ledger's `actor` is that), and an escorted
    visit is an agent's.
    """

    kind: ClassVar[str] = ""
    customer_fields: ClassVar[tuple[str, ...]] = ()
    staff_fields: ClassVar[tuple[str, ...]] = ()
    agent_fields: ClassVar[tuple[str, ...]] = ()
    link_fields: ClassVar[tuple[str, ...]] = ()
    # Judging one event of the kind reads the others of that kind, whoever they concern (D-12's daily
    # cap counts an agent's registrations of every customer): work cut by customer needs them all.
    read_across: ClassVar[bool] = False
    by_field: ClassVar[str | None] = None
    schema: ClassVar[int] = 1

    id: str
    at: datetime
    seq: int = 0


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Visit(Event):
    kind: ClassVar[str] = VISIT
    customer_fields: ClassVar[tuple[str, ...]] = ("customer", "introduced_by")
    staff_fields: ClassVar[tuple[str, ...]] = ("staff", "asks_for", "referred_by_employee")
    link_fields: ClassVar[tuple[str, ...]] = ("introduced_by",)
    by_field: ClassVar[str | None] = "staff"

    customer: str
    staff: str
    registered: bool = True
    asks_for: str | None = None
    introduced_by: str | None = None
    referred_by_employee: str | None = None  # IH-14: staff id of the employee who sent them
    company_referral: bool = False  # IH-15
    site: str | None = None
    # What the desk noted of the visit (engine.visits): no rule reads them; no ownership rests on them.
    party: int | None = None
    source: str | None = None
    intent: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Event):
    kind: ClassVar[str] = CALL
    customer_fields: ClassVar[tuple[str, ...]] = ("customer",)
    staff_fields: ClassVar[tuple[str, ...]] = ("staff",)
    by_field: ClassVar[str | None] = "staff"

    customer: str
    staff: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUp(Event):
    kind: ClassVar[str] = FOLLOW_UP
    customer_fields: ClassVar[tuple[str, ...]] = ("customer",)
    staff_fields: ClassVar[tuple[str, ...]] = ("staff",)
    by_field: ClassVar[str | None] = "staff"

    customer: str
    staff: str
    # What was said and when to call again: the consultant's record, judged by no rule. In the body
    # so that the chain covers them; the date is a calendar day in the project's zone (YYYY-MM-DD).
    note: str = ""
    next_contact: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Renewal(Event):
    kind: ClassVar[str] = RENEWAL
    customer_fields: ClassVar[tuple[str, ...]] = ("customer",)
    staff_fields: ClassVar[tuple[str, ...]] = ("staff", "approved_by")
    by_field: ClassVar[str | None] = "staff"  # the consultant asking; approved_by is the manager

    customer: str
    staff: str
    approved_by: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralLogged(Event):
    kind: ClassVar[str] = REFERRAL_LOGGED
    customer_fields: ClassVar[tuple[str, ...]] = ("customer", "referrer")
    staff_fields: ClassVar[tuple[str, ...]] = ("staff",)
    link_fields: ClassVar[tuple[str, ...]] = ("referrer",)
    by_field: ClassVar[str | None] = "staff"

    staff: str
    customer: str
    referrer: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class StaffLeft(Event):
    kind: ClassVar[str] = STAFF_LEFT
    customer_fields: ClassVar[tuple[str, ...]] = ()
    staff_fields: ClassVar[tuple[str, ...]] = ("staff",)

    staff: str
    reason: str
    # A resignation's notice date (ISO, 提出辞职日期): IH-13 pays commission on leaving only after a
    # proper 30-day notice (engine/money.py `paid_on_leaving`, decision 473). None: not told.
    notice_on: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Ruling(Event):
    kind: ClassVar[str] = RULING
    customer_fields: ClassVar[tuple[str, ...]] = ("customer",)
    staff_fields: ClassVar[tuple[str, ...]] = ("staff", "by")
    by_field: ClassVar[str | None] = "by"

    customer: str
    staff: str | None
    by: str
    reason: str = ""


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class EscortedVisit(Event):
    kind: ClassVar[str] = ESCORTED_VISIT
    customer_fields: ClassVar[tuple[str, ...]] = ("customer",)
    agent_fields: ClassVar[tuple[str, ...]] = ("agent",)

    customer: str
    agent: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Deal(Event):
    kind: ClassVar[str] = DEAL
    customer_fields: ClassVar[tuple[str, ...]] = ("buyer", "customer")
    staff_fields: ClassVar[tuple[str, ...]] = ("staff", "helper", "poacher")
    link_fields: ClassVar[tuple[str, ...]] = ("customer",)
    by_field: ClassVar[str | None] = "staff"

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


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Registration(Event):
    """An agent's registration (报备) of a customer, judged when it is made (D-11, D-12).

    `phone` and `name` are what the agent typed: a full number or a mask in the project's
    `report_phone_mode`; None means the customer's own record. The phone is kept as typed (not
    normalised) because a number that is not a mainland mobile is a refusal (号码无效), not an error.
    """

    kind: ClassVar[str] = REGISTRATION
    customer_fields: ClassVar[tuple[str, ...]] = ("customer",)
    agent_fields: ClassVar[tuple[str, ...]] = ("agent",)
    read_across: ClassVar[bool] = True  # D-12: the agent's attempts that day, for any customer

    customer: str
    agent: str
    phone: str | None = None
    name: str | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelRuling(Event):
    """The channel manager's decision on a customer's channel (D-10), or on an appeal (D-13)."""

    kind: ClassVar[str] = CHANNEL_RULING
    customer_fields: ClassVar[tuple[str, ...]] = ("customer",)
    staff_fields: ClassVar[tuple[str, ...]] = ("by",)
    agent_fields: ClassVar[tuple[str, ...]] = ("agent",)

    customer: str
    agent: str | None = None  # None (or left out of a scenario file): the house
    by: str
    reason: str = ""
    appeal: bool = False


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Correction(Event):
    """A registered visit corrected at the desk (docs/decisions.md 220-222): the visit's own event is
    never changed; from this event on the engine reads the visit as received by `staff`, of
    `customer`, with these notes (None: as registered), and before it as registered.

    Filed under the customer as corrected; `was_customer` (the visit's own) links it to the visit's
    history, so that whoever judges either customer loads both.
    """

    kind: ClassVar[str] = CORRECTION
    customer_fields: ClassVar[tuple[str, ...]] = ("customer", "was_customer")
    staff_fields: ClassVar[tuple[str, ...]] = ("staff", "by")
    link_fields: ClassVar[tuple[str, ...]] = ("was_customer",)
    by_field: ClassVar[str | None] = "by"

    visit: str  # the corrected visit's event id
    customer: str
    was_customer: str
    staff: str
    by: str
    reason: str
    party: int | None = None
    source: str | None = None
    intent: str | None = None


# The event types by their kind.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        Visit,
        Call,
        FollowUp,
        Renewal,
        ReferralLogged,
        StaffLeft,
        Ruling,
        EscortedVisit,
        Deal,
        Registration,
        ChannelRuling,
        Correction,
    )
}


def customers_of(kind: str, body: dict[str, Any]) -> list[str]:
    """The customers a stored body of this kind concerns, as its type declares them (first: filed under)."""
    return [str(body[name]) for name in EVENT_TYPES[kind].customer_fields if body.get(name) is not None]


def linked_customers_of(kind: str, body: dict[str, Any]) -> list[str]:
    """The other customers whose history decides what this body means (its type's `link_fields`)."""
    return [str(body[name]) for name in EVENT_TYPES[kind].link_fields if body.get(name) is not None]


def staff_by(kind: str, body: dict[str, Any]) -> str | None:
    """The staff member this body's event is by (its type's `by_field`), or None."""
    name = EVENT_TYPES[kind].by_field
    value = body.get(name) if name is not None else None
    return None if value is None else str(value)


def kinds_linking() -> tuple[str, ...]:
    """The kinds whose events link customers across households (a `link_fields` declared)."""
    return tuple(kind for kind, cls in EVENT_TYPES.items() if cls.link_fields)


def kinds_without_customer() -> tuple[str, ...]:
    """The kinds filed under no customer (a departure, IH-13): they concern every household."""
    return tuple(kind for kind, cls in EVENT_TYPES.items() if not cls.customer_fields)


def kinds_for_everyone() -> tuple[str, ...]:
    """The kinds every share of work cut by customer needs: filed under nobody, or `read_across`."""
    return tuple(kind for kind, cls in EVENT_TYPES.items() if not cls.customer_fields or cls.read_across)


# Upcasters: (kind, schema) -> a function bringing a stored body of that schema to the next one.
# A field gained with a default needs none (the dataclass fills it); a renamed or reshaped one does.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}
VERSION_KEY = "v"  # a stored body's schema version; absent means 1


def upcast(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """A stored body of any older schema brought to today's shape, without its version key.

    The stored body is never rewritten (the hash chain covers it as stored); this gives a new dict
    whenever anything changes, and the body itself on the common path (schema 1, no key).
    """
    target = EVENT_TYPES[kind].schema
    if VERSION_KEY not in body:
        if target == 1:
            return body
        version = 1
    else:
        body = dict(body)
        version = int(body.pop(VERSION_KEY))
    if version > target:
        raise ValueError(f"{kind} body of schema {version}, newer than this engine's {target}")
    while version < target:
        step = UPCASTERS.get((kind, version))
        if step is not None:
            body = step(dict(body))
        version += 1
    return body


def versioned(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body as it is to be stored: with its schema version when that is past 1."""
    schema = EVENT_TYPES[kind].schema
    return {**body, VERSION_KEY: schema} if schema > 1 else body


def completed(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body as stored: a deal's buyer is its customer unless said otherwise (as in scenario files)."""
    if kind == DEAL and not body.get("buyer") and body.get("customer"):
        return {**body, "buyer": body["customer"]}
    return body


def body_for(kind: str, **values: Any) -> dict[str, Any]:
    """A body of this kind from its fields by keyword (checked against the type; None left out)."""
    known = {f.name for f in fields(EVENT_TYPES[kind])} - {"id", "at", "seq"}
    unknown = set(values) - known
    if unknown:
        raise TypeError(f"{kind} has no field {', '.join(sorted(unknown))}")
    return {name: value for name, value in values.items() if value is not None}


# IH-8: the field of each kind naming who introduced the event's customer.
INTRODUCER_FIELDS: dict[str, str] = {REFERRAL_LOGGED: "referrer", VISIT: "introduced_by"}


def self_introduction(kind: str, body: Mapping[str, Any]) -> EngineError | None:
    """The refusal of a fact naming its own customer as who introduced them (IH-8), or None.

    IH-8 is about a customer introduced by another consultant's customer; one "introduced" by
    themselves would make the referrer's owner depend on the very visit being judged. The ledger
    refuses such a new fact; scenario files and stored events are read as they are (docs/decisions.md 96).
    """
    name = INTRODUCER_FIELDS.get(kind)
    introducer = body.get(name) if name is not None else None
    if introducer is None or str(introducer) != str(body.get("customer")):
        return None
    return EngineError("介绍人不能是客户本人", "a customer cannot be their own referrer", field=name or "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Cast:
    """Everyone a timeline speaks of."""

    customers: dict[str, Customer] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()
    # A distributor's name by the id its agents carry (`Agent.distributor`): sentences name the firm.
    distributors: dict[str, str] = field(default_factory=dict)
