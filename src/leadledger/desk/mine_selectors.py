"""Reads for "my customers": a consultant's customers from the stored verdicts, by tab, a page at a time.

The stored verdicts are read as they are; a verdict that time alone has moved since it was judged (its
`until` or `channel_until` passed, IH-4, IH-5, D-3) is counted by `tally_of`, found by `moved_by_time` and
judged again by the engine before the page is drawn (`ledger.services.verdicts_catch_up`; docs/decisions.md
130). Which tab a customer is in is the engine's word (`Policy.expiring`, `Policy.expiring_by` where the
database counts); nothing here counts days. The tabs are counted by the database and only the page's 25
verdicts are read (docs/decisions.md 545).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Value

from leadledger.engine.inhouse import ACTIVE, LAPSED, PENDING
from leadledger.engine.policy import Policy
from leadledger.ledger import convert, models
from leadledger.ledger.prepared import (
    STAND_IN_DAYS,
    STAND_IN_IDS,
    STAND_IN_MOMENT,
    STAND_IN_MOMENT_2,
    Ids,
    PreparedRead,
)
from leadledger.web.selectors import masked, phone_mode

from .models import FollowUpPlan, Holding

TODAY = "today"
TABS = (TODAY, "pending", "expiring", "active", "lapsed")
PAGE_SIZE = 25
# A pending claim whose follow-up window closes within this is on today's list (IH-4).
CLOSING = timedelta(days=1)


def _passed(now: datetime) -> Q:
    """A stored verdict that time alone has moved: its `until` or its channel's passed after it was judged."""
    return Q(until__gt=F("judged_at"), until__lte=now) | Q(channel_until__gt=F("judged_at"), channel_until__lte=now)


def _in_tab(tab: str, expiring_by: datetime) -> Q:
    """Which stored verdicts a tab other than today's holds; `expiring_by` is the engine's (IH-5)."""
    if tab == "pending":
        return Q(status=PENDING)
    if tab == "expiring":
        return Q(status=ACTIVE, until__lte=expiring_by)
    if tab == "active":
        return Q(status=ACTIVE) & ~Q(until__lte=expiring_by)
    return Q(status=LAPSED)


STAND_IN_STAFF = "\x00staff"


def _holdings(project: models.Project | int, staff: str) -> QuerySet[Holding]:
    """The consultant's holdings: one range of the (project, staff, status, until, ...) index, which holds
    every column the tabs ask of (desk migration 0012)."""
    return Holding.objects.filter(project=project, staff=staff)


def _due(project: models.Project | int, staff: models.Staff | int, day: date) -> QuerySet[FollowUpPlan]:
    """The consultant's follow-up plans whose contact day has come (or passed): on today's list."""
    return FollowUpPlan.objects.filter(project=project, staff=staff, next_contact__lte=day)


# Every tab's count and how many verdicts time has moved, counted by the database from the index alone:
# the page reads the 25 lines it shows, not the 2,000 it counts.
_TALLY = PreparedRead(
    lambda project, staff, now, expiring_by: (
        _holdings(project, staff)
        .values(one=Value(1))  # a constant: no GROUP BY, so one row, zeros included
        .annotate(
            **{tab: Count("pk", filter=_in_tab(tab, expiring_by)) for tab in TABS[1:]},
            moved=Count("pk", filter=_passed(now)),
        )
        .values_list(*TABS[1:], "moved")
    ),
    STAND_IN_IDS[0],
    STAND_IN_STAFF,
    STAND_IN_MOMENT,
    STAND_IN_MOMENT_2,
)

# Today's candidates: a pending claim whose follow-up window closes within a day (IH-4), or a customer
# whose planned contact day has come; `_group` then keeps those still in a tab.
_TODAY = PreparedRead(
    lambda project, staff_key, staff, closing_by, day: (
        _holdings(project, staff_key)
        .filter(
            Q(status=PENDING, until__lt=closing_by) | Q(customer_id__in=_due(project, staff, day).values("customer_id"))
        )
        .values_list("customer_id", "status", "until")
    ),
    STAND_IN_IDS[0],
    STAND_IN_STAFF,
    STAND_IN_IDS[1],
    STAND_IN_MOMENT,
    STAND_IN_DAYS[0],
)


_PLANNED = PreparedRead(  # the planned contact days that have come: today's list, and the order it is in
    lambda project, staff, day: _due(project, staff, day).values_list("customer_id", "next_contact"),
    STAND_IN_IDS[0],
    STAND_IN_IDS[1],
    STAND_IN_DAYS[0],
)
_PEOPLE = PreparedRead(  # a page's customers: their names and numbers
    lambda ids: models.Customer.objects.filter(pk__in=ids).values_list("pk", "name", "phone"),
    Ids(PAGE_SIZE),
)
_PLANS = PreparedRead(  # a page's latest notes and next contacts, the consultant's own
    lambda staff, ids: FollowUpPlan.objects.filter(staff=staff, customer_id__in=ids).values_list(
        "customer_id", "note", "next_contact"
    ),
    STAND_IN_IDS[1],
    Ids(PAGE_SIZE),
)


@dataclass(frozen=True)
class Tally:
    """Each tab's count but today's, and how many of the consultant's verdicts time has moved."""

    counts: dict[str, int]
    moved: int


def tally_of(project: models.Project, staff: models.Staff, now: datetime) -> Tally:
    """The consultant's tabs counted, in one read; `moved` > 0: judge `moved_by_time` again first."""
    expiring_by = convert.policy_of(project).expiring_by(now)
    found = _TALLY.rows(project.pk, str(staff.pk), now, expiring_by)
    *counts, moved = found[0] if found else (0,) * len(TABS)
    return Tally(counts=dict(zip(TABS[1:], counts, strict=True)), moved=moved)


def moved_by_time(project: models.Project, staff: models.Staff, now: datetime) -> list[int]:
    """The customers whose stored verdict reached its `until` (or its channel's) after it was judged."""
    moved = _holdings(project, str(staff.pk)).filter(_passed(now))
    return list(moved.values_list("customer_id", flat=True))


def plan_of(staff: models.Staff, customer: models.Customer) -> FollowUpPlan | None:
    """The consultant's latest follow-up of this customer (its note and next contact), or None."""
    return FollowUpPlan.objects.filter(staff=staff, customer=customer).first()


@dataclass(frozen=True)
class Row:
    """One line of the page: who, the status, how long is left, the latest note and next contact."""

    customer: int
    name: str
    phone: str
    status: str
    group: str
    until: datetime | None
    hours_left: int | None
    closing: bool  # the follow-up window closes within a day (IH-4)
    sentence: str
    note: str = ""
    next_contact: date | None = None
    overdue: bool = False  # the planned day is past and no follow-up was logged since

    @property
    def left_days(self) -> int:
        return (self.hours_left or 0) // 24

    @property
    def left_hours(self) -> int:
        return (self.hours_left or 0) % 24


@dataclass(frozen=True)
class MyCustomers:
    tab: str
    counts: dict[str, int]
    rows: list[Row]
    page: int
    pages: int
    day: date  # today in the project's zone


def _group(policy: Policy, status: str, until: datetime | None, now: datetime) -> str | None:
    if status == PENDING:
        return "pending"
    if policy.expiring(status, until, now):  # IH-5: the policy's warning window
        return "expiring"
    return status if status in (ACTIVE, LAPSED) else None


def row_of(project: models.Project, staff: models.Staff, customer: int, now: datetime, lang: str = "zh") -> Row | None:
    """One line of the page with its sentence, for its on-demand part; None unless the customer is this
    consultant's."""
    stored = _holdings(project, str(staff.pk)).filter(customer_id=customer).values_list("status", "until").first()
    group = _group(convert.policy_of(project), *stored, now) if stored else None
    if stored is None or group is None:
        return None
    status, until = stored
    day = now.astimezone(ZoneInfo(project.time_zone)).date()
    return _rows(project, staff, [(customer, status, until, group)], now, day, sentences=lang)[0]


# A line before it is drawn: (customer, status, until, tab).
Line = tuple[int, str, datetime | None, str]


def my_customers(
    project: models.Project,
    staff: models.Staff,
    now: datetime,
    *,
    tally: Tally | None = None,
    tab: str = TODAY,
    page: int = 1,
) -> MyCustomers:
    """The consultant's customers in `tab`, page `page`, with every tab's count; today's list first."""
    policy = convert.policy_of(project)
    day = now.astimezone(ZoneInfo(project.time_zone)).date()
    if tally is None:
        tally = tally_of(project, staff, now)
    planned = dict(_PLANNED.rows(project.pk, staff.pk, day))
    today: list[Line] = []
    for cid, status, until in _TODAY.rows(project.pk, str(staff.pk), staff.pk, now + CLOSING, day):
        if (group := _group(policy, status, until, now)) is not None:
            today.append((cid, status, until, group))
    counts = {TODAY: len(today), **tally.counts}
    if tab not in TABS:
        tab = TODAY
    pages = max(1, math.ceil(counts[tab] / PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    if tab == TODAY:
        far = now + timedelta(days=36500)

        def soonest(line: Line) -> tuple[int, datetime, int]:  # ties by the customer, as the other tabs
            cid, status, until, _ = line
            if _closing(status, until, now):
                return 0, until or far, cid
            return 1, datetime.combine(planned.get(cid, day), datetime.min.time(), tzinfo=now.tzinfo), cid

        shown = sorted(today, key=soonest)[start : start + PAGE_SIZE]
    else:
        # the most recently lapsed first (the likeliest to be won back); elsewhere the next deadline first
        order = F("until").desc(nulls_first=True) if tab == "lapsed" else F("until").asc(nulls_last=True)
        found = (
            _holdings(project, str(staff.pk))
            .filter(_in_tab(tab, policy.expiring_by(now)))
            .order_by(order, "customer_id")
            .values_list("customer_id", "status", "until")[start : start + PAGE_SIZE]
        )
        shown = [(cid, status, until, tab) for cid, status, until in found]
    return MyCustomers(
        tab=tab,
        counts=counts,
        rows=_rows(project, staff, shown, now, day),
        page=page,
        pages=pages,
        day=day,
    )


def _closing(status: str, until: datetime | None, now: datetime) -> bool:
    """A pending claim whose follow-up window closes within a day: on today's list, first (IH-4)."""
    return status == PENDING and until is not None and until - now < CLOSING


def _rows(
    project: models.Project,
    staff: models.Staff,
    shown: list[Line],
    now: datetime,
    day: date,
    *,
    sentences: str | None = None,
) -> list[Row]:
    """The lines drawn from what the page shows; `sentences`: the language of the engine's sentence to add."""
    if not shown:
        return []
    mode = phone_mode(project)
    ids = [line[0] for line in shown]
    people = {pk: (name, phone) for pk, name, phone in _PEOPLE.rows(ids)}
    said: dict[int, str] = {}
    if sentences is not None:
        said = dict(
            models.Verdict.objects.filter(customer_id__in=ids).values_list(
                "customer_id", "explain_zh" if sentences == "zh" else "explain_en"
            )
        )
    plans = {cid: (note, next_contact) for cid, note, next_contact in _PLANS.rows(staff.pk, ids)}
    rows = []
    for cid, status, ends, group in shown:
        name, phone = people[cid]
        left = ends - now if ends is not None and ends > now else None
        note, next_contact = plans.get(cid, ("", None))
        rows.append(
            Row(
                customer=cid,
                name=name,
                phone=masked(phone, mode),
                status=status,
                group=group,
                until=ends,
                hours_left=int(left.total_seconds() // 3600) if left is not None else None,
                closing=_closing(status, ends, now),
                sentence=said.get(cid, ""),
                note=note,
                next_contact=next_contact,
                overdue=next_contact is not None and next_contact < day,
            )
        )
    return rows
