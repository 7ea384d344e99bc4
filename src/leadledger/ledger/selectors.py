"""Reads: what the engine needs to judge a customer, without loading the whole project."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q

from leadledger import engine
from leadledger.engine.model import (
    CORRECTION,
    REGISTRATION,
    STAFF_LEFT,
    customers_of,
    joins_household,
    kinds_linking,
    kinds_without_customer,
    linked_customers_of,
)

from . import convert, models
from .prepared import STAND_IN_IDS, Ids, PreparedRead, Texts

CHUNK = 500  # ids per IN (…) list: an import may judge a hundred thousand customers at once


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _relations_touching(project: models.Project, ids: set[int]) -> list[models.Relation]:
    # One query per side, each through its own foreign-key index: "a IN … OR b IN …" (and a project
    # filter) lets SQLite walk every relation of the project instead.
    found: dict[int, models.Relation] = {}
    for chunk in _chunks(ids):
        for side in ("a_id__in", "b_id__in"):
            for relation in models.Relation.objects.filter(**{side: chunk}):
                if relation.project_id == project.pk:
                    found[relation.pk] = relation
    return list(found.values())


def related_customers(project: models.Project, customer_ids: Iterable[int]) -> tuple[set[int], list[models.Relation]]:
    """The households of these customers (ID-3, transitively) and their direct relatives (D-1, D-5)."""
    household = set(customer_ids)
    frontier = set(household)
    while frontier:
        step = set()
        for relation in _relations_touching(project, frontier):
            if joins_household(relation.kind, relation.verified):  # ID-3, as the engine says
                step |= {relation.a_id, relation.b_id}
        frontier = step - household
        household |= frontier
    relations = _relations_touching(project, household)
    everyone = household | {r.a_id for r in relations} | {r.b_id for r in relations}
    return everyone, relations


# The columns an engine event is built from, read as plain tuples: building model instances for
# the hundreds of thousands of events an import re-judges cost more than judging them.
EVENT_COLUMNS = ("seq", "kind", "at", "body")
EventRow = tuple[int, str, Any, str]


def _linked(rows: Iterable[EventRow]) -> set[int]:
    """The customers these events link to (their types' `link_fields`: IH-8's referrer, D-5's confirmed)."""
    linking = set(kinds_linking())
    found: set[int] = set()
    for _seq, kind, _at, text in rows:
        if kind in linking:
            found.update(int(c) for c in linked_customers_of(kind, json.loads(text)))
    return found


def _corrections(project: models.Project) -> list[list[int]]:
    """The customers each correction of the project names (a few a day: by the kind index)."""
    bodies = models.Event.objects.filter(project=project, kind=CORRECTION).values_list("body", flat=True)
    return [[int(c) for c in customers_of(CORRECTION, json.loads(body))] for body in bodies]


def _corrected_away(corrections: list[list[int]], wanted: set[int]) -> set[int]:
    """The customers a correction moved a visit of these customers to (docs/decisions.md 222)."""
    return {c for customers in corrections if not wanted.isdisjoint(customers) for c in customers}


def _events_of(project: models.Project, customers: set[int]) -> list[EventRow]:
    # By the (project, customer, seq) index only: a kind filter here lets SQLite pick the kind index
    # and scan every visit of the project.
    return [
        row
        for chunk in _chunks(customers)
        for row in models.Event.objects.filter(project=project, customer_id__in=chunk).values_list(*EVENT_COLUMNS)
    ]


def _timeline(
    project: models.Project,
    customers: list[tuple[Any, ...]],
    relations: Any,
    rows: Iterable[EventRow],
    policy: engine.Policy | None = None,
) -> engine.Timeline:
    events = [convert.engine_event(kind, seq, at, json.loads(body)) for seq, kind, at, body in rows]
    cast = convert.cast_from_values(project, customers, relations)
    return engine.Timeline(cast, policy or convert.policy_of(project), events)


def timeline_for(project: models.Project, customer_ids: Iterable[int]) -> engine.Timeline:
    """An engine timeline holding everything that can decide these customers' verdicts."""
    wanted, relations = related_customers(project, customer_ids)
    rows = _events_of(project, wanted)
    fresh = rows
    corrections = _corrections(project)
    # IH-8: a referrer's owner decides a referred customer, and the referrer may have been referred
    # in turn: links are followed until no new customer appears (a chain of any depth). A visit
    # corrected onto another customer is read with its correction, filed under that customer.
    while more := (_linked(fresh) | _corrected_away(corrections, wanted)) - wanted:
        extra, extra_relations = related_customers(project, more)
        extra -= wanted
        wanted |= extra
        relations = list({r.pk: r for r in [*relations, *extra_relations]}.values())
        fresh = _events_of(project, extra)
        rows += fresh
    customers = [
        values
        for chunk in _chunks(wanted)
        for values in models.Customer.objects.filter(project=project, pk__in=chunk).values_list(
            *convert.CUSTOMER_COLUMNS
        )
    ]
    # Events filed under nobody (departures, IH-13) concern every household.
    rows += models.Event.objects.filter(project=project, kind__in=kinds_without_customer()).values_list(*EVENT_COLUMNS)
    ordered = sorted({row[0]: row for row in rows}.values())  # by seq, each event once
    return _timeline(project, customers, [(r.a_id, r.b_id, r.kind, r.verified) for r in relations], ordered)


def whole_timeline(project: models.Project, policy: engine.Policy | None = None) -> engine.Timeline:
    """Every customer and event of a project, for a rebuild (under `policy`: a what-if's, or the project's)."""
    customers = list(models.Customer.objects.filter(project=project).values_list(*convert.CUSTOMER_COLUMNS))
    relations = list(models.Relation.objects.filter(project=project).values_list("a_id", "b_id", "kind", "verified"))
    rows = models.Event.objects.filter(project=project).order_by("seq").values_list(*EVENT_COLUMNS)
    return _timeline(project, customers, relations, rows.iterator(chunk_size=5000), policy)


_DEPARTURES = PreparedRead(
    lambda project: models.Event.objects.filter(project_id=project, kind=STAFF_LEFT).values_list("body"),
    STAND_IN_IDS[0],
)


def departed_staff(project: models.Project) -> set[str]:
    """The staff ids recorded as departed (IH-13): never again on the rotation, never given a customer.

    Asked by every page (the access check): a prepared read (ledger.prepared)."""
    return {str(json.loads(body)["staff"]) for (body,) in _DEPARTURES.rows(project.pk, using=_using(models.Event))}


def _using(model: type[Any]) -> str:
    return str(model.objects.db)


SEARCH_LIMIT = 20


def _prefix(field: str, text: str) -> Q:
    # A range, not LIKE: SQLite's LIKE is case-insensitive and skips the index; a range uses it everywhere.
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + "\U0010ffff"})


# Prepared (ledger.prepared): the desk's search of a masked phone runs these two on every keystroke that settles.
_MASK_CANDIDATES = PreparedRead(
    # No ORDER BY: with one, SQLite walked the project's index in id order for more than one tail (a mask
    # 1380****001 has eleven), over every customer; sorted in Python instead.
    lambda project, tails: models.Customer.objects.filter(
        project_id=project, erased_at__isnull=True, phone_tail__in=tails
    ).values_list("pk", "phone"),
    STAND_IN_IDS[0],
    Texts(11),  # engine.Phone.tails: one tail, or ten and a masked one
)
_CUSTOMER_FIELDS = [field.attname for field in models.Customer._meta.concrete_fields]
_VERDICT_FIELDS = [field.attname for field in models.Verdict._meta.concrete_fields]
_WITH_VERDICTS = PreparedRead(
    lambda project, ids: models.Customer.objects.filter(
        project_id=project, erased_at__isnull=True, pk__in=ids
    ).values_list(*_CUSTOMER_FIELDS, *(f"verdict__{name}" for name in _VERDICT_FIELDS)),
    STAND_IN_IDS[0],
    Ids(SEARCH_LIMIT),
)


def customers_with_verdicts(project: models.Project, ids: list[int]) -> list[models.Customer]:
    """The project's customers of `ids` not erased, by id, each with its verdict read in the same query (as
    `select_related("verdict")` gives them: None where there is none)."""
    found: list[models.Customer] = []
    width = len(_CUSTOMER_FIELDS)
    for start in range(0, len(ids), SEARCH_LIMIT):
        for row in _WITH_VERDICTS.rows(project.pk, ids[start : start + SEARCH_LIMIT]):
            customer = models.Customer.from_db(DEFAULT_DB_ALIAS, _CUSTOMER_FIELDS, row[:width])
            judged = row[width] is not None  # the verdict's key: the customer's id, or no verdict
            verdict = models.Verdict.from_db(DEFAULT_DB_ALIAS, _VERDICT_FIELDS, row[width:]) if judged else None
            models.Customer.verdict.related.set_cached_value(customer, verdict)  # type: ignore[attr-defined]
            if verdict is not None:
                models.Verdict.customer.field.set_cached_value(verdict, customer)  # type: ignore[attr-defined]
            found.append(customer)
    return sorted(found, key=lambda c: c.pk)


def customer_search(project: models.Project, query: str, *, limit: int = SEARCH_LIMIT) -> list[models.Customer]:
    """The customers a query may mean (IH-18, ID-1, ID-2): the one search of the desk, the customer
    list and every form that looks a person up; the callers decide what to show.

    The engine reads the query (`search_query`); each branch here is an index lookup
    (tests/desk/test_query_plans.py): a phone by (project, phone), exact first, then the masks it
    may have been registered as; a mask by (project, phone_tail); pinyin or initials, and a name, by
    a prefix range on their index. Digits that are not a phone match nobody. Erased customers never.
    """
    asked = engine.search_query(query)
    rows = models.Customer.objects.filter(project=project, erased_at__isnull=True).select_related("verdict")
    phone = asked.phone
    if phone is not None and phone.is_mask:  # 138****5678: stored numbers with those digits, and the same mask
        # The candidates (some hundreds at a million customers) are told apart by their phone alone; only
        # the matches are built as customers with their verdicts.
        candidates = sorted(_MASK_CANDIDATES.rows(project.pk, list(phone.tails())))
        picked = [pk for pk, number in candidates if number and phone.may_be(engine.Phone.of(number))][:limit]
        return customers_with_verdicts(project, picked)
    if phone is not None:
        exact = list(rows.filter(phone=phone.value)[:limit])
        # Sorted here, not by ORDER BY pk: with it SQLite walked the project's index in id order over every
        # customer (1 s at 1,000,000); the rows stored under this number's two masks are few.
        masked = sorted(rows.filter(phone__in=phone.masks()), key=lambda c: c.pk)[: max(limit - len(exact), 0)]
        return exact + masked  # exact first: a mask never wins over the number itself (ID-2)
    if asked.kind == "latin":  # zhangwei, zw
        by_initials = list(rows.filter(initials=asked.text).order_by("pk")[:limit])
        seen = {c.pk for c in by_initials}
        by_pinyin = rows.filter(_prefix("pinyin", asked.text)).order_by("pinyin", "pk")[:limit]
        return (by_initials + [c for c in by_pinyin if c.pk not in seen])[:limit]
    if asked.kind == "name":
        return list(rows.filter(_prefix("name", asked.text)).order_by("name", "pk")[:limit])
    return []


def staff_work(project: models.Project, staff: models.Staff, start: datetime, end: datetime) -> dict[str, int]:
    """How many events of each kind `staff` is the one by (their type's `by_field`) in [start, end)."""
    counts = (
        models.Event.objects.filter(project=project, staff=staff, at__gte=start, at__lt=end)
        .values_list("kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(counts)


def registration_timeline(
    project: models.Project,
    customer_ids: Iterable[int],
    rows: Iterable[EventRow],
    *,
    placeholder: tuple[int, str, str | None, None, bool] | None = None,
) -> engine.Timeline:
    """A timeline to judge a registration on (D-12): these customers' households and relatives with their
    events, and `rows` (the agent's other registrations of the day, for the daily cap) with their customers.

    `placeholder`, a customer not yet stored (id 0), stands for the person a registration would create.
    """
    wanted, relations = related_customers(project, customer_ids)
    own = _events_of(project, wanted)
    extra = list(rows)
    others = {int(c) for _seq, kind, _at, body in extra for c in _customers_of_row(kind, body)} - wanted
    customers = [
        values
        for chunk in _chunks(wanted | others)
        for values in models.Customer.objects.filter(project=project, pk__in=chunk).values_list(
            *convert.CUSTOMER_COLUMNS
        )
    ]
    if placeholder is not None:
        customers.append(placeholder)
    ordered = sorted({row[0]: row for row in [*own, *extra]}.values())
    return _timeline(project, customers, [(r.a_id, r.b_id, r.kind, r.verified) for r in relations], ordered)


def _customers_of_row(kind: str, body: str) -> list[str]:
    return [str(c) for c in customers_of(kind, json.loads(body))]


def agent_registrations(
    project: models.Project, agent_ids: Iterable[int], *, since: datetime | None = None
) -> list[EventRow]:
    """The registrations (D-11) made by these agents, since a moment if given, oldest first.

    By the (project, kind, at) index; the agent is read from the body, which no column carries.
    """
    mentions = Q()
    for agent in agent_ids:
        mentions |= Q(body__contains=f'"agent":"{agent}"')
    if not mentions:
        return []
    found = models.Event.objects.filter(mentions, project=project, kind=REGISTRATION)
    if since is not None:
        found = found.filter(at__gte=since)
    return list(found.order_by("seq").values_list(*EVENT_COLUMNS))
