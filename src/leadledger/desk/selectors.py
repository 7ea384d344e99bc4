"""Reads for the desk: the ask-first search over phones, masks, names, pinyin and initials."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q

from leadledger.engine.model import VISIT
from leadledger.ledger import models
from leadledger.ledger.selectors import SEARCH_LIMIT, customer_search

from .models import DeskVisit

LIMIT = SEARCH_LIMIT


def search(project: models.Project, query: str) -> list[models.Customer]:
    """Customers a receptionist's query may mean (IH-18), exact phone first; at most LIMIT.

    The project's one customer search (`ledger.selectors.customer_search`); the desk shows all of it.
    """
    return customer_search(project, query, limit=LIMIT)


def relations_of(customer: models.Customer) -> list[tuple[models.Relation, models.Customer]]:
    """The customer's relations, verified or pending, each with the other customer."""
    found = models.Relation.objects.filter(Q(a=customer) | Q(b=customer)).select_related("a", "b").order_by("pk")
    return [(r, r.b if r.a_id == customer.pk else r.a) for r in found]


@dataclass(frozen=True)
class Today:
    """A desk's day so far: visits registered there, first visits and return visits, each consultant's count."""

    day: date
    visits: int = 0
    new: int = 0  # the customer's first registered visit in the project (首访)
    returning: int = 0  # a customer who had visited before (复访), whoever owns them now
    by_staff: dict[str, int] = field(default_factory=dict)


def today_at_desk(site: models.Site, now: datetime) -> Today:
    """What was registered at this desk today, "today" being the calendar day in the project's time zone."""
    zone = ZoneInfo(site.project.time_zone)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    visits = list(DeskVisit.objects.filter(site=site, at__gte=start, at__lt=end).values_list("seq", "staff"))
    if not visits:
        return Today(day=day)
    earlier = models.Event.objects.filter(
        project_id=site.project_id, customer_id=OuterRef("customer_id"), kind=VISIT, seq__lt=OuterRef("seq")
    )
    seen_before = dict(
        models.Event.objects.filter(project_id=site.project_id, seq__in=[seq for seq, _ in visits])
        .annotate(before=Exists(earlier))
        .values_list("seq", "before")
    )
    returning = sum(1 for seq, _ in visits if seen_before.get(seq))
    by_staff: dict[str, int] = {}
    for _, staff in visits:
        by_staff[staff] = by_staff.get(staff, 0) + 1
    return Today(day=day, visits=len(visits), new=len(visits) - returning, returning=returning, by_staff=by_staff)
