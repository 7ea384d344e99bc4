"""Complaints (RULES.md S-1): the answering clock and what closing needs.

Pure. The clock runs on calendar hours unless the project sets business hours (S-1); then only the
hours when the office is open count, so a complaint received on a Friday evening is due some working
hours into the next week, never at night or on a Sunday. Arithmetic is done on absolute time (UTC),
the office's hours are read in its own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
