"""Reads: what the engine needs to judge a customer, without loading the whole project."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from leadledger import engine
from leadledger.engine.model import HOUSEHOLD_KINDS

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


def _referrers(rows: Iterable[models.Event]) -> set[int]:
    found: set[int] = set()
    for row in rows:
        if row.kind in ("referral_logged", "visit"):
            body = json.loads(row.body)
            for key in ("referrer", "introduced_by"):
                if body.get(key):
                    found.add(int(body[key]))
    return found


def _events_of(project: models.Project, customers: set[int]) -> list[models.Event]:
    # By the (project, customer, seq) index only: a kind filter here lets SQLite pick the kind index
    # and scan every visit of the project.
    return [
        r for chunk in _chunks(customers) for r in models.Event.objects.filter(project=project, customer_id__in=chunk)
    ]


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
    customers = [c for chunk in _chunks(wanted) for c in models.Customer.objects.filter(project=project, pk__in=chunk)]
    rows += models.Event.objects.filter(project=project, kind="staff_left")
    events = [convert.from_row(row) for row in sorted({r.pk: r for r in rows}.values(), key=lambda row: row.seq)]
    return engine.Timeline(convert.cast_for(project, customers, relations), convert.policy_of(project), events)


def whole_timeline(project: models.Project) -> engine.Timeline:
    """Every customer and event of a project, for a rebuild."""
    customers = list(models.Customer.objects.filter(project=project))
    relations = list(models.Relation.objects.filter(project=project))
    rows = models.Event.objects.filter(project=project).order_by("seq")
    events = [convert.from_row(row) for row in rows.iterator(chunk_size=5000)]
    return engine.Timeline(convert.cast_for(project, customers, relations), convert.policy_of(project), events)
