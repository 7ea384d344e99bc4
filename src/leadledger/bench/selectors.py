"""What the workbench reads: each person's duties and where they stand, counted by engine/duties.py (W-1, W-2).

Work is read by the ledger's (project, staff, at) index; each customer's first contact by the
(project, customer, seq) index. A work log and a submitted report are logged work too (W-3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from leadledger.desk.models import Holding
from leadledger.engine import complaints as complaints_engine
from leadledger.engine import duties as d
from leadledger.engine import workreports
from leadledger.engine.errors import EngineError
from leadledger.engine.model import CALL, ESCORTED_VISIT, VISIT
from leadledger.ledger import models as ledger
from leadledger.web.speech import pick

from .models import (
    CollectionEntry,
    Complaint,
    DayOff,
    DutyTemplate,
    FieldWork,
    Joining,
    Report,
    ServiceHours,
    Survey,
    Team,
    Trader,
    WorkLogEntry,
)

UNVISITED_SHOWN = 20  # a phone's screen of names; the count says how many more


def zone_of(project: ledger.Project) -> ZoneInfo:
    return ZoneInfo(project.time_zone)


def month_words(period: d.Period) -> str:
    """A month as the office says it: 2026年12月, December 2026 (never the raw key 2026-12)."""
    return period_words(d.MONTHLY, period)


def period_words(cadence: str, period: d.Period) -> str:
    """A period in the reader's language, as the engine words it (engine.duties.period_words)."""
    return d.period_words(cadence, period.name, pick("zh", "en"))


def report_period_words(report: Report) -> str:
    """A saved report's period in words (its stored key, should it not be one of its cadence)."""
    cadence = report.cadence if report.cadence in workreports.CADENCES else d.WEEKLY
    try:
        return period_words(cadence, d.period_named(cadence, report.period))
    except EngineError:
        return report.period


def week_named(name: str, moment: datetime) -> d.Period:
    """The ISO week called `name`, or the week holding `moment` when no name is given."""
    if not name:
        return d.period_of(d.WEEKLY, timezone.localdate(moment))
    try:
        return d.period_named(d.WEEKLY, name)
    except EngineError:
        return d.period_of(d.WEEKLY, timezone.localdate(moment))


def _start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


# Work the workbench keeps itself (W-3, W-5), not the ledger's events: a yearly report duty needs the
# year's reports, not the year's calls.
FIELD_COUNTS = frozenset({*d.FIELD_KINDS, d.STOCK_LOGGED, d.RETAIL_ROUNDS, *d.EACH})  # 篇4's field log
OWN_KINDS = frozenset(
    {
        "work_log",
        "survey",
        *(workreports.kind_of(c) for c in workreports.CADENCES),
        *d.FIELD_KINDS,
        d.STOCK_LOGGED,
        d.RETAIL_ROUNDS,
        *d.EACH,
    }
)


def work_log(
    project: ledger.Project,
    staff_ids: Iterable[int],
    first: date,
    now: datetime,
    *,
    events_from: date | None = None,
    field: bool = True,
) -> d.WorkLog:
    """The engine's log of these people's work from `first` to `now`, with their customers' first contacts;
    the ledger's events from `events_from` when later (what the duties counting events look back to)."""
    zone = zone_of(project)
    ids = list(staff_ids)
    since = max(first, events_from) if events_from is not None else first
    rows = list(
        ledger.Event.objects.filter(project=project, staff_id__in=ids, at__gte=_start(since, zone), at__lte=now)
        .order_by("seq")
        .values_list("seq", "kind", "at", "staff_id", "customer_id")
    )
    customers = {customer for *_, customer in rows if customer is not None}
    firsts = (
        ledger.Event.objects.filter(project=project, customer_id__in=customers, kind__in=(VISIT, CALL, ESCORTED_VISIT))
        .values("customer_id")
        .annotate(first=Min("seq"))
        .values_list("first", flat=True)
    )
    seen = {seq for seq, *_ in rows}
    rows += list(
        ledger.Event.objects.filter(project=project, seq__in=[s for s in firsts if s not in seen]).values_list(
            "seq", "kind", "at", "staff_id", "customer_id"
        )
    )
    items = [
        d.Work(
            id=f"e{seq}",
            at=at,
            seq=seq,
            type=kind,
            staff=str(staff) if staff is not None else None,
            customer=str(customer) if customer is not None else None,
            day=at.astimezone(zone).date(),
        )
        for seq, kind, at, staff, customer in rows
    ]
    # W-3: a day's work log and a submitted report are logged work, counted as the engine counts events.
    for pk, staff, day, written in WorkLogEntry.objects.filter(staff_id__in=ids, day__gte=first).values_list(
        "pk", "staff_id", "day", "written_at"
    ):
        items.append(
            d.Work(id=f"log{pk}", at=written, seq=0, type="work_log", staff=str(staff), customer=None, day=day)
        )
    for pk, staff, cadence, submitted in Report.objects.filter(
        staff_id__in=ids, submitted_at__isnull=False, submitted_at__gte=_start(first, zone)
    ).values_list("pk", "staff_id", "cadence", "submitted_at"):
        items.append(
            d.Work(
                id=f"report{pk}",
                at=submitted,
                seq=0,
                type=workreports.kind_of(cadence),
                staff=str(staff),
                customer=None,
                day=submitted.astimezone(zone).date(),
            )
        )
    # W-5: a satisfaction survey sent is logged work too.
    for pk, staff, sent in Survey.objects.filter(staff_id__in=ids, sent_at__gte=_start(first, zone)).values_list(
        "pk", "staff_id", "sent_at"
    ):
        day = sent.astimezone(zone).date()
        items.append(d.Work(id=f"survey{pk}", at=sent, seq=0, type="survey", staff=str(staff), customer=None, day=day))
    # 篇4: the field log; a wholesaler is "the customer" of a call or visit, a round's size its shops,
    # a stock check's its counted stock (none: checked without figures).
    # `field=False`: a today page with no field duty skips the query (the team dashboard reads ten).
    logged = FieldWork.objects.filter(staff_id__in=ids, at__gte=_start(first, zone), at__lte=now)
    for pk, staff, kind, trader, shops, stock, at in (
        logged.values_list("pk", "staff_id", "kind", "trader_id", "shops", "stock", "at") if field else ()
    ):
        items.append(
            d.Work(
                id=f"field{pk}",
                at=at,
                seq=0,
                type=kind,
                staff=str(staff),
                customer=f"t{trader}" if trader is not None else None,
                day=at.astimezone(zone).date(),
                size=shops if kind == d.RETAIL_ROUND else stock,
            )
        )
    return d.WorkLog(items)


FIGURES = workreports.COUNTED


def figures(staff: ledger.Staff, period: d.Period, now: datetime) -> dict[str, int | str]:
    """A report's counted figures for the period (W-3), with the money this person entered as collected (W-6)."""
    log = work_log(staff.project, [staff.pk], period.first, now)
    collected = CollectionEntry.objects.filter(
        staff=staff, figure=CollectionEntry.Figure.COLLECTED, day__gte=period.first, day__lte=period.last
    ).values_list("amount", flat=True)
    return workreports.figures(log, str(staff.pk), period, until=now, collected=[a for a in collected if a is not None])


def duties_of(staff: ledger.Staff) -> list[DutyTemplate]:
    """The duties assigned to this person, or to a team of theirs for their role."""
    teams = Team.objects.filter(project=staff.project, members=staff)
    return list(
        DutyTemplate.objects.filter(project=staff.project)
        .filter(Q(people=staff) | Q(teams__in=teams, role=staff.role))
        .distinct()
        .order_by("pk")
    )


@dataclass
class Line:
    """One duty on a person's today page: the engine's standing and, for callbacks, who is not yet reached."""

    duty: DutyTemplate
    standing: d.Standing | None  # None: a duty the app does not count yet
    unvisited: list[str] = field(default_factory=list)
    more: int = 0
    wholesalers: bool = False  # 篇4: `unvisited` names wholesalers, not customers


@dataclass
class Board:
    staff: ledger.Staff
    lines: list[Line]
    logged_today: WorkLogEntry | None
    day_off: bool = False
    joined: date | None = None

    @property
    def missed(self) -> int:
        return sum(1 for line in self.lines if line.standing is not None and line.standing.status == d.MISSED)


def _first_day(duty: DutyTemplate, day: date) -> date:
    try:
        return d.period_of(duty.cadence, day, n=duty.n, joined=duty.starts).first
    except EngineError:
        return day


def owned_ids(staff: ledger.Staff) -> QuerySet[Holding, dict[str, Any]]:
    """The person's customers by the (project, staff) index of their holdings, which the verdicts' triggers
    keep: a filter on the verdicts' owners reads every verdict of the company (10,000,000 events: 47 ms)."""
    return Holding.objects.filter(project=staff.project, staff=str(staff.pk)).values("customer_id")


def _owned(staff: ledger.Staff) -> list[tuple[str, str]]:
    rows = ledger.Customer.objects.filter(pk__in=owned_ids(staff)).values_list("pk", "name")
    return [(str(pk), name or f"#{pk}") for pk, name in rows.order_by("name", "pk")]


def board(staff: ledger.Staff, now: datetime, *, log: d.WorkLog | None = None) -> Board:
    """Today's duties of one person, each counted from logged work by the engine (W-1, W-2)."""
    zone = zone_of(staff.project)
    day = now.astimezone(zone).date()
    duties = duties_of(staff)
    if log is None:
        counted = [duty for duty in duties if duty.counts]
        first = min((_first_day(duty, day) for duty in counted), default=day)
        # Only duties counting the ledger's events need its events: today's, for the shipped daily ones.
        events_from = min((_first_day(duty, day) for duty in counted if duty.counts not in OWN_KINDS), default=day)
        field = any(duty.counts in FIELD_COUNTS for duty in counted)
        log = work_log(staff.project, [staff.pk], first, now, events_from=events_from, field=field)
    joined = Joining.objects.filter(staff=staff).values_list("day", flat=True).first()
    days_off = set(DayOff.objects.filter(staff=staff, day=day).values_list("day", flat=True))
    wholesalers: dict[str, str] = {}
    if any(duty.counts in d.EACH for duty in duties):
        rows = Trader.objects.filter(staff=staff, kind=Trader.Kind.WHOLESALER, active=True).values_list("pk", "name")
        wholesalers = {f"t{pk}": name for pk, name in rows}
    lines = []
    for duty in duties:
        if not duty.counts or (duty.cadence == d.EVERY_N_DAYS and (duty.n is None or duty.starts is None)):
            lines.append(Line(duty=duty, standing=None))
            continue
        # 篇4: a wholesaler duty is owed to each wholesaler this person looks after (decision 490); with
        # none on their list yet it is not counted, rather than met by owing nothing.
        each = wholesalers if duty.counts in d.EACH else None
        if each is not None and not each:
            lines.append(Line(duty=duty, standing=None, wholesalers=True))
            continue
        # W-1: a joiner owes the share of the period left; an every-N-days duty keeps its own rhythm
        # (decision 270), so its periods count from the duty's start, not the person's.
        standing = d.standing(
            log,
            staff=str(staff.pk),
            cadence=duty.cadence,
            counts=duty.counts,
            target=duty.target,
            now=now,
            zone=zone,
            n=duty.n,
            joined=duty.starts if duty.cadence == d.EVERY_N_DAYS else joined,
            days_off=days_off,
            each=each,
        )
        line = Line(duty=duty, standing=standing)
        if each is not None:  # W-2: who is still uncalled / unvisited
            line.wholesalers = True
            line.unvisited = [wholesalers[t] for t in standing.short[:UNVISITED_SHOWN]]
            line.more = max(len(standing.short) - UNVISITED_SHOWN, 0)
        if duty.counts == d.CALLBACKS:  # W-2: the person's own customers not yet reached in the period
            owned = dict(_owned(staff))
            left = d.not_reached(log, str(staff.pk), standing.period, owned, until=now)
            line.unvisited = [owned[c] for c in left[:UNVISITED_SHOWN]]
            line.more = max(len(left) - UNVISITED_SHOWN, 0)
        lines.append(line)
    logged = WorkLogEntry.objects.filter(staff=staff, day=day).first()
    return Board(staff=staff, lines=lines, logged_today=logged, day_off=bool(days_off), joined=joined)


def team_of(manager: ledger.Staff) -> list[ledger.Staff]:
    """The people of the teams this manager leads, in roster order."""
    return list(
        ledger.Staff.objects.filter(
            project=manager.project, pk__in=Team.objects.filter(manager=manager).values("members")
        )
        .distinct()
        .order_by("pk")
    )


def team_boards(manager: ledger.Staff, now: datetime) -> list[Board]:
    return [board(person, now) for person in team_of(manager)]


def reports_to_review(manager: ledger.Staff) -> list[Report]:
    people = [p.pk for p in team_of(manager)]
    return list(
        Report.objects.filter(project=manager.project, staff_id__in=people, state=Report.State.SUBMITTED)
        .select_related("staff")
        .order_by("submitted_at")
    )


# --- complaints (S-1) ---------------------------------------------------------------------------


def service_hours(project: ledger.Project) -> tuple[int, complaints_engine.BusinessHours | None]:
    """The project's hours to answer a complaint and its business hours (None: the clock runs on calendar hours)."""
    found = ServiceHours.objects.filter(project=project).first()
    if found is None:
        return complaints_engine.RESPONSE_HOURS, None
    if not found.business:
        return found.response_hours, None
    weekdays = frozenset(int(day) for day in found.weekdays.split(",") if day.strip().isdigit())
    return found.response_hours, complaints_engine.BusinessHours(
        opens=found.opens, closes=found.closes, weekdays=weekdays
    )


@dataclass
class ComplaintClocks:
    """A complaint with its clocks: answering the customer (S-1) and, once passed, the department's."""

    complaint: Complaint
    answer: complaints_engine.Clock
    department: complaints_engine.Clock | None

    @property
    def urgent(self) -> datetime:
        """When the next running clock falls due (closed ones sort last)."""
        running = [c.due for c in (self.answer, self.department) if c is not None and not c.stopped]
        return min(running) if running else self.answer.due


def clocks_of(
    complaint: Complaint, now: datetime, hours: tuple[int, complaints_engine.BusinessHours | None]
) -> ComplaintClocks:
    response, business = hours
    zone = zone_of(complaint.project)
    answer = complaints_engine.clock(
        complaint.received_at, hours=response, now=now, zone=zone, business=business, stopped=complaint.answered_at
    )
    department = None
    if complaint.passed_at is not None and complaint.department_hours is not None:
        department = complaints_engine.clock(
            complaint.passed_at,
            hours=complaint.department_hours,
            now=now,
            zone=zone,
            business=business,
            stopped=complaint.department_done_at,
        )
    return ComplaintClocks(complaint=complaint, answer=answer, department=department)


def open_complaints(project: ledger.Project, now: datetime) -> list[ComplaintClocks]:
    """The project's complaints not yet closed, the one whose clock falls due first at the top."""
    hours = service_hours(project)
    # The project is the one in hand: joined in, it led SQLite away from the (project, closed_at) index.
    found = list(Complaint.objects.filter(project=project, closed_at__isnull=True).select_related("received_by"))
    for complaint in found:
        complaint.project = project
    return sorted((clocks_of(c, now, hours) for c in found), key=lambda c: c.urgent)


def closed_complaints(project: ledger.Project, limit: int = 20) -> list[Complaint]:
    return list(
        Complaint.objects.filter(project=project, closed_at__isnull=False)
        .select_related("received_by", "closed_by")
        .order_by("-closed_at")[:limit]
    )


def complaint_month(
    project: ledger.Project, name: str, now: datetime
) -> tuple[d.Period, complaints_engine.MonthReport]:
    """S-2: the month called `name` (this month when none or a bad one is given) and its complaint report."""
    zone = zone_of(project)
    try:
        month = d.period_named(d.MONTHLY, name) if name else d.period_of(d.MONTHLY, now.astimezone(zone).date())
    except EngineError:
        month = d.period_of(d.MONTHLY, now.astimezone(zone).date())
    previous = d.period_of(d.MONTHLY, month.first - timedelta(days=1))
    start = datetime.combine(previous.first, time(0), zone)
    end = datetime.combine(month.last + timedelta(days=1), time(0), zone)
    first = datetime.combine(month.first, time(0), zone)
    rows = Complaint.objects.filter(project=project, received_at__lt=end).filter(
        Q(received_at__gte=start) | Q(closed_at__isnull=True) | Q(closed_at__gte=first)
    )
    hours = service_hours(project)
    facts = [
        complaints_engine.Facts(
            received=c.received_at,
            channel=c.channel,
            kind=c.kind,
            due=complaints_engine.due(c.received_at, hours[0], zone, hours[1]),
            answered=c.answered_at,
            closed=c.closed_at,
        )
        for c in rows
    ]
    report = complaints_engine.month_report(
        facts,
        first=month.first,
        last=month.last,
        previous_first=previous.first,
        zone=zone,
        kinds=Complaint.Kind.values,
    )
    return month, report


@dataclass(frozen=True)
class ComplaintCounts:
    """What the workbench reminds of (S-1): open complaints, and how many have a clock overdue."""

    open: int
    overdue: int


def complaint_counts(project: ledger.Project, now: datetime) -> ComplaintCounts:
    rows = open_complaints(project, now)
    late = sum(
        1 for row in rows if complaints_engine.OVERDUE in (row.answer.state, row.department and row.department.state)
    )
    return ComplaintCounts(open=len(rows), overdue=late)
