"""A scenario cut into shares that are judged apart, each with only the events its customers need.

`leadledger replay` judges a large file in two processes this way: each reads, builds and judges its
own share of the events and questions, so that reading the file's events is shared as well as judging
them. A share holds whole groups of customers: a household (ID-3), everyone related to it (D-1, D-5
look at relatives), and the customers its events link to (each event type's `link_fields`: IH-8's
referrer, D-5's confirmed customer, a correction's visit). The events every share needs are in every
share (a departure, IH-13; an agent's registrations, which D-12 counts across customers).

Each share validates only its own events and questions. Whatever is wrong in a file, a share raises
(not necessarily the error the whole file would give first): the caller reads the file whole to say
what is wrong, as `read_scenario` says it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from .identity import Identity, UnionFind
from .model import EVENT_TYPES, Cast, Customer, Deal, Registration, kinds_for_everyone
from .policy import Policy
from .scenario import (
    Question,
    Scenario,
    as_list,
    duplicate_event,
    read_customers,
    read_event_with,
    read_opening,
    read_question,
)

# Below this many events a split costs more than it saves (a fork, and each share's pass over the file).
SPLIT_FROM = 20_000
# A split whose largest share would hold more than this of the customers saves too little.
LARGEST_SHARE = 0.75

# Where an event is placed: the one field every type naming customers has. The plan joins it with the
# type's other customer fields (a deal's buyer, under whom it is filed; a referrer; a corrected visit's
# customer), so the group placed holds them all.
PLACED_BY = "customer"
for _cls in EVENT_TYPES.values():
    if _cls.customer_fields and PLACED_BY not in _cls.customer_fields:
        raise TypeError(f"{_cls.__name__}: no {PLACED_BY!r} field to place its events by")


@dataclass(frozen=True, slots=True, kw_only=True)
class Split:
    """What every share reads the same, made once before the shares are judged (apart)."""

    title: str
    policy_data: Mapping[str, Any]
    policy: Policy
    cast: Cast
    identity: Identity
    share_of: dict[str, int]  # customer -> the share judging them
    filed: dict[str, str]  # a deal's or registration's id -> the customer its questions are placed with


@dataclass(frozen=True, slots=True)
class PlanPart:
    """What the plan reads of one part of a file's customers and events, as one process sends it to
    the other: replay's two processes each read half and swap (`plan_part`), so that neither reads all.
    """

    customers: list[tuple[str, str, str | None, str | None, bool]]  # Customer's fields, in file order
    links: list[tuple[str, str]]  # (the customer an event is placed by, another customer it names)
    filed: list[tuple[str, str]]  # (a deal's or registration's id, the customer it is placed by)


def plan_part(data: Any, index: int, parts: int) -> PlanPart:
    """Part `index` of `parts` of what `split_scenario` reads: that part of the customers, read and
    checked (a customer repeated across parts is found when they are put together), and the links
    made by that part of the events. Raises as reading the file would, or TypeError and the like
    for a file that is not even shaped as a scenario: either way the file is for a whole reading.
    """
    customers, events = data["customers"], data["events"]
    mine = read_customers(data, _cut(len(customers), index, parts))
    start, stop = _cut(len(events), index, parts)
    links, filed = _links_in(events[start:stop])
    return PlanPart(
        customers=[(c.id, c.name, c.phone, c.id_number, c.employee) for c in mine.values()], links=links, filed=filed
    )


def _cut(total: int, index: int, parts: int) -> tuple[int, int]:
    return total * index // parts, total * (index + 1) // parts


def _customers_of(parts: list[PlanPart]) -> dict[str, Customer]:
    customers: dict[str, Customer] = {}
    for part in parts:
        for cid, name, phone, id_number, employee in part.customers:
            customers[cid] = Customer(id=cid, name=name, phone=phone, id_number=id_number, employee=employee)
    if len(customers) != sum(len(part.customers) for part in parts):
        raise ValueError("a customer is given twice")  # said where, by the whole file's reading
    return customers


def split_scenario(
    data: Any,
    shares: int,
    *,
    policy_override: Mapping[str, Any] | None = None,
    first: float | None = None,
    parts: list[PlanPart] | None = None,
) -> Split | None:
    """The scenario's plan for `shares` shares, or None where a split would not pay.

    `first`: the part of the customers the first share should hold (default: as many as any other);
    replay's first process gives itself a little less, having more to do before and after its share.
    `parts`: every `plan_part` of the file, if they were read apart; else the customers and links are
    read here. Raises as `read_scenario` does for the opening (kind, policy, people) of a file it
    splits; the events and questions are read by the shares.
    """
    events = data.get("events", []) if type(data) is dict else None
    if shares < 2 or type(events) is not list or len(events) < SPLIT_FROM:
        return None
    customers = None if parts is None else _customers_of(parts)
    title, policy_data, policy, cast = read_opening(data, policy_override, customers)
    identity = Identity(cast.customers, cast.relations)
    household = identity.household
    groups = UnionFind()
    for relation in cast.relations:  # any relation, verified or not: a verdict may read either end
        groups.union(household[relation.a], household[relation.b])
    if parts is None:
        links, filed_by = _links_in(events)
    else:
        links = [link for part in parts for link in part.links]
        filed_by = [item for part in parts for item in part.filed]
    for customer, other in links:
        if customer in household and other in household:  # else the share reading it says what is wrong
            groups.union(household[customer], household[other])
    filed = {ident: customer for ident, customer in filed_by if customer in household}
    joined, find = groups.parent, groups.find
    group_of = {cid: find(root) if root in joined else root for cid, root in household.items()}
    weights = [1 / shares] * shares if first is None else [first] + [(1 - first) / (shares - 1)] * (shares - 1)
    share_by_group = _shared_out(Counter(group_of.values()), weights)
    if share_by_group is None:
        return None
    share_of = {cid: share_by_group[group] for cid, group in group_of.items()}
    return Split(
        title=title,
        policy_data=policy_data,
        policy=policy,
        cast=cast,
        identity=identity,
        share_of=share_of,
        filed=filed,
    )


def _shared_out(sizes: Counter[str], weights: list[float]) -> dict[str, int] | None:
    """Whole groups to shares of about their weight of the customers each; None if one would hold most.

    Groups of several customers go first, the largest first, each to the share furthest below its
    weight so far; then single customers in turn to the shares still short of their part.
    """
    shares, total = len(weights), sum(sizes.values())
    load = [0] * shares
    by_group: dict[str, int] = {}
    several = sorted(((size, group) for group, size in sizes.items() if size > 1), key=lambda item: (-item[0], item[1]))
    for size, group in several:
        lightest = min(range(shares), key=lambda k: load[k] / weights[k])
        by_group[group] = lightest
        load[lightest] += size
    if max(load) > LARGEST_SHARE * total:
        return None
    short = [max(0, math.ceil(total * weight) - held) for weight, held in zip(weights, load, strict=True)]
    if sum(short) < total - sum(load):  # rounding: the last share takes what is left
        short[-1] += total - sum(load) - sum(short)
    k = 0
    for group, size in sizes.items():
        if size == 1:
            while not short[k]:
                k = (k + 1) % shares
            by_group[group] = k
            short[k] -= 1
            k = (k + 1) % shares
    return by_group


def read_share(data: Mapping[str, Any], split: Split, index: int, *, every_id: bool | None = None) -> Scenario:
    """Share `index` of the scenario: its events (and those every share needs) and its questions.

    Events keep their place in the file as their order of recording, and questions their index. One
    share also makes sure that no event id repeats anywhere in the file: `every_id`, by default the
    first (replay's first process: the second plans the split after reading the file itself, and ends
    later). Raises an EngineError for a mistake in what the share reads, and may raise TypeError or
    AttributeError for a file whose events are not even objects with text where text belongs: it is
    then for the whole file's reading to say.
    """
    cast, share_of = split.cast, split.share_of
    raws = as_list(data.get("events", []), "$.events")
    if every_id is None:
        every_id = index == 0
    if every_id:
        _ids_once(raws)
    everyone, place = kinds_for_everyone(), share_of.get
    # An event naming nobody known is share 0's to read (and refuse).
    mine = [i for i, raw in enumerate(raws) if place(raw.get(PLACED_BY), 0) == index or raw.get("type") in everyone]
    build = read_event_with(cast)
    events = [build(raws[i], i) for i in mine]
    deals = {e.id for e in events if type(e) is Deal}
    registrations = {e.id for e in events if type(e) is Registration}
    questions: list[Question] = []
    for i, raw in enumerate(as_list(data.get("expect", []), "$.expect")):
        customer = raw.get("customer") if type(raw) is dict else None
        # Most name their customer; a deal's or a registration's is placed with its event's.
        if (place(customer, 0) if type(customer) is str else _question_share(raw, split)) == index:
            questions.append(read_question(raw, i, cast, deals, registrations))
    return Scenario(
        title=split.title,
        cast=cast,
        policy=split.policy,
        events=tuple(events),
        questions=tuple(questions),
        policy_data=split.policy_data,
    )


def _ids_once(raws: list[Any]) -> None:
    if len(set(map(itemgetter("id"), raws))) == len(raws):  # an event without one: KeyError, read whole
        return
    seen: set[Any] = set()
    for i, ident in enumerate(raw["id"] for raw in raws):
        if ident in seen:
            raise duplicate_event(i, ident)
        seen.add(ident)


def _links_in(raws: list[Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The links events make between customers (the one each is placed by, and every other customer
    it names), and the customers deals and registrations are placed by (questions name them by id).
    Whether each customer exists is not asked here: the plan passes over those that do not."""
    names = frozenset(name for fields in _JOINED.values() for name in fields)
    picked = [
        raw for raw in raws if type(raw) is dict and (raw.get("type") in _FILED_BY_ID or not names.isdisjoint(raw))
    ]
    links: list[tuple[str, str]] = []
    filed: list[tuple[str, str]] = []
    for raw in picked:
        kind = raw.get("type")
        customer = raw.get(PLACED_BY)
        if kind not in EVENT_TYPES or type(customer) is not str:
            continue
        ident = raw.get("id")
        if type(ident) is str and kind in _FILED_BY_ID:
            filed.append((ident, customer))
        for name in _JOINED[kind]:
            other = raw.get(name)
            if type(other) is str:
                links.append((customer, other))
    return links, filed


_FILED_BY_ID = frozenset({Deal.kind, Registration.kind})
# Each type's customer fields (and links) other than the one its events are placed by: joined to it.
_JOINED = {
    kind: tuple(dict.fromkeys(name for name in (*cls.customer_fields, *cls.link_fields) if name != PLACED_BY))
    for kind, cls in EVENT_TYPES.items()
}


def _question_share(raw: Any, split: Split) -> int:
    """The share answering a question: its customer's, or the customer its deal or registration is
    placed with; share 0 for anything it cannot place (which share 0 then refuses)."""
    if type(raw) is not dict:
        return 0
    customer = raw.get("customer")
    if customer is None:
        for key in ("deal", "registration"):
            ident = raw.get(key)
            if type(ident) is str:
                customer = split.filed.get(ident)
                break
    return split.share_of.get(customer, 0) if type(customer) is str else 0
