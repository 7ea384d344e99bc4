"""Reads for the manager's dashboard: visits per day, first and return visits, conversion, disputes, expiries.

A finished day is counted from the ledger once and kept in `DayFigures` (decision 141); today is
counted live. So the page costs the same at a million customers as at a thousand: one day of events,
a few index lookups, and the stored days of the window.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count

from leadledger.engine.model import DEAL, RULING, VISIT
from leadledger.ledger import models
from leadledger.ledger.prepared import (
    STAND_IN_DAYS,
    STAND_IN_IDS,
    STAND_IN_MOMENT,
    STAND_IN_MOMENT_2,
    PreparedRead,
)

from .models import DayFigures, Dispute

WINDOWS = (7, 30, 90)  # days the dashboard looks back over
DEFAULT_WINDOW = 30
EXPIRING_DAYS = 7  # "this week": the claims whose validity ends within the next seven days
EXPIRING_SHOWN = 50  # rows of them on the page; the Excel file has them all
COUNTED = (VISIT, DEAL, RULING)


def _bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(days=1), time(), zone)


def _first_visits(project: models.Project, customers: set[int]) -> dict[int, int]:
    """Each customer's first visit event (its seq), read through the customer index.

    The kind is filtered here, not in the query: with it there, SQLite (no statistics) may take the
    (project, kind, seq) index and read every visit ever recorded for each customer asked about.
    """
    first: dict[int, int] = {}
    ids = sorted(customers)
    for start in range(0, len(ids), 500):
        rows = models.Event.objects.filter(project=project, customer_id__in=ids[start : start + 500])
        for customer, seq, kind in rows.values_list("customer_id", "seq", "kind"):
            if kind == VISIT and seq < first.get(customer, seq + 1):
                first[customer] = seq
    return first


def day_count(project: models.Project, day: date) -> dict[str, Any]:
    """One calendar day of the project counted from the ledger: visits (first or return), deals, rulings.

    A first visit (首访) is the customer's first visit event in the project's ledger; any later one is a
    return visit (复访), as the desk's "today" counts them (decision 120).
    """
    start, end = _bounds(day, ZoneInfo(project.time_zone))
    rows = _DAY_EVENTS.rows(project.pk, start, end)  # one read of the day
    visits_of_day = [(seq, customer, staff) for kind, seq, customer, staff in rows if kind == VISIT]
    first_seen = _first_visits(project, {customer for _, customer, _ in visits_of_day})
    by_staff: dict[str, list[int]] = {}  # staff id -> [visits, first visits, deals]
    visits = new = 0
    for seq, customer, staff in visits_of_day:
        row = by_staff.setdefault(str(staff), [0, 0, 0])
        row[0] += 1
        visits += 1
        if first_seen.get(customer) == seq:
            row[1] += 1
            new += 1
    for staff in (staff for kind, _, _, staff in rows if kind == DEAL):
        by_staff.setdefault(str(staff), [0, 0, 0])[2] += 1
    rulings = sum(1 for kind, *_ in rows if kind == RULING)
    return {"visits": visits, "new": new, "rulings": rulings, "by_staff": by_staff}


_LAST_SEQ = PreparedRead(  # every look: prepared (ledger.prepared), as the day's events are
    lambda project: models.Event.objects.filter(project_id=project).order_by("-seq").values_list("seq")[:1],
    STAND_IN_IDS[0],
)
_DAY_EVENTS = PreparedRead(
    lambda project, start, end: models.Event.objects.filter(
        project_id=project, at__gte=start, at__lt=end, kind__in=COUNTED
    ).values_list("kind", "seq", "customer_id", "staff_id"),
    STAND_IN_IDS[0],
    STAND_IN_MOMENT,
    STAND_IN_MOMENT_2,
)


_DAYS_KEPT = PreparedRead(
    lambda project, first, today: DayFigures.objects.filter(
        project_id=project, day__gte=first, day__lt=today
    ).values_list("day", "figures", "through_seq"),
    STAND_IN_IDS[0],
    *STAND_IN_DAYS,
)
_DISPUTES_RAISED = PreparedRead(
    lambda project, since: Dispute.objects.filter(project_id=project, at__gte=since).values_list("at"),
    STAND_IN_IDS[0],
    STAND_IN_MOMENT,
)
_EXPIRING = PreparedRead(  # the page's fifty, soonest first
    lambda project, start, end: (
        models.Verdict.objects.filter(project_id=project, until__gte=start, until__lt=end, status="active")
        .order_by("until", "customer_id")
        .values_list("customer_id", "customer__name", "owners", "until")[:EXPIRING_SHOWN]
    ),
    STAND_IN_IDS[0],
    STAND_IN_MOMENT,
    STAND_IN_MOMENT_2,
)
_EXPIRING_COUNT = PreparedRead(  # and how many there are, when there are more than the page shows
    lambda project, start, end: (
        models.Verdict.objects.filter(project_id=project, until__gte=start, until__lt=end, status="active")
        .values("project_id")
        .annotate(count=Count("*"))  # COUNT(*), from the index alone: a verdict's key is no rowid on SQLite
        .values_list("count")
    ),
    STAND_IN_IDS[0],
    STAND_IN_MOMENT,
    STAND_IN_MOMENT_2,
)


def _last_seq(project: models.Project) -> int:
    found = _LAST_SEQ.rows(project.pk)
    return int(found[0][0]) if found else 0


@dataclass(frozen=True, slots=True)
class _Stored:
    figures: dict[str, Any]
    through_seq: int


def days_counted(project: models.Project, first: date, today: date) -> dict[date, dict[str, Any]]:
    """Each day from `first` to `today`, counted: finished days from `DayFigures` (counted again when an
    event recorded since falls on or before them), today live."""
    zone = ZoneInfo(project.time_zone)
    last = _last_seq(project)  # read before counting: an event recorded meanwhile is seen next time
    # Read as values, not models (a look reads a month of them: built as models they cost it a millisecond).
    stored = {day: _Stored(figures, through) for day, figures, through in _DAYS_KEPT.rows(project.pk, first, today)}
    stale_from = today
    if stored and (seen := min(row.through_seq for row in stored.values())) < last:
        since = models.Event.objects.filter(project=project, kind__in=COUNTED, seq__gt=seen, seq__lte=last)
        # An import may put an event on a past day; a visit there can also turn a later day's
        # first visit into a return visit, so every day from the earliest touched one is counted again.
        touched = min((at.astimezone(zone).date() for at in since.values_list("at", flat=True)), default=today)
        stale_from = max(first, touched)
    counted: dict[date, dict[str, Any]] = {}
    fresh: list[DayFigures] = []
    day = first
    while day < today:
        row = stored.get(day)
        if row is not None and day < stale_from:
            counted[day] = row.figures
        else:
            counted[day] = day_count(project, day)
            fresh.append(DayFigures(project=project, day=day, figures=counted[day], through_seq=last))
        day += timedelta(days=1)
    kept = [d for d in stored if d < stale_from and stored[d].through_seq < last]
    if fresh or kept:  # a look that stores nothing takes no writer's turn (decision 530)
        with transaction.atomic():
            if fresh:
                DayFigures.objects.bulk_create(
                    fresh,
                    update_conflicts=True,
                    unique_fields=["project", "day"],
                    update_fields=["figures", "through_seq"],
                )
            if kept:  # nothing touched them up to `last`: the next look starts from there
                DayFigures.objects.filter(project=project, day__in=kept).update(through_seq=last)
    counted[today] = day_count(project, today)
    return counted


@dataclass(frozen=True)
class DayRow:
    day: date
    visits: int
    new: int
    returning: int
    rulings: int
    disputes: int


@dataclass(frozen=True)
class ConsultantRow:
    staff: str  # id
    name: str
    visits: int
    new: int
    deals: int

    @property
    def conversion(self) -> Decimal | None:
        """Deals closed per first visit received, as a percentage (decision 141); None without a first visit."""
        if not self.new:
            return None
        return (Decimal(self.deals) * 100 / Decimal(self.new)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ExpiringRow:
    customer: int
    name: str
    owners: str
    until: datetime


@dataclass(frozen=True)
class Dashboard:
    """The figures of one look; hashable, so that the page can keep what it drew for the same figures."""

    window: int
    first: date
    today: date
    days: tuple[DayRow, ...] = ()
    consultants: tuple[ConsultantRow, ...] = ()
    expiring: tuple[ExpiringRow, ...] = ()
    expiring_count: int = 0
    open_disputes: int = 0

    @property
    def visits(self) -> int:
        return sum(d.visits for d in self.days)

    @property
    def new(self) -> int:
        return sum(d.new for d in self.days)

    @property
    def returning(self) -> int:
        return sum(d.returning for d in self.days)

    @property
    def rulings(self) -> int:
        return sum(d.rulings for d in self.days)

    @property
    def disputes(self) -> int:
        return sum(d.disputes for d in self.days)


def window_of(value: str | None) -> int:
    """The window a page asked for, one of WINDOWS; anything else is the default."""
    return int(value) if value in {str(w) for w in WINDOWS} else DEFAULT_WINDOW  # type: ignore[arg-type]


def claims_expiring(
    project: models.Project, now: datetime, names: dict[str, str], *, limit: int | None = EXPIRING_SHOWN
) -> tuple[list[ExpiringRow], int]:
    """Active claims whose validity ends within EXPIRING_DAYS, soonest first, and how many there are."""
    end = now + timedelta(days=EXPIRING_DAYS)

    def found() -> Any:  # the ORM's read, built only where the prepared one does not serve (0.3 ms a look)
        return models.Verdict.objects.filter(project=project, until__gte=now, until__lt=end, status="active")

    rows: Any
    if limit == EXPIRING_SHOWN:  # the page's, on every look: prepared (ledger.prepared)
        rows = _EXPIRING.rows(project.pk, now, end)
    else:
        rows = found().order_by("until", "customer_id").values_list("customer_id", "customer__name", "owners", "until")
        rows = rows[:limit] if limit is not None else rows
    listed = [
        ExpiringRow(customer=cid, name=name, owners="、".join(names.get(s, s) for s in (owners or {})), until=until)
        for cid, name, owners, until in rows
    ]
    if limit is None or len(listed) < limit:
        count = len(listed)
    elif limit == EXPIRING_SHOWN:
        counted = _EXPIRING_COUNT.rows(project.pk, now, end)
        count = counted[0][0] if counted else 0
    else:
        count = found().count()
    return listed, count


def dashboard(
    project: models.Project,
    now: datetime,
    window: int = DEFAULT_WINDOW,
    *,
    names: dict[str, str] | None = None,
    open_disputes: int | None = None,
) -> Dashboard:
    """The manager's dashboard for the `window` days up to and including today (project's calendar);
    `names`, the project's staff names, and `open_disputes`, the queue's count of them, when the page has
    read them."""
    zone = ZoneInfo(project.time_zone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=window - 1)
    counted = days_counted(project, first, today)
    raised = Counter(at.astimezone(zone).date() for (at,) in _DISPUTES_RAISED.rows(project.pk, _bounds(first, zone)[0]))
    days = [
        DayRow(
            day=day,
            visits=f["visits"],
            new=f["new"],
            returning=f["visits"] - f["new"],
            rulings=f["rulings"],
            disputes=raised.get(day, 0),
        )
        for day, f in sorted(counted.items())
    ]
    totals: dict[str, list[int]] = {}
    for figures in counted.values():
        for staff, (visits, new, deals) in figures["by_staff"].items():
            row = totals.setdefault(staff, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + visits, row[1] + new, row[2] + deals
    if names is None:
        names = {str(pk): name for pk, name in models.Staff.objects.filter(project=project).values_list("pk", "name")}
    consultants = sorted(
        (ConsultantRow(staff=s, name=names.get(s, s), visits=v, new=n, deals=d) for s, (v, n, d) in totals.items()),
        key=lambda r: (-r.deals, -r.new, r.name),
    )
    expiring, expiring_count = claims_expiring(project, now, names)
    return Dashboard(
        window=window,
        first=first,
        today=today,
        days=tuple(days),
        consultants=tuple(consultants),
        expiring=tuple(expiring),
        expiring_count=expiring_count,
        open_disputes=(
            Dispute.objects.filter(project=project, settled_at__isnull=True).count()
            if open_disputes is None
            else open_disputes
        ),
    )
