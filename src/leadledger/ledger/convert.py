"""Between stored rows and the engine's facts: one place that knows both shapes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from leadledger import engine
from leadledger.engine.model import EVENT_TYPES, upcast, versioned
from leadledger.engine.model import Event as EngineEvent
from leadledger.engine.model import completed as complete

from . import models

E = TypeVar("E", bound=EngineEvent)


def completed(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body as it is to be stored: completed as the engine says, with its schema version."""
    return versioned(kind, complete(kind, body))


def event_id(seq: int) -> str:
    """The id the engine knows a stored event by (a correction names its visit by it)."""
    return f"e{seq}"


def engine_event(kind: str, seq: int, at: datetime, body: dict[str, Any]) -> EngineEvent:
    """The engine's event from a stored body of any schema (upcast to today's shape first)."""
    return EVENT_TYPES[kind](id=event_id(seq), at=at, seq=seq, **upcast(kind, body))


def stored(event: models.Event, as_type: type[E]) -> E:
    """A stored event row as the engine's typed fact, to read its fields by attribute, never by name."""
    fact = engine_event(event.kind, event.seq, event.at, json.loads(event.body))
    if not isinstance(fact, as_type):
        raise TypeError(f"event {event.seq} is a {event.kind}, not a {as_type.kind}")
    return fact


# What the engine reads of a customer record, in this order (verify reads a million of them raw).
CUSTOMER_COLUMNS = ("id", "name", "phone", "id_number", "employee")


def cast_for(
    project: models.Project, customers: Iterable[models.Customer], relations: Iterable[models.Relation]
) -> engine.Cast:
    """The engine's cast: these customers, and every staff member and agent of the project."""
    return cast_from_values(
        project,
        ((c.pk, c.name, c.phone, c.id_number, c.employee) for c in customers),
        ((r.a_id, r.b_id, r.kind, r.verified) for r in relations),
    )


def cast_from_values(
    project: models.Project,
    customers: Iterable[tuple[int, str, str | None, str | None, bool]],
    relations: Iterable[tuple[int, int, str, bool]],
) -> engine.Cast:
    """The same, from rows of CUSTOMER_COLUMNS and of (a, b, kind, verified)."""
    agents = list(project.agents.values_list("pk", "name", "distributor_id", "distributor__name"))
    return engine.Cast(
        customers={
            # An erased customer is named by number only (services.customer_erase).
            key: engine.Customer(
                id=key, name=name or f"#{pk}", phone=phone, id_number=id_number, employee=bool(employee)
            )
            for pk, name, phone, id_number, employee in customers
            for key in (str(pk),)
        },
        # Read as values, not model instances: every timeline reads the whole roster, and a launch has
        # hundreds of agents (docs/benchmarks.md "500 agents against 1,000,000 customers").
        staff={
            str(pk): engine.Staff(id=str(pk), name=name, role=role)
            for pk, name, role in project.staff.values_list("pk", "name", "role")
        },
        agents={str(pk): engine.Agent(id=str(pk), name=name, distributor=str(firm)) for pk, name, firm, _ in agents},
        distributors={str(firm): firm_name for _, _, firm, firm_name in agents if firm is not None},
        relations=tuple(
            engine.Relation(a=str(a), b=str(b), kind=kind, verified=bool(verified))
            for a, b, kind, verified in relations
        ),
    )


def policy_of(project: models.Project) -> engine.Policy:
    return engine.policy_from({**project.policy, "time_zone": project.time_zone})
