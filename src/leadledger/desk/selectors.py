"""Reads for the desk: the ask-first search over phones, masks, names, pinyin and initials."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Min, Q

from leadledger.engine.model import CORRECTION, VISIT, Correction
from leadledger.engine.visits import VisitDetails, noted
from leadledger.ledger import convert, models
from leadledger.ledger.prepared import Ids, PreparedRead
from leadledger.ledger.selectors import SEARCH_LIMIT, customer_search

from .models import DeskVisit, Notice

LIMIT = SEARCH_LIMIT


def search(project: models.Project, query: str) -> list[models.Customer]:
    """Customers a receptionist's query may mean (IH-18), exact phone first; at most LIMIT.

    The project's one customer search (`ledger.selectors.customer_search`); the desk shows all of it.
    """
    return customer_search(project, query, limit=LIMIT)


class Related(NamedTuple):
    """A relation as the desk's match shows it (desk/relations.html with verify=False)."""

    pk: int
    kind: str
    verified: bool


class RelatedCustomer(NamedTuple):
    pk: int
    name: str


# Every relation of up to LIMIT customers, with both customers' names: on every search, prepared (ledger.prepared).
_RELATIONS = PreparedRead(
    lambda ids: (
        models.Relation.objects.filter(Q(a_id__in=ids) | Q(b_id__in=ids))
        .order_by("pk")
        .values_list("pk", "kind", "verified", "a_id", "a__name", "b_id", "b__name")
    ),
    Ids(LIMIT),
)


def relations_by_customer(customers: list[models.Customer]) -> dict[int, list[tuple[Related, RelatedCustomer]]]:
    """Each customer's relations, verified or pending, each with the other customer: one read for every match."""
    ids = [c.pk for c in customers]
    found: dict[int, list[tuple[Related, RelatedCustomer]]] = {pk: [] for pk in ids}
    for start in range(0, len(ids), LIMIT):
        chunk = ids[start : start + LIMIT]
        asked = set(chunk)  # each side once: a relation to a customer of another chunk is that chunk's too
        for pk, kind, verified, a, a_name, b, b_name in _RELATIONS.rows(chunk):
            relation = Related(pk, kind, verified)
            if a in asked:
                found[a].append((relation, RelatedCustomer(b, b_name)))
            if b in asked:
                found[b].append((relation, RelatedCustomer(a, a_name)))
    return found


# A claim the desk ranks first: the customer has an owner who holds them now (IH-4, IH-5).
HELD = frozenset({"pending", "active"})


def ranked(customers: list[models.Customer], phone: str | None) -> list[models.Customer]:
    """The search's matches with the exact phone first (ID-2: a mask never wins over the number), then
    those whose owner holds an active or pending claim, each group in the search's own order."""

    def key(customer: models.Customer) -> tuple[int, int]:
        verdict = getattr(customer, "verdict", None)
        held = verdict is not None and bool(verdict.owners) and verdict.status in HELD
        return (0 if phone is not None and customer.phone == phone else 1, 0 if held else 1)

    return sorted(customers, key=key)


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
    registered: tuple[TodayVisit, ...] = ()  # today's registrations at this desk, latest first


@dataclass(frozen=True)
class TodayVisit:
    """One registration of the day, as the desk lists it: when, who, received by whom, and the desk's notes."""

    seq: int
    at: datetime
    customer: str
    staff: str
    returning: bool
    party: int | None = None
    source: str | None = None
    intent: str | None = None
    registered_by: int | None = None  # the user who registered it (may correct it, decision 221)
    customer_id: int | None = None
    corrected: bool = False  # read as corrected: the customer, receiver and notes are the correction's
    reason: str = ""  # the correction's reason


def today_at_desk(site: models.Site, now: datetime) -> Today:
    """What was registered at this desk today, "today" being the calendar day in the project's time zone."""
    zone = ZoneInfo(site.project.time_zone)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    visits = list(
        DeskVisit.objects.filter(site=site, at__gte=start, at__lt=end).values_list("seq", "staff", "at").order_by("-at")
    )
    if not visits:
        return Today(day=day)
    # The visits by their numbers and the day's corrections (decision 222: the list reads them) apart: joined
    # by OR, or asked "an earlier visit exists?" row by row, SQLite read the whole project's events for every
    # board (77 ms for 82 visits among 3,000 events on a launch day).
    fields = ("seq", "customer_id", "customer__name", "body", "actor_id", "kind", "at")
    project_events = models.Event.objects.filter(project_id=site.project_id)
    listed = list(project_events.filter(seq__in=[seq for seq, _, _ in visits]).values_list(*fields))
    fixes = project_events.filter(kind=CORRECTION, at__gte=start, at__lt=end).values_list(*fields)
    customers = {customer for _, customer, *_ in listed}
    first_visit = dict(
        project_events.filter(customer_id__in=customers, kind=VISIT)
        .values("customer_id")
        .annotate(first=Min("seq"))
        .values_list("customer_id", "first")
    )
    rows = [
        (seq, first_visit.get(customer, seq) < seq, customer, name, stored, actor, kind, moment)
        for seq, customer, name, stored, actor, kind, moment in [*listed, *fixes]
    ]
    events = {}
    corrections: dict[str, Correction] = {}
    for seq, before, customer, name, stored, actor, kind, moment in rows:
        if kind == CORRECTION:
            correction = convert.engine_event(kind, seq, moment, json.loads(stored))
            assert isinstance(correction, Correction)
            corrections[correction.visit] = correction
        else:
            details = noted(json.loads(stored)) if stored else VisitDetails()
            events[seq] = (before, name or f"#{customer}", details, actor, customer)
    moved = {int(c.customer) for c in corrections.values() if c.customer != c.was_customer}
    names = dict(models.Customer.objects.filter(pk__in=moved).values_list("pk", "name")) if moved else {}
    registered = []
    for seq, staff, at in visits:
        before, name, notes, actor, customer = events.get(seq, (False, "", VisitDetails(), None, None))
        fix = corrections.get(convert.event_id(seq))
        if fix is not None:
            if fix.customer != fix.was_customer:
                customer = int(fix.customer)
                name = names.get(customer) or f"#{customer}"
            staff = fix.staff
            notes = VisitDetails(
                party=notes.party if fix.party is None else fix.party,
                source=notes.source if fix.source is None else fix.source,
                intent=notes.intent if fix.intent is None else fix.intent,
            )
        registered.append(
            TodayVisit(
                seq=seq,
                at=at,
                customer=name,
                staff=staff,
                returning=bool(before),
                party=notes.party,
                source=notes.source,
                intent=notes.intent,
                registered_by=actor,
                customer_id=customer,
                corrected=fix is not None,
                reason=fix.reason if fix is not None else "",
            )
        )
    returning = sum(1 for visit in registered if visit.returning)
    by_staff: dict[str, int] = {}
    for visit in registered:  # a corrected registration counts for whoever really received
        by_staff[visit.staff] = by_staff.get(visit.staff, 0) + 1
    return Today(
        day=day,
        visits=len(visits),
        new=len(visits) - returning,
        returning=returning,
        by_staff=by_staff,
        registered=tuple(registered),
    )


def notices_unread(staff: models.Staff) -> int:
    """How many of this person's notices are unread (the menu's badge: one count on a partial index)."""
    return Notice.objects.filter(staff=staff, read_at__isnull=True).count()


def notices_of(staff: models.Staff, *, limit: int = 50) -> list[Notice]:
    """This person's latest notices, newest first, with the customer, receiver and site they name."""
    found = Notice.objects.filter(staff=staff).select_related("customer", "receiver", "site").order_by("-at", "-pk")
    return list(found[:limit])
