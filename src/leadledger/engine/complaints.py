"""Complaints (RULES.md S-1, S-2): the answering clock, what closing needs, and the monthly report.

Pure. The clock runs on calendar hours unless the project sets business hours (S-1); then only the
hours when the office is open count, so a complaint received on a Friday evening is due some working
hours into the next week, never at night or on a Sunday. Arithmetic is done on absolute time (UTC),
the office's hours are read in its own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .errors import DomainError, EngineError

RESPONSE_HOURS = 24  # S-1: complaint_response_hours, answered within 24 hours
CHANNELS = ("phone", "qq_wechat", "weibo", "in_person")  # S-1: how a complaint arrives
RUNNING, OVERDUE, ON_TIME, LATE = "running", "overdue", "on_time", "late"
CLOCK_STATES = (RUNNING, OVERDUE, ON_TIME, LATE)
# A search for the due moment gives up after this many days: no office is shut that long.
_MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When the office counts the clock (S-1): from `opens` to `closes` on `weekdays` (Monday is 0)."""

    opens: time
    closes: time
    weekdays: frozenset[int]

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise EngineError("营业时间须先开门后下班", "business hours must open before they close")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise EngineError("营业时间至少要有一个工作日", "business hours need at least one weekday, 0 (Monday) to 6")

    def window(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        """The day's open hours as absolute moments, or None on a day the office is shut."""
        if day.weekday() not in self.weekdays:
            return None
        return (
            datetime.combine(day, self.opens, zone).astimezone(UTC),
            datetime.combine(day, self.closes, zone).astimezone(UTC),
        )


def due(start: datetime, hours: int, zone: ZoneInfo, business: BusinessHours | None = None) -> datetime:
    """The moment `hours` of the clock have run after `start` (S-1), in the project's zone."""
    if hours < 0:
        raise EngineError("时限不能是负数", "a clock cannot run a negative number of hours")
    left = timedelta(hours=hours)
    moment = start.astimezone(UTC)
    if business is None:
        return (moment + left).astimezone(zone)
    day = start.astimezone(zone).date()
    for _ in range(_MAX_DAYS * 2):
        window = business.window(day, zone)
        if window is not None:
            begin = max(moment, window[0])
            if begin <= window[1]:
                if left <= window[1] - begin:
                    return (begin + left).astimezone(zone)
                left -= window[1] - begin
        day += timedelta(days=1)
    raise EngineError("营业时间内无法计时", "the office's hours leave no time for the clock to run")


def counted(start: datetime, end: datetime, zone: ZoneInfo, business: BusinessHours | None = None) -> timedelta:
    """The clock time between two moments (S-1): all of it, or only the office's hours; never negative."""
    if end <= start:
        return timedelta(0)
    if business is None:
        return end - start
    total = timedelta(0)
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        window = business.window(day, zone)
        if window is not None:
            begin, close = max(start, window[0]), min(end, window[1])
            if begin < close:
                total += close - begin
        day += timedelta(days=1)
    return total


@dataclass(frozen=True, slots=True)
class Clock:
    """Where one clock stands: when it is due, and whether it is running, overdue, or stopped on time or late."""

    due: datetime
    state: str
    left: timedelta  # clock time left before it is due; negative once overdue or answered late

    @property
    def stopped(self) -> bool:
        return self.state in (ON_TIME, LATE)


def clock(
    started: datetime,
    *,
    hours: int,
    now: datetime,
    zone: ZoneInfo,
    business: BusinessHours | None = None,
    stopped: datetime | None = None,
) -> Clock:
    """S-1: a clock started at `started`, stopped at `stopped` (the answer, or the department's result)."""
    when = due(started, hours, zone, business)
    end = stopped if stopped is not None and stopped <= now else now
    left = counted(end, when, zone, business) if end <= when else -counted(when, end, zone, business)
    if stopped is not None and stopped <= now:
        return Clock(due=when, state=ON_TIME if stopped <= when else LATE, left=left)
    return Clock(due=when, state=RUNNING if now <= when else OVERDUE, left=left)


def close_refusal(*, answered: bool, confirmation: str, department_open: bool) -> DomainError | None:
    """Why a complaint may not be closed yet (S-1), or None: it is answered, any department it was passed
    to has given its result, and the customer has confirmed the result."""
    if not answered:
        return DomainError("投诉尚未答复客户，不能结案", "the complaint is not answered yet", field="confirmation")
    if department_open:
        return DomainError(
            "转交的部门尚未给出处理结果，不能结案",
            "the department it was passed to has not given its result yet",
            field="confirmation",
        )
    if not confirmation.strip():
        return DomainError(
            "结案需要客户对处理结果的确认，请写明客户如何确认",
            "closing needs the customer's confirmation of the result: say how they confirmed",
            field="confirmation",
        )
    return None


# --- the monthly complaint report (S-2) ------------------------------------------------------------

OPEN_TOO_LONG = timedelta(days=30)  # S-2: "open over a month"


@dataclass(frozen=True, slots=True)
class Facts:
    """One complaint as the monthly report reads it (S-2)."""

    received: datetime
    channel: str
    kind: str
    due: datetime
    answered: datetime | None
    closed: datetime | None


@dataclass(frozen=True, slots=True)
class MonthReport:
    """S-2 《客户投诉情况及处理月报》: volume and change on the previous month, by channel and type, the
    on-time rate, open over a month and unresolved at the month's end."""

    volume: int
    previous: int
    by_channel: dict[str, int]
    by_kind: dict[str, int]
    on_time: int
    answerable: int  # answered in the month's complaints, or due by the month's end
    unresolved: int
    open_over_a_month: int

    @property
    def change(self) -> int:
        return self.volume - self.previous

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.answerable:
            return None
        return (Decimal(self.on_time) / Decimal(self.answerable)).quantize(Decimal("0.001"))


def month_report(
    facts: Iterable[Facts], *, first: date, last: date, previous_first: date, zone: ZoneInfo, kinds: Iterable[str] = ()
) -> MonthReport:
    """S-2: the month from `first` to `last` (local days), compared with the month from `previous_first`."""
    end = datetime.combine(last + timedelta(days=1), time(0), zone)  # the month's end, exclusive
    volume = previous = on_time = answerable = unresolved = too_long = 0
    by_channel = dict.fromkeys(CHANNELS, 0)
    by_kind = dict.fromkeys(kinds, 0)
    for fact in facts:
        day = fact.received.astimezone(zone).date()
        if previous_first <= day < first:
            previous += 1
        if first <= day <= last:
            volume += 1
            by_channel[fact.channel] = by_channel.get(fact.channel, 0) + 1
            by_kind[fact.kind] = by_kind.get(fact.kind, 0) + 1
            answered = fact.answered is not None and fact.answered < end
            if answered or fact.due < end:
                answerable += 1
                on_time += answered and fact.answered is not None and fact.answered <= fact.due
        if day <= last and (fact.closed is None or fact.closed >= end):
            unresolved += 1
            too_long += end - fact.received > OPEN_TOO_LONG
    return MonthReport(
        volume=volume,
        previous=previous,
        by_channel=by_channel,
        by_kind=by_kind,
        on_time=on_time,
        answerable=answerable,
        unresolved=unresolved,
        open_over_a_month=too_long,
    )
