"""Scenario files (shared/scenarios/FORMAT.md): read strictly, with the JSON path of every mistake."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .errors import EngineError
from .identity import normalise_id_number, normalise_name
from .model import (
    DEPARTURE_REASONS,
    EVENT_TYPES,
    HELP_KINDS,
    RELATION_KINDS,
    Agent,
    Call,
    Cast,
    ChannelRuling,
    Correction,
    Customer,
    Deal,
    EscortedVisit,
    Event,
    FollowUp,
    ReferralLogged,
    Registration,
    Relation,
    Renewal,
    Ruling,
    Staff,
    StaffLeft,
    Visit,
    quick_init,
)
from .phone import Phone
from .policy import Policy, policy_from

REFUSALS = ("号码无效", "已成交业主", "案场已有接触", "已被报备", "重复报备", "超出当日报备上限")  # D-12

TOP_KEYS = {
    "kind",
    "title",
    "description",
    "rules",
    "policy",
    "customers",
    "staff",
    "agents",
    "relations",
    "events",
    "expect",
}
ROTATION_KEYS = {"kind", "title", "description", "rules", "roster", "steps"}


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """An `expect` item: one customer at one moment, or one deal."""

    index: int
    raw: Mapping[str, Any]
    customer: str | None = None
    at: datetime | None = None
    deal: str | None = None
    registration: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    title: str
    cast: Cast
    policy: Policy
    events: tuple[Event, ...]
    questions: tuple[Question, ...]
    policy_data: Mapping[str, Any] = field(default_factory=dict)


def fail(path: str, zh: str, en: str) -> EngineError:
    return EngineError(zh, en, path=path)


def as_obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(path, "应为 JSON 对象", "must be a JSON object")
    return value


def as_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise fail(path, "应为 JSON 数组", "must be a JSON array")
    return value


def as_str(value: Any, path: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise fail(path, "应为非空字符串", "must be a non-empty string")
    return value


def as_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise fail(path, "应为 true 或 false", "must be true or false")
    return value


def check_keys(data: Mapping[str, Any], path: str, required: set[str], optional: set[str]) -> None:
    for key in data:
        if key not in required and key not in optional:
            raise fail(f"{path}.{key}", f"未知字段 {key!r}", f"unknown field {key!r}")
    for key in sorted(required):
        if key not in data:
            raise fail(f"{path}.{key}", f"缺少必填字段 {key!r}", f"missing required field {key!r}")


def parse_time(value: Any, path: str) -> datetime:
    """An ISO 8601 moment with its UTC offset; a naive or impossible date is refused."""
    if not isinstance(value, str):
        raise fail(
            path,
            "时间应为 ISO 8601 字符串，例如 2026-03-01T10:00:00+08:00",
            "a time must be an ISO 8601 string such as 2026-03-01T10:00:00+08:00",
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            path,
            f"无效的时间 {value!r}（日期不存在或格式错误）",
            f"invalid time {value!r} (no such date, or not ISO 8601)",
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise fail(path, f"时间 {value!r} 缺少时区，例如 +08:00", f"time {value!r} has no UTC offset, e.g. +08:00")
    return moment


def read_customer(raw: Any, i: int, known: Mapping[str, Customer]) -> Customer:
    """The customer at index `i` of a scenario's customers (`known`: those before it), or the
    EngineError naming the mistake."""
    path = f"$.customers[{i}]"
    item = as_obj(raw, path)
    check_keys(item, path, {"id"}, {"name", "phone", "id_number", "employee"})
    cid = as_str(item["id"], f"{path}.id")
    if cid in known:
        raise fail(f"{path}.id", f"客户编号 {cid!r} 重复", f"duplicate customer id {cid!r}")
    name = normalise_name(as_str(item.get("name", cid), f"{path}.name"))
    phone = item.get("phone")
    if phone is not None:
        try:
            phone = Phone.parse(as_str(phone, f"{path}.phone")).value
        except EngineError as error:
            raise error.at(f"{path}.phone") from None
    id_number = item.get("id_number")
    if id_number is not None:
        try:
            id_number = normalise_id_number(as_str(id_number, f"{path}.id_number"))
        except EngineError as error:
            raise error.at(f"{path}.id_number") from None
    employee = as_bool(item.get("employee", False), f"{path}.employee")
    return Customer(id=cid, name=name, phone=phone, id_number=id_number, employee=employee)


_PLAIN_CUSTOMER_KEYS = frozenset({"id", "name", "phone"})


def _quick_customer(raw: Any) -> Customer | None:
    """The common customer (an id, a name, a phone, all text) read as `read_people` reads it, without
    a JSON path made for each field; None for anything else, which `read_people` then reads itself."""
    if type(raw) is not dict or not raw.keys() <= _PLAIN_CUSTOMER_KEYS:
        return None
    cid, phone = raw.get("id"), raw.get("phone")
    name = raw.get("name", cid)
    if type(cid) is not str or type(name) is not str or not cid.strip() or not name.strip():
        return None
    if phone is not None:
        if type(phone) is not str or not phone.strip():
            return None
        try:
            phone = Phone.parse(phone).value
        except EngineError:
            return None
    return Customer(id=cid, name=normalise_name(name), phone=phone)


def read_customers(data: dict[str, Any], part: tuple[int, int | None] = (0, None)) -> dict[str, Customer]:
    """The customers of a scenario, or those from index `part[0]` up to `part[1]` (replay's shares
    each read a part: then a customer repeated in another part is for the caller to find)."""
    customers: dict[str, Customer] = {}
    items = as_list(data.get("customers", []), "$.customers")
    start, stop = part
    for i, raw in enumerate(items[start:stop], start):
        customer = _quick_customer(raw)
        if customer is None or customer.id in customers:  # the careful reader names the mistake
            customer = read_customer(raw, i, customers)
        customers[customer.id] = customer
    return customers


def read_people(data: dict[str, Any], customers: dict[str, Customer] | None = None) -> Cast:
    """Everyone a scenario names; its customers read here unless given (`read_customers`)."""
    if customers is None:
        customers = read_customers(data)
    staff: dict[str, Staff] = {}
    for i, raw in enumerate(as_list(data.get("staff", []), "$.staff")):
        path = f"$.staff[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"id"}, {"name", "role"})
        sid = as_str(item["id"], f"{path}.id")
        if sid in staff:
            raise fail(f"{path}.id", f"员工编号 {sid!r} 重复", f"duplicate staff id {sid!r}")
        staff[sid] = Staff(
            id=sid,
            name=as_str(item.get("name", sid), f"{path}.name"),
            role=as_str(item.get("role", "consultant"), f"{path}.role"),
        )
    agents: dict[str, Agent] = {}
    for i, raw in enumerate(as_list(data.get("agents", []), "$.agents")):
        path = f"$.agents[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"id"}, {"name", "distributor"})
        aid = as_str(item["id"], f"{path}.id")
        if aid in agents:
            raise fail(f"{path}.id", f"经纪人编号 {aid!r} 重复", f"duplicate agent id {aid!r}")
        agents[aid] = Agent(
            id=aid,
            name=as_str(item.get("name", aid), f"{path}.name"),
            distributor=as_str(item.get("distributor", ""), f"{path}.distributor", empty=True),
        )
    relations: list[Relation] = []
    for i, raw in enumerate(as_list(data.get("relations", []), "$.relations")):
        path = f"$.relations[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"a", "b", "kind"}, {"verified"})
        a, b = as_str(item["a"], f"{path}.a"), as_str(item["b"], f"{path}.b")
        for key, ref in (("a", a), ("b", b)):
            if ref not in customers:
                raise fail(f"{path}.{key}", f"未知客户 {ref!r}", f"unknown customer {ref!r}")
        if a == b:
            raise fail(path, f"客户 {a!r} 不能与自己有关系", f"a relation of customer {a!r} to itself")
        kind = item["kind"]
        if kind not in RELATION_KINDS:
            raise fail(
                f"{path}.kind",
                f"未知关系 {kind!r}，可选：{'、'.join(RELATION_KINDS)}",
                f"unknown relation kind {kind!r}; one of {', '.join(RELATION_KINDS)}",
            )
        relations.append(
            Relation(a=a, b=b, kind=kind, verified=as_bool(item.get("verified", False), f"{path}.verified"))
        )
    return Cast(customers=customers, staff=staff, agents=agents, relations=tuple(relations))


# type: (required fields, optional fields)
EVENT_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "visit": (
        {"customer", "staff"},
        {"registered", "asks_for", "introduced_by", "site", "referred_by_employee", "company_referral"},
    ),
    "call": ({"customer", "staff"}, set()),
    "follow_up": ({"customer", "staff"}, set()),
    "renewal": ({"customer", "staff"}, {"approved_by"}),
    "referral_logged": ({"staff", "customer"}, {"referrer"}),
    "staff_left": ({"staff", "reason"}, set()),
    "ruling": ({"customer", "staff", "by"}, {"reason"}),
    "escorted_visit": ({"customer", "agent"}, set()),
    "registration": ({"customer", "agent"}, {"phone", "name"}),
    "channel_ruling": ({"customer", "by"}, {"agent", "reason", "appeal"}),  # no agent: the house
    "visit_correction": ({"visit", "customer", "was_customer", "staff", "by", "reason"}, set()),
    "deal": (
        {"customer", "staff"},
        {
            "buyer",
            "helper",
            "help",
            "poacher",
            "unknowing",
            "complaint_transfer",
            "special_approval",
            "on_the_spot",
        },
    ),
}
BASE_FIELDS = {"id", "at", "type"}


class _Refs:
    def __init__(self, cast: Cast, path: str, item: dict[str, Any]) -> None:
        self.cast, self.path, self.item = cast, path, item

    def _ref(self, key: str, table: Mapping[str, Any], zh: str, en: str, *, optional: bool = False) -> Any:
        value = self.item.get(key)
        if value is None and optional:
            return None
        ref = as_str(value, f"{self.path}.{key}")
        if ref not in table:
            raise fail(f"{self.path}.{key}", f"未知{zh} {ref!r}", f"unknown {en} {ref!r}")
        return ref

    def customer(self, key: str = "customer", *, optional: bool = False) -> Any:
        return self._ref(key, self.cast.customers, "客户", "customer", optional=optional)

    def staff(self, key: str = "staff", *, optional: bool = False) -> Any:
        return self._ref(key, self.cast.staff, "员工", "staff member", optional=optional)

    def agent(self, key: str = "agent", *, optional: bool = False) -> Any:
        return self._ref(key, self.cast.agents, "经纪人", "agent", optional=optional)

    def text(self, key: str) -> str | None:
        value = self.item.get(key)
        return None if value is None else as_str(value, f"{self.path}.{key}")

    def flag(self, key: str) -> bool:
        return as_bool(self.item.get(key, False), f"{self.path}.{key}")


def _event(raw: Any, i: int, cast: Cast) -> Event:
    path = f"$.events[{i}]"
    item = as_obj(raw, path)
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in EVENT_FIELDS:  # a list or an object is not a type either
        raise fail(
            f"{path}.type",
            f"未知事件类型 {kind!r}，可选：{'、'.join(EVENT_FIELDS)}",
            f"unknown event type {kind!r}; one of {', '.join(EVENT_FIELDS)}",
        )
    required, optional = EVENT_FIELDS[kind]
    check_keys(item, path, required | BASE_FIELDS, optional)
    base: dict[str, Any] = {
        "id": as_str(item["id"], f"{path}.id"),
        "at": parse_time(item["at"], f"{path}.at"),
        "seq": i,
    }
    ref = _Refs(cast, path, item)
    builders: dict[str, Callable[[], Event]] = {
        "visit": lambda: Visit(
            **base,
            customer=ref.customer(),
            staff=ref.staff(),
            registered=as_bool(item.get("registered", True), f"{path}.registered"),
            asks_for=ref.staff("asks_for", optional=True),
            introduced_by=ref.customer("introduced_by", optional=True),
            site=as_str(item["site"], f"{path}.site") if item.get("site") is not None else None,
            referred_by_employee=ref.staff("referred_by_employee", optional=True),
            company_referral=ref.flag("company_referral"),
        ),
        "call": lambda: Call(**base, customer=ref.customer(), staff=ref.staff()),
        "follow_up": lambda: FollowUp(**base, customer=ref.customer(), staff=ref.staff()),
        "renewal": lambda: Renewal(
            **base,
            customer=ref.customer(),
            staff=ref.staff(),
            approved_by=ref.staff("approved_by", optional=True),
        ),
        "referral_logged": lambda: ReferralLogged(
            **base,
            staff=ref.staff(),
            customer=ref.customer(),
            referrer=ref.customer("referrer", optional=True),
        ),
        "staff_left": lambda: StaffLeft(
            **base,
            staff=ref.staff(),
            reason=_choice(item, "reason", DEPARTURE_REASONS, path),
            notice_on=ref.text("notice_on"),
        ),
        "ruling": lambda: Ruling(
            **base,
            customer=ref.customer(),
            staff=ref.staff(optional=True),
            by=ref.staff("by"),
            reason=as_str(item.get("reason", ""), f"{path}.reason", empty=True),
        ),
        "escorted_visit": lambda: EscortedVisit(**base, customer=ref.customer(), agent=ref.agent()),
        # The phone is kept as typed: a number that is not a mainland mobile is a refusal (D-12), not an error.
        "registration": lambda: Registration(
            **base, customer=ref.customer(), agent=ref.agent(), phone=ref.text("phone"), name=ref.text("name")
        ),
        "channel_ruling": lambda: ChannelRuling(
            **base,
            customer=ref.customer(),
            agent=ref.agent(optional=True),
            by=ref.staff("by"),
            reason=as_str(item.get("reason", ""), f"{path}.reason", empty=True),
            appeal=ref.flag("appeal"),
        ),
        "visit_correction": lambda: Correction(
            **base,
            visit=as_str(item["visit"], f"{path}.visit"),
            customer=ref.customer(),
            was_customer=ref.customer("was_customer"),
            staff=ref.staff(),
            by=ref.staff("by"),
            reason=as_str(item["reason"], f"{path}.reason", empty=True),
        ),
        "deal": lambda: Deal(
            **base,
            customer=ref.customer(),
            buyer=ref.customer("buyer", optional=True) or item["customer"],
            staff=ref.staff(),
            helper=ref.staff("helper", optional=True),
            help=_choice(item, "help", HELP_KINDS, path) if item.get("help") is not None else None,
            poacher=ref.staff("poacher", optional=True),
            unknowing=ref.flag("unknowing"),
            complaint_transfer=ref.flag("complaint_transfer"),
            special_approval=ref.flag("special_approval"),
            on_the_spot=ref.flag("on_the_spot"),
        ),
    }
    return builders[kind]()


# The common case of `_event`, checked by straight-line code written for each type (`_type_builder`)
# instead of a call per field (validating was the largest part of replaying a 200,000-event file). It accepts
# only what `_event` accepts and builds the same event; anything else (a mistake to name, or a type
# it does not list) returns None and goes through `_event`, which builds the event or names the
# mistake with its JSON path. Each field's check, by kind:
_CUSTOMER, _STAFF, _AGENT = "customer", "staff", "agent"  # must name one of the cast
_CUSTOMER_OR_NULL, _STAFF_OR_NULL, _AGENT_OR_NULL = "customer?", "staff?", "agent?"
_FLAG, _TEXT, _TEXT_OR_NULL = "flag", "text", "text?"  # true/false; any string; a non-empty string or null
_QUICK_FIELDS: dict[str, tuple[type[Event], dict[str, str | tuple[str | None, ...]]]] = {
    "visit": (
        Visit,
        {
            "customer": _CUSTOMER,
            "staff": _STAFF,
            "registered": _FLAG,
            "asks_for": _STAFF_OR_NULL,
            "introduced_by": _CUSTOMER_OR_NULL,
            "site": _TEXT_OR_NULL,
            "referred_by_employee": _STAFF_OR_NULL,
            "company_referral": _FLAG,
        },
    ),
    "call": (Call, {"customer": _CUSTOMER, "staff": _STAFF}),
    "follow_up": (FollowUp, {"customer": _CUSTOMER, "staff": _STAFF}),
    "renewal": (Renewal, {"customer": _CUSTOMER, "staff": _STAFF, "approved_by": _STAFF_OR_NULL}),
    "referral_logged": (ReferralLogged, {"staff": _STAFF, "customer": _CUSTOMER, "referrer": _CUSTOMER_OR_NULL}),
    "staff_left": (StaffLeft, {"staff": _STAFF, "reason": DEPARTURE_REASONS, "notice_on": _TEXT_OR_NULL}),
    "ruling": (Ruling, {"customer": _CUSTOMER, "staff": _STAFF_OR_NULL, "by": _STAFF, "reason": _TEXT}),
    "escorted_visit": (EscortedVisit, {"customer": _CUSTOMER, "agent": _AGENT}),
    "registration": (
        Registration,
        {"customer": _CUSTOMER, "agent": _AGENT, "phone": _TEXT_OR_NULL, "name": _TEXT_OR_NULL},
    ),
    "channel_ruling": (
        ChannelRuling,
        {"customer": _CUSTOMER, "agent": _AGENT_OR_NULL, "by": _STAFF, "reason": _TEXT, "appeal": _FLAG},
    ),
    "visit_correction": (
        Correction,
        {
            "visit": _TEXT,
            "customer": _CUSTOMER,
            "was_customer": _CUSTOMER,
            "staff": _STAFF,
            "by": _STAFF,
            "reason": _TEXT,
        },
    ),
    "deal": (
        Deal,
        {
            "customer": _CUSTOMER,
            "buyer": _CUSTOMER_OR_NULL,
            "staff": _STAFF,
            "helper": _STAFF_OR_NULL,
            "help": (*HELP_KINDS, None),
            "poacher": _STAFF_OR_NULL,
            "unknowing": _FLAG,
            "complaint_transfer": _FLAG,
            "special_approval": _FLAG,
            "on_the_spot": _FLAG,
        },
    ),
}


def _quick_builder(cast: Cast) -> Callable[[Any, int], Event | None]:
    """For one cast: build a well-formed event as `_event` does, or return None to let `_event` judge it."""
    builders = {kind: _type_builder(kind, cls, checks, cast) for kind, (cls, checks) in _QUICK_FIELDS.items()}

    def quick(item: Any, seq: int) -> Event | None:
        if type(item) is not dict:
            return None
        kind = item.get("type")
        build = builders.get(kind) if type(kind) is str else None
        return None if build is None else build(item, seq)

    return quick


_ABSENT = object()


def _check(check: str | tuple[str | None, ...], name: str) -> str:
    """The quick check of one field's value (in the variable `name`), as a Python expression."""
    if check is _FLAG:
        return f"({name} is True or {name} is False)"
    if check is _TEXT:
        return f"type({name}) is str"
    if check is _TEXT_OR_NULL:
        return f"({name} is None or (type({name}) is str and {name}.strip() != ''))"
    if isinstance(check, tuple):  # one of a few words: the tuple is passed in as `choices_<name>`
        return f"{name} in choices_{name}"
    table = f"table_{check.rstrip('?')}"
    return f"({name} is None or {name} in {table})" if check.endswith("?") else f"{name} in {table}"


def _type_builder(
    kind: str, cls: type[Event], checks: Mapping[str, str | tuple[str | None, ...]], cast: Cast
) -> Callable[[dict[str, Any], int], Event | None]:
    """One event type's quick reader, written out as straight-line Python for that type's fields.

    A loop over the fields, a copy of the item and a set comparison per event cost more than the
    event's own construction. Written out, each field is one `get` and one check, and a field that
    is not the type's shows as one key too many (`len(item)` against the fields found).
    """
    required = EVENT_FIELDS[kind][0]
    defaults = {f.name: f.default for f in fields(cls)}
    namespace: dict[str, Any] = {
        "cls": cls,
        "fromiso": datetime.fromisoformat,
        "UTC": UTC,
        "ABSENT": _ABSENT,
        "table_customer": cast.customers,
        "table_staff": cast.staff,
        "table_agent": cast.agents,
    }
    lines = [
        "def build(item, seq):",
        "    try:",
        "        ident, text = item.get('id'), item.get('at')",
        "        if type(ident) is not str or type(text) is not str or not ident.strip():",
        "            return None",
        "        at = fromiso(text)",
        "        if at.tzinfo is None:",
        "            return None",
        f"        found = {len(BASE_FIELDS) + len(required)}",
    ]
    for key, check in checks.items():
        name = f"v_{key}"
        if isinstance(check, tuple):
            namespace[f"choices_{name}"] = check
        lines.append(f"        {name} = item.get({key!r}, ABSENT)")
        if key in required:
            lines.append(f"        if {name} is ABSENT or not {_check(check, name)}:")
            lines.append("            return None")
        else:
            default = defaults[key]  # a deal's buyer has none: None, then the customer (as _event reads it)
            namespace[f"default_{name}"] = None if default is MISSING else default
            lines += [
                f"        if {name} is ABSENT:",
                f"            {name} = default_{name}",
                "        else:",
                "            found += 1",
                f"            if not {_check(check, name)}:",
                "                return None",
            ]
    lines += ["        if len(item) != found:  # a field this type does not have", "            return None"]
    if cls is Deal:
        lines += ["        if v_buyer is None:", "            v_buyer = v_customer"]
    lines += [
        # An unhashable reference, an impossible date: let _event say so.
        "    except (TypeError, ValueError):",
        "        return None",
        # Filled through its slots as quick_init's __init__ does, without the call: a fifth of the time.
        "    event = new(cls)",
        "    set_id(event, ident)",
        "    set_at(event, at.astimezone(UTC))",
        "    set_seq(event, seq)",
    ]
    if set(defaults) - _DESK_NOTES != {"id", "at", "seq", *checks}:  # pragma: no cover - a model-only field
        raise TypeError(f"{kind}: the quick reader's fields are not {cls.__name__}'s")
    for key in defaults:
        if key in _DESK_NOTES:  # never in a scenario file: the model's default, set through its slot
            namespace[f"set_{key}"] = getattr(cls, key).__set__
            namespace[f"v_{key}"] = defaults[key]
            lines.append(f"    set_{key}(event, v_{key})")
            continue
        namespace[f"set_{key}"] = getattr(cls, key).__set__
        if key not in ("id", "at", "seq"):
            lines.append(f"    set_{key}(event, v_{key})")
    lines.append("    return event")
    namespace["new"] = object.__new__
    exec("\n".join(lines), namespace)
    return namespace["build"]  # type: ignore[no-any-return]


def _choice(item: Mapping[str, Any], key: str, choices: tuple[str, ...], path: str) -> str:
    value = item.get(key)
    if value not in choices:
        raise fail(
            f"{path}.{key}",
            f"{key} 只能是 {'、'.join(choices)}，收到 {value!r}",
            f"{key} must be one of {', '.join(choices)}, got {value!r}",
        )
    return str(value)


_CUSTOMER_QUESTION_KEYS = frozenset({"at", "customer", "consultant", "channel", "status"})


def read_question(
    raw: Any, i: int, cast: Cast, deals: set[str], registrations: frozenset[str] | set[str] = frozenset()
) -> Question:
    """The `expect` item at index `i`, checked against the cast and the timeline's deals and registrations."""
    return _quick_question(raw, i, cast) or _read_question(raw, i, cast, deals, registrations)


def _quick_question(raw: Any, i: int, cast: Cast) -> Question | None:
    """The common question (a customer at a moment, nothing to check but its two fields) read as
    `_read_question` reads it, without a JSON path made for each field; None for anything else."""
    if type(raw) is dict and raw.keys() <= _CUSTOMER_QUESTION_KEYS:
        customer, text = raw.get("customer"), raw.get("at")
        if type(customer) is str and customer in cast.customers and type(text) is str:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return None
            if moment.tzinfo is not None and moment.utcoffset() is not None:
                return Question(index=i, raw=raw, customer=customer, at=moment)
    return None


def _read_question(
    raw: Any, i: int, cast: Cast, deals: set[str], registrations: frozenset[str] | set[str] = frozenset()
) -> Question:
    path = f"$.expect[{i}]"
    item = as_obj(raw, path)
    if "registration" in item:
        check_keys(item, path, {"registration"}, {"accepted", "reason", "until", "cites"})
        registration = as_str(item["registration"], f"{path}.registration")
        if registration not in registrations:
            raise fail(
                f"{path}.registration",
                f"{registration!r} 不是时间线中的报备事件",
                f"{registration!r} is not a registration event of the timeline",
            )
        if "accepted" in item:
            as_bool(item["accepted"], f"{path}.accepted")
        if item.get("reason") is not None and item["reason"] not in REFUSALS:
            raise fail(
                f"{path}.reason",
                f"reason 只能是 {'、'.join(REFUSALS)}，收到 {item['reason']!r}",
                f"reason must be one of {', '.join(REFUSALS)}, got {item['reason']!r}",
            )
        if item.get("until") is not None:
            parse_time(item["until"], f"{path}.until")
        question = Question(index=i, raw=item, registration=registration)
    elif "deal" in item:
        check_keys(item, path, {"deal"}, {"performance", "commission", "channel", "cites", "pool"})
        deal = as_str(item["deal"], f"{path}.deal")
        if deal not in deals:
            raise fail(
                f"{path}.deal",
                f"{deal!r} 不是时间线中的成交事件",
                f"{deal!r} is not a deal event of the timeline",
            )
        question = Question(index=i, raw=item, deal=deal)
    else:
        check_keys(item, path, {"at", "customer"}, {"consultant", "channel", "cites", "status"})
        customer = as_str(item["customer"], f"{path}.customer")
        if customer not in cast.customers:
            raise fail(f"{path}.customer", f"未知客户 {customer!r}", f"unknown customer {customer!r}")
        question = Question(index=i, raw=item, customer=customer, at=parse_time(item["at"], f"{path}.at"))
    if "cites" in item:
        cites = as_list(item["cites"], f"{path}.cites")
        for j, cite in enumerate(cites):
            as_str(cite, f"{path}.cites[{j}]")
    return question


def read_opening(
    data: Any, policy_override: Mapping[str, Any] | None = None, customers: dict[str, Customer] | None = None
) -> tuple[str, dict[str, Any], Policy, Cast]:
    """A scenario's title, policy (as given, and read) and people: everything before its events (its
    customers as given, if they are: see `read_people`)."""
    data = as_obj(data, "$")
    check_keys(data, "$", set(), TOP_KEYS)
    kind = data.get("kind", "attribution")
    if kind != "attribution":
        raise fail(
            "$.kind",
            f"此处需要 attribution 场景，收到 {kind!r}",
            f"expected an attribution scenario, got {kind!r}",
        )
    policy_data = dict(as_obj(data.get("policy", {}), "$.policy"))
    if policy_override:
        if "preset" in policy_override:
            policy_data = {}
        policy_data.update(policy_override)
    policy = policy_from(policy_data)
    cast = read_people(data, customers)
    return str(data.get("title", "")), policy_data, policy, cast


def duplicate_event(i: int, ident: object) -> EngineError:
    """The mistake of an event id given twice, at the second (index `i`)."""
    return fail(f"$.events[{i}].id", f"事件编号 {ident!r} 重复", f"duplicate event id {ident!r}")


def read_event_with(cast: Cast) -> Callable[[Any, int], Event]:
    """For one cast: the event at index `i` of a scenario's events, checked, or an EngineError."""
    quick = _quick_builder(cast)

    def read(raw: Any, i: int) -> Event:
        return quick(raw, i) or _event(raw, i, cast)

    return read


def read_scenario(data: Any, *, policy_override: Mapping[str, Any] | None = None) -> Scenario:
    """Validate an attribution scenario and build the engine's inputs from it."""
    title, policy_data, policy, cast = read_opening(data, policy_override)
    events: list[Event] = []
    seen: set[str] = set()
    read = read_event_with(cast)
    for i, raw in enumerate(as_list(data.get("events", []), "$.events")):
        event = read(raw, i)
        if event.id in seen:
            raise duplicate_event(i, event.id)
        seen.add(event.id)
        events.append(event)
    deals = {e.id for e in events if isinstance(e, Deal)}
    registrations = {e.id for e in events if isinstance(e, Registration)}
    questions = tuple(
        read_question(raw, i, cast, deals, registrations)
        for i, raw in enumerate(as_list(data.get("expect", []), "$.expect"))
    )
    return Scenario(
        title=title,
        cast=cast,
        policy=policy,
        events=tuple(events),
        questions=questions,
        policy_data=policy_data,
    )


# The desk's notes of a visit (engine.visits) and a follow-up's note and next contact decide nothing,
# so a scenario file, which is about who owns whom, leaves them out and its format (FORMAT.md) stays
# as it is.
_DESK_NOTES = frozenset({"party", "source", "intent", "note", "next_contact"})


def _event_data(event: Event, zone: ZoneInfo) -> dict[str, Any]:
    kinds = {kind: name for name, kind in EVENT_TYPES.items()}
    data: dict[str, Any] = {"id": event.id, "at": event.at.astimezone(zone).isoformat(), "type": kinds[type(event)]}
    for item in fields(event):
        if item.name in ("id", "at", "seq") or item.name in _DESK_NOTES:
            continue
        value = getattr(event, item.name)
        if item.default is MISSING or value != item.default:
            data[item.name] = value
    return data


def scenario_data(
    *,
    title: str,
    cast: Cast,
    policy: Mapping[str, Any],
    events: Iterable[Event],
    expect: list[dict[str, Any]],
    zone: ZoneInfo,
) -> dict[str, Any]:
    """A timeline written as a scenario file (FORMAT.md), so a dispute can be replayed anywhere."""

    def person(customer: Customer) -> dict[str, Any]:
        data: dict[str, Any] = {"id": customer.id, "name": customer.name}
        if customer.phone:
            data["phone"] = customer.phone
        if customer.id_number:
            data["id_number"] = customer.id_number
        if customer.employee:
            data["employee"] = True
        return data

    return {
        "kind": "attribution",
        "title": title,
        "policy": dict(policy),
        "customers": [person(c) for c in cast.customers.values()],
        "staff": [{"id": s.id, "name": s.name, "role": s.role} for s in cast.staff.values()],
        "agents": [{"id": a.id, "name": a.name, "distributor": a.distributor} for a in cast.agents.values()],
        "relations": [{"a": r.a, "b": r.b, "kind": r.kind, "verified": r.verified} for r in cast.relations],
        "events": [_event_data(e, zone) for e in sorted(events, key=lambda e: (e.at, e.seq))],
        "expect": expect,
    }
