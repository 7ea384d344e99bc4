"""The workbench's duties (RULES.md section 8): cadences (W-1) and targets counted from logged work (W-2).

Pure: a duty's periods are spans of calendar days in the project's time zone; what is owed comes from
the target, the person's `joined` date and their days off; what is done is counted from the events,
never ticked by hand. `answer_duties` reads a `"kind": "duties"` scenario file (FORMAT.md) strictly,
with the JSON path of every mistake, and answers its questions.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .errors import EngineError
from .model import CALL, ESCORTED_VISIT, FOLLOW_UP, VISIT, Cast, Staff
from .policy import policy_from
from .scenario import (
    EVENT_FIELDS,
    as_list,
    as_obj,
    as_str,
    check_keys,
    fail,
    parse_time,
    read_people,
)
from .scenario import _event as _attribution_event

DAILY, WEEKLY, DEKAD, MONTHLY, QUARTERLY, YEARLY, EVERY_N_DAYS = (
    "daily",
    "weekly",
    "dekad",
    "monthly",
    "quarterly",
    "yearly",
    "every_n_days",
)
CADENCES = (DAILY, WEEKLY, DEKAD, MONTHLY, QUARTERLY, YEARLY, EVERY_N_DAYS)

# 篇4: a distribution salesperson's field work, each logged on the workbench's field log (decision 490).
STOCK_CHECK, WHOLESALER_CALL, WHOLESALER_VISIT = "stock_check", "wholesaler_call", "wholesaler_visit"
RETAIL_ROUND, MARKET_ANALYSIS, WHOLESALER_MEETING = "retail_round", "market_analysis", "wholesaler_meeting"
FIELD_KINDS = (STOCK_CHECK, WHOLESALER_CALL, WHOLESALER_VISIT, RETAIL_ROUND, MARKET_ANALYSIS, WHOLESALER_MEETING)
# Logged work (W-3, W-5, W-6, 篇4): events of the workbench, counted by their type.
WORK_KINDS = (
    "work_log",
    "weekly_report",
    "monthly_report",
    "quarterly_report",
    "yearly_report",
    "survey",
    "collection_call",
    "customer_visit",
    *FIELD_KINDS,
)
# What the 篇4 duties count beyond a plain tally of a kind (decisions 490, 491).
STOCK_LOGGED = "stock_logged"  # 篇4 二.1: the stock checked daily and logged (with its figures) every 5 days
WHOLESALERS_CALLED = "wholesalers_called"  # 篇4 二.2: each secondary wholesaler called every 3 days
WHOLESALERS_VISITED = "wholesalers_visited"  # 篇4 二.3: each secondary wholesaler visited monthly
RETAIL_ROUNDS = "retail_rounds"  # 篇4 二.4: 3 rounds a month of at least 10 shops each
ROUND_SHOPS = 10  # 篇4 二.4: 每次不得少于10家
EACH = {WHOLESALERS_CALLED: (WHOLESALER_CALL, WHOLESALER_VISIT), WHOLESALERS_VISITED: (WHOLESALER_VISIT,)}
CALLBACKS, NEW_PROSPECTS, VISITS, CALLS = "callbacks", "new_prospects", "visits", "calls"
MONTHLY_REPORT, QUARTERLY_REPORT, YEARLY_REPORT = "monthly_report", "quarterly_report", "yearly_report"
COUNTS = (CALLBACKS, NEW_PROSPECTS, VISITS, CALLS, *WORK_KINDS, STOCK_LOGGED, *EACH, RETAIL_ROUNDS)
MET, MISSED, OPEN = "met", "missed", "open"
STATUSES = (MET, MISSED, OPEN)
# W-2: the policy's default targets, per day, for the two counts RULES.md names.
DEFAULT_TARGETS = {CALLBACKS: ("daily_callbacks", 10), NEW_PROSPECTS: ("daily_new_prospects", 5)}
# A customer's first contact is their first visit (received, or escorted by an agent) or call.
_CONTACTS = frozenset({VISIT, CALL, ESCORTED_VISIT})

CADENCE_WORDS = {
    DAILY: ("每日", "daily"),
    WEEKLY: ("每周", "weekly"),
    DEKAD: ("每旬", "every ten days (旬)"),
    MONTHLY: ("每月", "monthly"),
    QUARTERLY: ("每季度", "quarterly"),
    YEARLY: ("每年", "yearly"),
    EVERY_N_DAYS: ("每 {n} 天", "every {n} days"),
}
COUNT_WORDS = {
    CALLBACKS: ("回访老客户", "existing prospects called back"),
    NEW_PROSPECTS: ("新客户", "new prospects"),
    VISITS: ("接待来访", "visits received"),
    CALLS: ("电话", "calls"),
    "work_log": ("工作日志", "work logs"),
    "weekly_report": ("周报", "weekly reports"),
    "monthly_report": ("月报", "monthly reports"),
    "quarterly_report": ("季报", "quarterly reports"),
    "yearly_report": ("年报", "yearly reports"),
    "survey": ("满意度调查", "satisfaction surveys"),
    "collection_call": ("催款电话", "collection calls"),
    "customer_visit": ("拜访客户", "customer visits"),
    STOCK_CHECK: ("检查经销商库存", "dealer stock checks"),
    WHOLESALER_CALL: ("电话联系二级批发商", "wholesaler calls"),
    WHOLESALER_VISIT: ("拜访二级批发商", "wholesaler visits"),
    RETAIL_ROUND: ("零售巡店", "retail rounds logged"),
    MARKET_ANALYSIS: ("市场分析", "market analyses"),
    WHOLESALER_MEETING: ("批发商例会", "wholesaler meetings"),
    STOCK_LOGGED: ("登记库存", "stock logged with its figures"),
    WHOLESALERS_CALLED: ("联系到的二级批发商", "wholesalers called"),
    WHOLESALERS_VISITED: ("拜访到的二级批发商", "wholesalers visited"),
    RETAIL_ROUNDS: ("零售巡店（每轮至少10家）", "retail rounds of at least 10 shops"),
}


# --- periods (W-1) -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A span of calendar days, first to last inclusive, named as FORMAT.md names it."""

    name: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _no_period(zh: str, en: str) -> EngineError:
    return EngineError(zh, en)


def period_of(cadence: str, day: date, *, n: int | None = None, joined: date | None = None) -> Period:
    """The period of `cadence` that holds `day` (W-1); every_n_days counts n-day spans from `joined`."""
    if cadence == DAILY:
        return Period(day.isoformat(), day, day)
    if cadence == WEEKLY:  # ISO weeks, Monday to Sunday, named by the ISO year
        first = day - timedelta(days=day.weekday())
        iso = first.isocalendar()
        return Period(f"{iso.year}-W{iso.week:02d}", first, first + timedelta(days=6))
    if cadence == DEKAD:  # 旬: 1–10, 11–20, 21 to the month's end
        index = min((day.day - 1) // 10, 2)
        first = day.replace(day=index * 10 + 1)
        last = _month_end(day.year, day.month) if index == 2 else first + timedelta(days=9)
        return Period(f"{day.year:04d}-{day.month:02d}-D{index + 1}", first, last)
    if cadence == MONTHLY:
        return Period(f"{day.year:04d}-{day.month:02d}", day.replace(day=1), _month_end(day.year, day.month))
    if cadence == QUARTERLY:
        quarter = (day.month - 1) // 3
        first = date(day.year, quarter * 3 + 1, 1)
        return Period(f"{day.year:04d}-Q{quarter + 1}", first, _month_end(day.year, quarter * 3 + 3))
    if cadence == YEARLY:
        return Period(f"{day.year:04d}", date(day.year, 1, 1), date(day.year, 12, 31))
    if cadence == EVERY_N_DAYS:
        if n is None or n < 1 or joined is None:
            raise _no_period("每 N 天的职责需要 n 和入职日期", "an every-N-days duty needs n and a joined date")
        if day < joined:
            raise _no_period(
                f"{day.isoformat()} 早于入职日期 {joined.isoformat()}",
                f"{day.isoformat()} is before the joined date {joined.isoformat()}",
            )
        first = joined + timedelta(days=(day - joined).days // n * n)
        return Period(first.isoformat(), first, first + timedelta(days=n - 1))
    raise _no_period(f"未知周期 {cadence!r}", f"unknown cadence {cadence!r}")


_NAME_SHAPES = {
    DAILY: (r"(\d{4})-(\d{2})-(\d{2})", "2026-03-12"),
    WEEKLY: (r"(\d{4})-W(\d{2})", "2026-W11"),
    DEKAD: (r"(\d{4})-(\d{2})-D([123])", "2026-03-D1"),
    MONTHLY: (r"(\d{4})-(\d{2})", "2026-03"),
    QUARTERLY: (r"(\d{4})-Q([1-4])", "2026-Q1"),
    YEARLY: (r"(\d{4})", "2026"),
    EVERY_N_DAYS: (r"(\d{4})-(\d{2})-(\d{2})", "2026-03-11"),
}


def period_named(cadence: str, name: str, *, n: int | None = None, joined: date | None = None) -> Period:
    """The period of `cadence` called `name`; an EngineError if there is none such."""
    shape, example = _NAME_SHAPES[cadence]
    found = re.fullmatch(shape, name)
    wrong = _no_period(
        f"{name!r} 不是{CADENCE_WORDS[cadence][0].format(n=n)}职责的周期，应写作 {example}",
        f"{name!r} is not a period of a {CADENCE_WORDS[cadence][1].format(n=n)} duty; write it as {example}",
    )
    if found is None:
        raise wrong
    parts = [int(part) for part in found.groups()]
    try:
        if cadence in (DAILY, EVERY_N_DAYS):
            day = date(parts[0], parts[1], parts[2])
        elif cadence == WEEKLY:
            day = date.fromisocalendar(parts[0], parts[1], 1)
        elif cadence == DEKAD:
            day = date(parts[0], parts[1], (parts[2] - 1) * 10 + 1)
        elif cadence == MONTHLY:
            day = date(parts[0], parts[1], 1)
        elif cadence == QUARTERLY:
            day = date(parts[0], parts[1] * 3 - 2, 1)
        else:
            day = date(parts[0], 1, 1)
    except ValueError:
        raise wrong from None
    period = period_of(cadence, day, n=n, joined=joined)
    if period.name != name:  # e.g. an every-N-days date that does not start a period
        raise _no_period(
            f"{name!r} 不是周期的第一天；含这一天的周期是 {period.name}",
            f"{name!r} does not start a period; the period holding that day is {period.name}",
        )
    return period


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_DEKADS_ZH = ("上旬", "中旬", "下旬")
_QUARTERS_ZH = ("一", "二", "三", "四")


def _zh(day: date, year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def _en(day: date, year: bool = True) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1][:3]}" + (f" {day.year}" if year else "")


def period_words(cadence: str, name: str, lang: str = "zh", *, n: int | None = None) -> str:
    """A period as a person reads it (W-1), the one way every page and file says it: 2026-W49 is
    「2026年第49周」, 2026-12 「2026年12月」, 2026-12-D1 「2026年12月上旬」, 2026-Q4 「2026年第四季度」;
    the name itself when it is none of `cadence`'s."""
    try:
        joined = _first_day(name) if cadence == EVERY_N_DAYS else None
        period = period_named(cadence, name, n=n, joined=joined)
    except (EngineError, KeyError):
        return name
    first, last, zh = period.first, period.last, lang.startswith("zh")
    if cadence == DAILY:
        return _zh(first) if zh else _en(first)
    if cadence == WEEKLY:
        week, year = int(name[-2:]), name[:4]
        return f"{year}年第{week}周" if zh else f"week {week} of {year}"
    if cadence == DEKAD:
        if zh:
            return f"{first.year}年{first.month}月{_DEKADS_ZH[int(name[-1]) - 1]}"
        return f"{first.day}–{_en(last)}"
    if cadence == MONTHLY:
        return f"{first.year}年{first.month}月" if zh else f"{MONTHS_EN[first.month - 1]} {first.year}"
    if cadence == QUARTERLY:
        quarter = (first.month - 1) // 3
        return f"{first.year}年第{_QUARTERS_ZH[quarter]}季度" if zh else f"Q{quarter + 1} {first.year}"
    if cadence == YEARLY:
        return f"{first.year}年" if zh else str(first.year)
    return f"{_zh(first)}至{_zh(last, False)}" if zh else f"{_en(first, False)}–{_en(last)}"


def _first_day(name: str) -> date | None:
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


def owed(target: int, period: Period, *, joined: date | None = None, day_off: bool = False) -> int:
    """What a period asks of one person (W-1).

    Nothing on a day off (the caller says whether the duty is daily); the share of the period's days
    from `joined`, rounded up, for someone who joined during it (none for a period over before they
    joined); otherwise the whole target.
    """
    if day_off:
        return 0
    if joined is None or joined <= period.first:
        return target
    left = max((period.last - joined).days + 1, 0)  # a period over before they joined: no days, nothing owed
    return -(-target * left // period.days)


def status_of(done: int, owed_: int, *, over: bool) -> str:
    """W-2: met as soon as done reaches owed, missed once the period is over without it, else open."""
    if done >= owed_:
        return MET
    return MISSED if over else OPEN


# --- counting from the events (W-2) ------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Work:
    """One event as the workbench counts it: who did what, for whom, on which local day."""

    id: str
    at: datetime
    seq: int
    type: str
    staff: str | None
    customer: str | None
    day: date
    # 篇4: the shops seen on a retail round, the cases counted at a stock check (None: checked, no figures).
    size: int | None = None


class WorkLog:
    """Every event of a timeline, indexed by person, with each customer's first contact."""

    def __init__(self, items: Iterable[Work]) -> None:
        self.items = sorted(items, key=lambda w: (w.at, w.seq))
        self.first_contact: dict[str, Work] = {}
        self.by_staff: dict[str, list[Work]] = {}
        for work in self.items:
            if work.type in _CONTACTS and work.customer is not None:
                self.first_contact.setdefault(work.customer, work)
            if work.staff is not None:
                self.by_staff.setdefault(work.staff, []).append(work)

    def done(self, counts: str, staff: str, period: Period, *, until: datetime | None = None) -> int:
        """How much of `counts` `staff` did in `period`, from the events known at `until` (W-2)."""
        known = [w for w in self.by_staff.get(staff, ()) if w.day in period and (until is None or w.at <= until)]
        if counts == CALLBACKS:
            # Distinct existing prospects: first contacted (by anyone) before the day of the call.
            called = set()
            for work in known:
                if work.type in (CALL, FOLLOW_UP) and work.customer is not None:
                    first = self.first_contact.get(work.customer)
                    if first is not None and first.day < work.day:
                        called.add(work.customer)
            return len(called)
        if counts == NEW_PROSPECTS:
            # Distinct customers whose first contact, a visit or a call, was this person's.
            return len(
                {w.customer for w in known if w.customer is not None and self.first_contact.get(w.customer) is w}
            )
        if counts == STOCK_LOGGED:  # decision 490: a check logged with its figures
            return sum(1 for w in known if w.type == STOCK_CHECK and w.size is not None)
        if counts == RETAIL_ROUNDS:
            return retail_rounds(known)
        if counts in EACH:  # without a list of wholesalers: how many distinct ones were reached
            return len({w.customer for w in known if w.type in EACH[counts] and w.customer is not None})
        kind = {VISITS: VISIT, CALLS: CALL}.get(counts, counts)
        return sum(1 for w in known if w.type == kind)

    def contacts(
        self, counts: str, staff: str, period: Period, each: Iterable[str], *, until: datetime | None = None
    ) -> dict[str, int]:
        """篇4: for an each-wholesaler duty, how often `staff` reached each of `each` in `period` (W-2)."""
        tally = dict.fromkeys(each, 0)
        for work in self.by_staff.get(staff, ()):
            if (
                work.type in EACH[counts]
                and work.customer in tally
                and work.day in period
                and (until is None or work.at <= until)
            ):
                tally[work.customer] += 1
        return tally


def retail_rounds(works: Iterable[Work]) -> int:
    """篇4 二.4, decision 491: a day's shops add up to one round, which counts once it reaches ROUND_SHOPS."""
    shops: dict[date, int] = {}
    for work in works:
        if work.type == RETAIL_ROUND:
            shops[work.day] = shops.get(work.day, 0) + (work.size or 0)
    return sum(1 for seen in shops.values() if seen >= ROUND_SHOPS)


def each_standing(tally: Mapping[str, int], target: int) -> tuple[int, int, list[str]]:
    """篇4, decision 490: (done, owed, those still short) when every one of a list is owed `target` contacts.

    Done counts each one's contacts up to the target, so one wholesaler called ten times never stands
    in for another who was not called.
    """
    done = sum(min(times, target) for times in tally.values())
    return done, target * len(tally), [who for who, times in tally.items() if times < target]


# W-2: a contact with a customer, for "who is still unvisited" (a call, a follow-up, a visit received or paid).
_REACHES = frozenset({CALL, FOLLOW_UP, VISIT, "customer_visit"})


def not_reached(
    log: WorkLog, staff: str, period: Period, customers: Iterable[str], *, until: datetime | None = None
) -> list[str]:
    """W-2: the customers of `customers` that `staff` has not called, followed up or visited in `period`."""
    reached = {
        w.customer
        for w in log.by_staff.get(staff, ())
        if w.type in _REACHES and w.day in period and (until is None or w.at <= until)
    }
    return [customer for customer in customers if customer not in reached]


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """Where one person stands on one duty at a moment: its period, done, owed and status (W-1, W-2)."""

    period: Period
    done: int
    owed: int
    status: str
    short: tuple[str, ...] = ()  # 篇4: of a list owed each, those not yet reached enough


def standing(
    log: WorkLog,
    *,
    staff: str,
    cadence: str,
    counts: str,
    target: int,
    now: datetime,
    zone: ZoneInfo,
    n: int | None = None,
    joined: date | None = None,
    days_off: Iterable[date] = (),
    each: Iterable[str] | None = None,
) -> Standing:
    """The period of a duty holding `now`'s local day, what it asks (W-1) and what the events say is done (W-2).

    `each`: for a duty owed to every one of a list (篇4's wholesalers), the list; `short` then names
    those not yet reached often enough.
    """
    day = now.astimezone(zone).date()
    period = period_of(cadence, day, n=n, joined=joined)
    day_off = cadence == DAILY and period.first in set(days_off)  # W-1: a day off owes nothing that day
    end = datetime.combine(period.last + timedelta(days=1), time(), tzinfo=zone)
    if counts in EACH and each is not None:
        tally = log.contacts(counts, staff, period, each, until=now)
        done, whole, short = each_standing(tally, target)
        owes = owed(whole, period, joined=joined, day_off=day_off)
        return Standing(
            period=period, done=done, owed=owes, status=status_of(done, owes, over=end <= now), short=tuple(short)
        )
    owes = owed(target, period, joined=joined, day_off=day_off)
    done = log.done(counts, staff, period, until=now)
    return Standing(period=period, done=done, owed=owes, status=status_of(done, owes, over=end <= now))


# --- duty scenario files (FORMAT.md) -------------------------------------------------------------

DUTIES_KEYS = {
    "kind",
    "title",
    "description",
    "rules",
    "policy",
    "staff",
    "customers",
    "agents",
    "duties",
    "days_off",
    "events",
    "expect",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Duty:
    id: str
    cadence: str
    counts: str
    target: int
    role: str | None = None
    n: int | None = None
    each: tuple[str, ...] | None = None

    def period_of(self, day: date, joined: date | None) -> Period:
        return period_of(self.cadence, day, n=self.n, joined=joined)

    def words(self, lang: str) -> str:
        cadence = CADENCE_WORDS[self.cadence][0 if lang == "zh" else 1].format(n=self.n)
        what = COUNT_WORDS[self.counts][0 if lang == "zh" else 1]
        return f"{cadence}{what}" if lang == "zh" else f"{what} ({cadence})"


def _whole(value: Any, path: str, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise fail(path, f"应为不小于 {low} 的整数", f"must be a whole number of at least {low}")
    return value


def _day(value: Any, path: str) -> date:
    text = as_str(value, path)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise fail(path, f"无效的日期 {text!r}，例如 2026-03-11", f"invalid date {text!r}, e.g. 2026-03-11") from None


def _choice(value: Any, path: str, choices: Iterable[str]) -> str:
    options = tuple(choices)
    if value not in options:
        raise fail(
            path,
            f"只能是 {'、'.join(options)}，收到 {value!r}",
            f"must be one of {', '.join(options)}, got {value!r}",
        )
    return str(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Setup:
    zone: ZoneInfo
    cast: Cast
    joined: dict[str, date]
    roles: dict[str, str]
    duties: dict[str, Duty]
    days_off: frozenset[tuple[str, date]]
    log: WorkLog


def _read_policy(data: dict[str, Any], override: Mapping[str, Any] | None) -> tuple[ZoneInfo, dict[str, int]]:
    raw = dict(as_obj(data.get("policy", {}), "$.policy"))
    raw.update(override or {})
    targets: dict[str, int] = {}
    for counts, (name, default) in DEFAULT_TARGETS.items():
        targets[counts] = _whole(raw.pop(name), f"$.policy.{name}", low=0) if name in raw else default
    return policy_from(raw).zone, targets


def _read_staff(data: dict[str, Any]) -> tuple[dict[str, Staff], dict[str, date], dict[str, str]]:
    staff: dict[str, Staff] = {}
    joined: dict[str, date] = {}
    roles: dict[str, str] = {}  # the roles the file gives; a person without one has every role's duties
    for i, raw in enumerate(as_list(data.get("staff", []), "$.staff")):
        path = f"$.staff[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"id"}, {"name", "role", "joined"})
        sid = as_str(item["id"], f"{path}.id")
        if sid in staff:
            raise fail(f"{path}.id", f"员工编号 {sid!r} 重复", f"duplicate staff id {sid!r}")
        staff[sid] = Staff(
            id=sid,
            name=as_str(item.get("name", sid), f"{path}.name"),
            role=as_str(item.get("role", "consultant"), f"{path}.role"),
        )
        if item.get("joined") is not None:
            joined[sid] = _day(item["joined"], f"{path}.joined")
        if item.get("role") is not None:
            roles[sid] = staff[sid].role
    return staff, joined, roles


def _read_duties(data: dict[str, Any], targets: Mapping[str, int]) -> dict[str, Duty]:
    duties: dict[str, Duty] = {}
    for i, raw in enumerate(as_list(data.get("duties", []), "$.duties")):
        path = f"$.duties[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"id", "cadence", "counts"}, {"role", "target", "n", "name", "title", "each"})
        did = as_str(item["id"], f"{path}.id")
        if did in duties:
            raise fail(f"{path}.id", f"职责编号 {did!r} 重复", f"duplicate duty id {did!r}")
        cadence = _choice(item["cadence"], f"{path}.cadence", CADENCES)
        counts = _choice(item["counts"], f"{path}.counts", COUNTS)
        n: int | None = None
        if cadence == EVERY_N_DAYS:
            if "n" not in item:
                raise fail(f"{path}.n", "每 N 天的职责缺少 n", "an every_n_days duty needs n")
            n = _whole(item["n"], f"{path}.n", low=1)
        elif "n" in item:
            raise fail(f"{path}.n", "只有 every_n_days 职责才有 n", "only an every_n_days duty has n")
        if "target" in item:
            target = _whole(item["target"], f"{path}.target", low=0)
        elif counts in targets:
            target = targets[counts]  # W-2: daily_callbacks, daily_new_prospects
        else:
            raise fail(f"{path}.target", "缺少必填字段 'target'", "missing required field 'target'")
        role = as_str(item["role"], f"{path}.role") if item.get("role") is not None else None
        each: tuple[str, ...] | None = None
        if "each" in item:  # 篇4: the wholesalers each owed the target (customers of the file)
            if counts not in EACH:
                raise fail(
                    f"{path}.each",
                    f"只有 {'、'.join(EACH)} 职责才有 each",
                    f"only a {' or '.join(EACH)} duty has each",
                )
            each = tuple(as_str(v, f"{path}.each[{j}]") for j, v in enumerate(as_list(item["each"], f"{path}.each")))
        duties[did] = Duty(id=did, cadence=cadence, counts=counts, target=target, role=role, n=n, each=each)
    return duties


def _read_work(raw: Any, i: int, cast: Cast, zone: ZoneInfo) -> Work:
    path = f"$.events[{i}]"
    item = as_obj(raw, path)
    kind = item.get("type")
    if isinstance(kind, str) and kind in WORK_KINDS:
        check_keys(item, path, {"id", "at", "type", "staff"}, {"customer", "note", "shops", "stock"})
        staff = as_str(item["staff"], f"{path}.staff")
        if staff not in cast.staff:
            raise fail(f"{path}.staff", f"未知员工 {staff!r}", f"unknown staff member {staff!r}")
        customer = None
        if item.get("customer") is not None:
            customer = as_str(item["customer"], f"{path}.customer")
            if customer not in cast.customers:
                raise fail(f"{path}.customer", f"未知客户 {customer!r}", f"unknown customer {customer!r}")
        if item.get("note") is not None:
            as_str(item["note"], f"{path}.note", empty=True)
        at = parse_time(item["at"], f"{path}.at")
        eid = as_str(item["id"], f"{path}.id")
        size = None  # 篇4: a retail round's shops, a stock check's counted cases
        for key in ("shops", "stock"):
            if item.get(key) is not None:
                size = _whole(item[key], f"{path}.{key}", low=0)
        return Work(
            id=eid,
            at=at,
            seq=i,
            type=str(kind),
            staff=staff,
            customer=customer,
            day=at.astimezone(zone).date(),
            size=size,
        )
    if not isinstance(kind, str) or kind not in EVENT_FIELDS:
        known = (*EVENT_FIELDS, *WORK_KINDS)
        raise fail(
            f"{path}.type",
            f"未知事件类型 {kind!r}，可选：{'、'.join(known)}",
            f"unknown event type {kind!r}; one of {', '.join(known)}",
        )
    event = _attribution_event(item, i, cast)  # the attribution events, read as attribution reads them
    customers = [getattr(event, name) for name in event.customer_fields]
    staff_ids = [getattr(event, name) for name in event.staff_fields]
    return Work(
        id=event.id,
        at=event.at,
        seq=i,
        type=event.kind,
        staff=staff_ids[0] if staff_ids else None,
        customer=customers[0] if customers else None,
        day=event.at.astimezone(zone).date(),
    )


def read_duties(data: Any, *, policy_override: Mapping[str, Any] | None = None) -> _Setup:
    """Validate a duty scenario (FORMAT.md) and build what its questions are answered from."""
    data = as_obj(data, "$")
    check_keys(data, "$", {"kind"}, DUTIES_KEYS)
    zone, targets = _read_policy(data, policy_override)
    staff, joined, roles = _read_staff(data)
    people = read_people({"customers": data.get("customers", []), "agents": data.get("agents", [])})
    cast = Cast(customers=people.customers, staff=staff, agents=people.agents)
    duties = _read_duties(data, targets)
    for i, duty in enumerate(duties.values()):
        for j, who in enumerate(duty.each or ()):
            if who not in cast.customers:
                raise fail(f"$.duties[{i}].each[{j}]", f"未知客户 {who!r}", f"unknown customer {who!r}")
    days_off: set[tuple[str, date]] = set()
    for i, raw in enumerate(as_list(data.get("days_off", []), "$.days_off")):
        path = f"$.days_off[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"staff", "date"}, {"reason"})
        who = as_str(item["staff"], f"{path}.staff")
        if who not in staff:
            raise fail(f"{path}.staff", f"未知员工 {who!r}", f"unknown staff member {who!r}")
        days_off.add((who, _day(item["date"], f"{path}.date")))
    works: list[Work] = []
    seen: set[str] = set()
    for i, raw in enumerate(as_list(data.get("events", []), "$.events")):
        work = _read_work(raw, i, cast, zone)
        if work.id in seen:
            raise fail(f"$.events[{i}].id", f"事件编号 {work.id!r} 重复", f"duplicate event id {work.id!r}")
        seen.add(work.id)
        works.append(work)
    return _Setup(
        zone=zone,
        cast=cast,
        joined=joined,
        roles=roles,
        duties=duties,
        days_off=frozenset(days_off),
        log=WorkLog(works),
    )


def _explain(
    lang: str, *, person: Staff, duty: Duty, period: Period, done: int, owed_: int, status: str, notes: list[str]
) -> str:
    if lang == "zh":
        verdict = {MET: "已完成", MISSED: "周期已结束，未完成", OPEN: "尚在进行中"}[status]
        extra = "（" + "；".join(notes) + "）" if notes else ""
        days = f"（{period.first.isoformat()} 至 {period.last.isoformat()}）" if period.days > 1 else ""
        return f"{person.name} {period.name}{days} {duty.words(lang)}：完成 {done}，应完成 {owed_}{extra}，{verdict}。"
    verdict = {MET: "met", MISSED: "missed: the period is over", OPEN: "still open"}[status]
    extra = " (" + "; ".join(notes) + ")" if notes else ""
    days = f" ({period.first.isoformat()} to {period.last.isoformat()})" if period.days > 1 else ""
    return f"{person.name}'s {duty.words(lang)} for {period.name}{days}: {done} done of {owed_} owed{extra}, {verdict}."


def answer_duties(
    data: Any, lang: str = "zh", *, policy_override: Mapping[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Answer a duty scenario's questions: (answers, one line per answer that disagrees)."""
    setup = read_duties(data, policy_override=policy_override)
    answers: list[dict[str, Any]] = []
    mismatches: list[str] = []
    for i, raw in enumerate(as_list(data.get("expect", []), "$.expect")):
        path = f"$.expect[{i}]"
        item = as_obj(raw, path)
        check_keys(item, path, {"staff", "duty", "period"}, {"at", "done", "owed", "status", "cites"})
        sid = as_str(item["staff"], f"{path}.staff")
        if sid not in setup.cast.staff:
            raise fail(f"{path}.staff", f"未知员工 {sid!r}", f"unknown staff member {sid!r}")
        person = setup.cast.staff[sid]
        did = as_str(item["duty"], f"{path}.duty")
        if did not in setup.duties:
            raise fail(f"{path}.duty", f"未知职责 {did!r}", f"unknown duty {did!r}")
        duty = setup.duties[did]
        if duty.role is not None and setup.roles.get(sid, duty.role) != duty.role:
            raise fail(
                f"{path}.duty",
                f"职责 {did!r} 属于岗位 {duty.role}，{person.name} 的岗位是 {person.role}",
                f"duty {did!r} is for the role {duty.role}; {person.name} is a {person.role}",
            )
        joined = setup.joined.get(sid)
        if duty.cadence == EVERY_N_DAYS and joined is None:
            raise fail(
                f"{path}.staff",
                f"{person.name} 没有入职日期（joined），无法计算每 {duty.n} 天的周期",
                f"{person.name} has no joined date, which an every-{duty.n}-days duty counts from",
            )
        try:
            period = period_named(duty.cadence, as_str(item["period"], f"{path}.period"), n=duty.n, joined=joined)
            day_off = duty.cadence == DAILY and (sid, period.first) in setup.days_off  # W-1
            owes = owed(duty.target, period, joined=joined, day_off=day_off)
        except EngineError as error:
            raise error.at(f"{path}.period") from None
        until = parse_time(item["at"], f"{path}.at") if "at" in item else None
        end = datetime.combine(period.last + timedelta(days=1), time(), tzinfo=setup.zone)
        over = until is None or end <= until
        short: list[str] = []
        if duty.each is not None:  # 篇4: each wholesaler of the list owes the target (decision 490)
            done, whole, short = each_standing(
                setup.log.contacts(duty.counts, sid, period, duty.each, until=until), duty.target
            )
            owes = owed(whole, period, joined=joined, day_off=day_off)
        else:
            done = setup.log.done(duty.counts, sid, period, until=until)
        status = status_of(done, owes, over=over)
        if "status" in item:
            _choice(item["status"], f"{path}.status", STATUSES)
        for key in ("done", "owed"):
            if key in item:
                _whole(item[key], f"{path}.{key}", low=0)
        cites = ["W-1", "W-2"]
        if "cites" in item:
            for j, cite in enumerate(as_list(item["cites"], f"{path}.cites")):
                as_str(cite, f"{path}.cites[{j}]")
        notes: list[str] = []
        if day_off:
            notes.append("休息日不计" if lang == "zh" else "a day off owes nothing")
        elif joined is not None and period.last < joined:
            notes.append(f"{joined.isoformat()} 才入职" if lang == "zh" else f"joined only on {joined.isoformat()}")
        elif joined is not None and period.first < joined <= period.last:
            left = (period.last - joined).days + 1
            notes.append(
                f"{joined.isoformat()} 入职，按剩余 {left}/{period.days} 天折算，向上取整"
                if lang == "zh"
                else f"joined on {joined.isoformat()}: {left} of {period.days} days, rounded up"
            )
        if short:  # 篇4: who is still short, by name (decision 490)
            names = [setup.cast.customers[who].name for who in short]
            notes.append(f"尚未达到：{'、'.join(names)}" if lang == "zh" else f"still short: {', '.join(names)}")
        result: dict[str, Any] = {key: value for key, value in item.items() if key != "cites"}
        result.update(done=done, owed=owes, status=status, cites=cites)
        if duty.each is not None:
            result["short"] = short
        result["explain"] = _explain(
            lang, person=person, duty=duty, period=period, done=done, owed_=owes, status=status, notes=notes
        )
        wrong = [
            f"{key}: expected {item[key]!r}, got {result[key]!r}"
            for key in ("done", "owed", "status")
            if key in item and item[key] != result[key]
        ]
        missing = [c for c in item.get("cites", []) if c not in cites]
        if missing:
            wrong.append(f"cites: expected {missing} among {cites}")
        result["ok"] = not wrong
        answers.append(result)
        if wrong:
            mismatches.append(f"expect[{i}] ({sid} {did} {item['period']}): " + "; ".join(wrong))
    return answers, mismatches
