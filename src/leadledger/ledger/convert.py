"""Between stored rows and the engine's facts: one place that knows both shapes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from leadledger import engine
from leadledger.engine.model import EVENT_TYPES
from leadledger.engine.model import Event as EngineEvent

from . import models

# Fields of a body that name a customer (the rest name staff or agents, or are plain values).
CUSTOMER_FIELDS = ("customer", "buyer", "referrer", "introduced_by")


def completed(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body as stored: a deal's buyer is its customer unless said otherwise (as in scenario files)."""
    if kind == "deal" and not body.get("buyer") and body.get("customer"):
        return {**body, "buyer": body["customer"]}
    return body


def engine_event(kind: str, seq: int, at: datetime, body: dict[str, Any]) -> EngineEvent:
    return EVENT_TYPES[kind](id=f"e{seq}", at=at, seq=seq, **body)


def from_row(row: models.Event) -> EngineEvent:
    return engine_event(row.kind, row.seq, row.at, json.loads(row.body))


def cast_for(
    project: models.Project, customers: Iterable[models.Customer], relations: Iterable[models.Relation]
) -> engine.Cast:
    """The engine's cast: these customers, and every staff member and agent of the project."""
    return engine.Cast(
        customers={
            # An erased customer is named by number only (services.customer_erase).
            str(c.pk): engine.Customer(
                id=str(c.pk), name=c.name or f"#{c.pk}", phone=c.phone, id_number=c.id_number, employee=c.employee
            )
            for c in customers
        },
        staff={str(s.pk): engine.Staff(id=str(s.pk), name=s.name, role=s.role) for s in project.staff.all()},
        agents={
            str(a.pk): engine.Agent(id=str(a.pk), name=a.name, distributor=a.distributor) for a in project.agents.all()
        },
        relations=tuple(
            engine.Relation(a=str(r.a_id), b=str(r.b_id), kind=r.kind, verified=r.verified) for r in relations
        ),
    )


def policy_of(project: models.Project) -> engine.Policy:
    return engine.policy_from({**project.policy, "time_zone": project.time_zone})
