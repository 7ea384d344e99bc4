"""What waits for the manager, oldest first: open disputes, renewals, relations to verify, suspensions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import F
from django.utils import timezone

from leadledger.ledger import models

from .models import Dispute, RenewalRequest, Suspension

QUEUE_LIMIT = 200  # of each kind on the page; the count says how many more


class Kind:
    DISPUTE = "dispute"
    RENEWAL = "renewal_request"  # not the event kind "renewal": a request waiting, not a renewal
    RELATION = "relation"
    SUSPENSION = "suspension"


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for the manager: what it is, since when, about whom, and the row it acts on."""

    kind: str
    at: datetime | None  # None: told before the app kept the moment (relations recorded earlier)
    pk: int
    customer: models.Customer | None
    who: str  # the person who asked, raised it, or is suspended
    what: str  # the reason, or the relation's kind
    item: Any


def _oldest_first(item: Waiting) -> tuple[int, datetime, int]:
    return (0 if item.at is None else 1, item.at or timezone.now(), item.pk)


def _open(project: models.Project, now: datetime) -> tuple[Any, Any, Any, Any]:
    return (
        Dispute.objects.filter(project=project, settled_at__isnull=True),
        RenewalRequest.objects.filter(project=project, status=RenewalRequest.Status.PENDING),
        models.Relation.objects.filter(project=project, verified=False),
        Suspension.objects.filter(project=project, until__gt=now),
    )


_PROJECT, _NOW = -4_242_424, datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)  # placeholders in the SQL
_COUNT_SQL: dict[str, tuple[str, list[Any]]] = {}


def _count_sql(alias: str) -> tuple[str, list[Any]]:
    """The four counts in one statement, compiled once per database from `_open`'s querysets (the
    conditions stay declared once, there): the menu bar asks on every page, and compiling four ORM
    counts cost more than running them (issue 14's page budget)."""
    if alias not in _COUNT_SQL:
        parts, params = [], []
        for rows in _open(models.Project(pk=_PROJECT), _NOW):
            sql, more = rows.order_by().values("pk").query.get_compiler(using=alias).as_sql()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
            params += more
        _COUNT_SQL[alias] = ("SELECT " + ", ".join(parts), params)
    return _COUNT_SQL[alias]


def waiting_counts(project: models.Project, now: datetime | None = None) -> dict[str, int]:
    """How many of each kind wait (the management page's figure), without reading them."""
    alias = Dispute.objects.db
    sql, placeholders = _count_sql(alias)
    connection = connections[alias]
    now_value = connection.ops.adapt_datetimefield_value(now or timezone.now())
    stand_in = connection.ops.adapt_datetimefield_value(_NOW)
    params = [project.pk if p == _PROJECT else now_value if p == stand_in else p for p in placeholders]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = cursor.fetchone()
    return dict(zip((Kind.DISPUTE, Kind.RENEWAL, Kind.RELATION, Kind.SUSPENSION), counts, strict=True))


def waiting(project: models.Project, now: datetime | None = None) -> tuple[list[Waiting], dict[str, int]]:
    """Everything waiting, oldest first (at most QUEUE_LIMIT of each kind), and how many of each there are."""
    now = now or timezone.now()
    disputes, renewals, relations, suspensions = _open(project, now)
    disputes = disputes.select_related("customer", "raised_by")
    renewals = renewals.select_related("customer", "staff")
    relations = relations.select_related("a", "b")
    suspensions = suspensions.select_related("staff")
    items = [
        *(
            Waiting(Kind.DISPUTE, d.at, d.pk, d.customer, d.raised_by.name, d.reason, d)
            for d in disputes.order_by("at", "pk")[:QUEUE_LIMIT]
        ),
        *(
            Waiting(Kind.RENEWAL, r.at, r.pk, r.customer, r.staff.name, r.reason, r)
            for r in renewals.order_by("at", "pk")[:QUEUE_LIMIT]
        ),
        *(
            Waiting(Kind.RELATION, r.at, r.pk, r.a, r.b.name, r.kind, r)
            for r in relations.order_by(F("at").asc(nulls_first=True), "pk")[:QUEUE_LIMIT]
        ),
        *(
            Waiting(Kind.SUSPENSION, s.since, s.pk, None, s.staff.name, s.reason, s)
            for s in suspensions.order_by("since", "pk")[:QUEUE_LIMIT]
        ),
    ]
    counts = waiting_counts(project, now)
    return sorted(items, key=_oldest_first), counts
