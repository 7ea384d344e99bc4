"""Reads for "my customers": a consultant's customers from the stored verdicts, by tab, a page at a time.

The stored verdicts are read as they are; a verdict that time alone has moved since it was judged (its
`until` or `channel_until` passed, IH-4, IH-5, D-3) is found by `moved_by_time` and judged again by the
engine before the page is drawn (`ledger.services.verdicts_catch_up`; docs/decisions.md 130). Which tab
a customer is in is the engine's word (`Policy.expiring`); nothing here counts days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Q

from leadledger.engine.inhouse import ACTIVE, LAPSED, PENDING
from leadledger.engine.policy import Policy
from leadledger.ledger import convert, models
from leadledger.web.selectors import masked, phone_mode

from .models import FollowUpPlan, Holding

TODAY = "today"
TABS = (TODAY, "pending", "expiring", "active", "lapsed")
PAGE_SIZE = 25
# A pending claim whose follow-up window closes within this is on today's list (IH-4).
CLOSING = timedelta(days=1)


def _held(project: models.Project, staff: models.Staff) -> Q:
    # Driven by the holdings' (project, staff) index, each verdict then by its key: a filter on the
    # verdict's own project would let the planner walk every verdict of the project instead.
    mine = Holding.objects.filter(project=project, staff=str(staff.pk)).values("customer_id")
    return Q(customer_id__in=mine)


# A stored verdict as the page reads it: (customer, status, until, moved by time since it was judged).
Stored = tuple[int, str, datetime | None, bool]


def stored_verdicts(project: models.Project, staff: models.Staff, now: datetime) -> list[Stored]:
    """This consultant's stored verdicts, read once per view (2,000 rows spread over the whole table).

    Whether time has moved one (its `until` or its channel's passed after it was judged) is asked of
    the database in the same read: two more datetimes per row cost more to convert than to compare.
    """
    passed = Q(until__gt=F("judged_at"), until__lte=now) | Q(channel_until__gt=F("judged_at"), channel_until__lte=now)
    rows = models.Verdict.objects.filter(_held(project, staff)).annotate(
        moved=ExpressionWrapper(passed, output_field=BooleanField())
    )
    # Read by the cursor, past Django's per-value converters: for 2,000 rows they took a quarter of the
    # page's time (docs/benchmarks.md, "perf").
    sql, params = rows.values_list("customer_id", "status", "until", "moved").query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [(cid, status, _moment(until), bool(moved)) for cid, status, until, moved in found]


def _moment(value: datetime | None) -> datetime | None:
    """A stored moment as the cursor gives it: naive in UTC on SQLite, aware on PostgreSQL."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def moved_by_time(stored: list[Stored]) -> list[int]:
    """The customers whose stored verdict reached its `until` (or its channel's) after it was judged."""
    return [cid for cid, _, _, moved in stored if moved]


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
    """One line of the page, for its on-demand part; None unless the customer is this consultant's."""
    found = models.Verdict.objects.filter(_held(project, staff), customer_id=customer).values_list("status", "until")
    stored = found.first()
    group = _group(convert.policy_of(project), *stored, now) if stored else None
    if stored is None or group is None:
        return None
    status, until = stored
    closing = {customer} if status == PENDING and until is not None and until - now < CLOSING else set()
    day = now.astimezone(ZoneInfo(project.time_zone)).date()
    return _rows(
        project, staff, [customer], {customer: status}, {customer: group}, {customer: until}, closing, now, day, lang
    )[0]


def my_customers(
    project: models.Project,
    staff: models.Staff,
    now: datetime,
    *,
    stored: list[Stored] | None = None,
    tab: str = TODAY,
    page: int = 1,
    lang: str = "zh",
) -> MyCustomers:
    """The consultant's customers in `tab`, page `page`, with every tab's count; today's list first."""
    policy = convert.policy_of(project)
    day = now.astimezone(ZoneInfo(project.time_zone)).date()
    if stored is None:
        stored = stored_verdicts(project, staff, now)
    group: dict[int, str] = {}
    until: dict[int, datetime | None] = {}
    statuses = {cid: status for cid, status, *_ in stored}
    for cid, status, ends, *_ in stored:
        if (found := _group(policy, status, ends, now)) is not None:
            group[cid], until[cid] = found, ends
    planned = dict(
        FollowUpPlan.objects.filter(project=project, staff=staff, next_contact__lte=day).values_list(
            "customer_id", "next_contact"
        )
    )
    closing = {
        cid for cid, g in group.items() if g == "pending" and (ends := until[cid]) is not None and ends - now < CLOSING
    }
    today = closing | {cid for cid in planned if cid in group}
    members: dict[str, list[int]] = {name: [] for name in TABS}
    members[TODAY] = list(today)
    for cid, g in group.items():
        members[g].append(cid)
    far = now + timedelta(days=36500)

    def soonest(cid: int) -> tuple[int, datetime]:
        if cid in closing:
            return 0, until[cid] or far
        return 1, datetime.combine(planned.get(cid, day), datetime.min.time(), tzinfo=now.tzinfo)

    if tab not in TABS:
        tab = TODAY
    chosen = members[tab]
    if tab == TODAY:
        chosen.sort(key=soonest)
    elif tab == "lapsed":  # the most recently lapsed first: the likeliest to be won back
        chosen.sort(key=lambda cid: until[cid] or now, reverse=True)
    else:  # the next deadline first
        chosen.sort(key=lambda cid: until[cid] or far)
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = _rows(project, staff, shown, statuses, group, until, closing, now, day, lang)
    return MyCustomers(
        tab=tab,
        counts={name: len(ids) for name, ids in members.items()},
        rows=rows,
        page=page,
        pages=pages,
        day=day,
    )


def _rows(
    project: models.Project,
    staff: models.Staff,
    shown: list[int],
    statuses: dict[int, str],
    group: dict[int, str],
    until: dict[int, datetime | None],
    closing: set[int],
    now: datetime,
    day: date,
    lang: str,
) -> list[Row]:
    if not shown:
        return []
    mode = phone_mode(project)
    found = models.Customer.objects.filter(pk__in=shown).values_list("pk", "name", "phone")
    people = {pk: (name, phone) for pk, name, phone in found}
    verdicts = dict(
        models.Verdict.objects.filter(customer_id__in=shown).values_list(
            "customer_id", "explain_zh" if lang == "zh" else "explain_en"
        )
    )
    plans = {
        cid: (note, next_contact)
        for cid, note, next_contact in FollowUpPlan.objects.filter(staff=staff, customer_id__in=shown).values_list(
            "customer_id", "note", "next_contact"
        )
    }
    rows = []
    for cid in shown:
        name, phone = people[cid]
        ends = until[cid]
        left = ends - now if ends is not None and ends > now else None
        note, next_contact = plans.get(cid, ("", None))
        rows.append(
            Row(
                customer=cid,
                name=name,
                phone=masked(phone, mode),
                status=statuses[cid],
                group=group[cid],
                until=ends,
                hours_left=int(left.total_seconds() // 3600) if left is not None else None,
                closing=cid in closing,
                sentence=verdicts.get(cid, ""),
                note=note,
                next_contact=next_contact,
                overdue=next_contact is not None and next_contact < day,
            )
        )
    return rows
