"""Reads: what the engine needs to judge a customer, without loading the whole project."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from leadledger import engine
from leadledger.engine.model import HOUSEHOLD_KINDS, STAFF_LEFT

from . import convert, models

REFERRAL_DEPTH = 3  # a referral chain (IH-8) is followed this far back when judging one customer
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
            if relation.verified and (relation.kind in HOUSEHOLD_KINDS or relation.kind == "same_person"):
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


def _referrers(rows: Iterable[EventRow]) -> set[int]:
    found: set[int] = set()
    for _seq, kind, _at, text in rows:
        if kind in ("referral_logged", "visit"):
            body = json.loads(text)
            for key in ("referrer", "introduced_by"):
                if body.get(key):
                    found.add(int(body[key]))
    return found


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
    for _ in range(REFERRAL_DEPTH):  # IH-8: a referrer's owner decides a referred customer
        more = _referrers(fresh) - wanted
        if not more:
            break
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
    rows += models.Event.objects.filter(project=project, kind="staff_left").values_list(*EVENT_COLUMNS)
    ordered = sorted({row[0]: row for row in rows}.values())  # by seq, each event once
    return _timeline(project, customers, [(r.a_id, r.b_id, r.kind, r.verified) for r in relations], ordered)


def whole_timeline(project: models.Project, policy: engine.Policy | None = None) -> engine.Timeline:
    """Every customer and event of a project, for a rebuild (under `policy`: a what-if's, or the project's)."""
    customers = list(models.Customer.objects.filter(project=project).values_list(*convert.CUSTOMER_COLUMNS))
    relations = list(models.Relation.objects.filter(project=project).values_list("a_id", "b_id", "kind", "verified"))
    rows = models.Event.objects.filter(project=project).order_by("seq").values_list(*EVENT_COLUMNS)
    return _timeline(project, customers, relations, rows.iterator(chunk_size=5000), policy)


def departed_staff(project: models.Project) -> set[str]:
    """The staff ids recorded as departed (IH-13): never again on the rotation, never given a customer."""
    bodies = models.Event.objects.filter(project=project, kind=STAFF_LEFT).values_list("body", flat=True)
    return {str(json.loads(body)["staff"]) for body in bodies}
