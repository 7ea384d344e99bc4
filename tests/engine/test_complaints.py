"""The complaint clock (S-1): calendar hours, or business hours across nights and weekends; closing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadledger.engine.complaints import (
    LATE,
    ON_TIME,
    OVERDUE,
    RUNNING,
    BusinessHours,
    Facts,
    clock,
    close_refusal,
    counted,
    due,
    month_report,
)
from leadledger.engine.errors import EngineError

SHANGHAI = ZoneInfo("Asia/Shanghai")  # no daylight saving: a local hour is an hour
OFFICE = BusinessHours(opens=time(9), closes=time(18), weekdays=frozenset(range(5)))  # Mon-Fri 9:00-18:00
SIX_DAYS = BusinessHours(opens=time(8, 30), closes=time(17, 30), weekdays=frozenset(range(6)))

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(SHANGHAI))
hours = st.integers(min_value=1, max_value=200)
offices = st.sampled_from([None, OFFICE, SIX_DAYS])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_calendar_hours_run_through_the_night_and_the_weekend() -> None:
    assert due(at("2026-03-13 20:00"), 24, SHANGHAI) == at("2026-03-14 20:00")  # Friday evening to Saturday


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2026-03-13 20:00", "2026-03-18 15:00"),  # Friday evening: nine hours Monday and Tuesday, six Wednesday
        ("2026-03-13 17:00", "2026-03-18 14:00"),  # one hour on Friday, then Monday, Tuesday and five on Wednesday
        ("2026-03-14 10:00", "2026-03-18 15:00"),  # Saturday: the clock waits for Monday 9:00
        ("2026-03-16 07:00", "2026-03-18 15:00"),  # Monday before opening
        ("2026-03-16 09:00", "2026-03-18 15:00"),
    ],
)
def test_business_hours_skip_nights_and_weekends(received: str, expected: str) -> None:
    assert due(at(received), 24, SHANGHAI, OFFICE) == at(expected)


def test_a_clock_ending_at_closing_time_is_due_at_closing_not_the_next_morning() -> None:
    assert due(at("2026-03-16 09:00"), 9, SHANGHAI, OFFICE) == at("2026-03-16 18:00")


@given(moments, hours, offices)
def test_the_clock_counts_exactly_its_hours_up_to_the_due_moment(
    start: datetime, h: int, office: BusinessHours | None
) -> None:
    assert counted(start, due(start, h, SHANGHAI, office), SHANGHAI, office) == timedelta(hours=h)


@given(moments, hours, offices)
def test_office_hours_are_never_faster_than_the_calendar(start: datetime, h: int, office: BusinessHours | None) -> None:
    assert due(start, h, SHANGHAI, office) >= start + timedelta(hours=h)


@given(moments, moments, hours, offices)
def test_a_later_complaint_is_never_due_earlier(a: datetime, b: datetime, h: int, office: BusinessHours | None) -> None:
    first, second = sorted((a, b))
    assert due(first, h, SHANGHAI, office) <= due(second, h, SHANGHAI, office)


@given(moments, hours, st.sampled_from([OFFICE, SIX_DAYS]))
def test_a_business_clock_falls_due_inside_the_offices_hours(start: datetime, h: int, office: BusinessHours) -> None:
    when = due(start, h, SHANGHAI, office)
    assert when.weekday() in office.weekdays
    assert office.opens < when.timetz().replace(tzinfo=None) <= office.closes


@given(moments, moments, moments, offices)
def test_counted_time_adds_up_over_consecutive_spans(
    a: datetime, b: datetime, c: datetime, office: BusinessHours | None
) -> None:
    x, y, z = sorted((a, b, c))
    assert counted(x, z, SHANGHAI, office) == counted(x, y, SHANGHAI, office) + counted(y, z, SHANGHAI, office)


def test_nights_and_weekends_count_nothing_in_office_hours() -> None:
    assert counted(at("2026-03-13 18:00"), at("2026-03-16 09:00"), SHANGHAI, OFFICE) == timedelta(0)
    assert counted(at("2026-03-13 18:00"), at("2026-03-16 09:00"), SHANGHAI) == timedelta(hours=63)


def test_the_result_is_the_same_moment_whatever_zone_the_start_is_given_in() -> None:
    start = at("2026-03-13 20:00")
    assert due(start.astimezone(UTC), 24, SHANGHAI, OFFICE) == due(start, 24, SHANGHAI, OFFICE)


def test_a_clock_runs_then_is_overdue_or_stops_on_time_or_late() -> None:
    received = at("2026-03-16 10:00")
    running = clock(received, hours=24, now=at("2026-03-16 12:00"), zone=SHANGHAI)
    assert (running.state, running.due, running.left) == (RUNNING, at("2026-03-17 10:00"), timedelta(hours=22))
    overdue = clock(received, hours=24, now=at("2026-03-17 13:00"), zone=SHANGHAI)
    assert (overdue.state, overdue.left) == (OVERDUE, -timedelta(hours=3))
    answered = clock(received, hours=24, now=at("2026-03-18 09:00"), zone=SHANGHAI, stopped=at("2026-03-16 15:00"))
    assert answered.state == ON_TIME and answered.stopped
    late = clock(received, hours=24, now=at("2026-03-18 09:00"), zone=SHANGHAI, stopped=at("2026-03-17 11:00"))
    assert (late.state, late.left) == (LATE, -timedelta(hours=1))


def test_left_counts_office_hours_only() -> None:
    friday = clock(at("2026-03-13 17:00"), hours=24, now=at("2026-03-14 12:00"), zone=SHANGHAI, business=OFFICE)
    assert (friday.state, friday.left) == (RUNNING, timedelta(hours=23))


def test_bad_office_hours_are_refused() -> None:
    with pytest.raises(EngineError):
        BusinessHours(opens=time(18), closes=time(9), weekdays=frozenset({0}))
    with pytest.raises(EngineError):
        BusinessHours(opens=time(9), closes=time(18), weekdays=frozenset())


@pytest.mark.parametrize(
    ("answered", "confirmation", "department_open", "field"),
    [
        (False, "客户电话确认满意", False, "confirmation"),
        (True, "客户电话确认满意", True, "confirmation"),
        (True, "  ", False, "confirmation"),
    ],
)
def test_a_complaint_closes_only_answered_with_the_departments_result_and_the_customers_confirmation(
    answered: bool, confirmation: str, department_open: bool, field: str
) -> None:
    refusal = close_refusal(answered=answered, confirmation=confirmation, department_open=department_open)
    assert refusal is not None and refusal.field == field
    assert close_refusal(answered=True, confirmation="客户电话确认满意", department_open=False) is None


def _fact(received: str, channel: str = "phone", *, answered: str | None = None, closed: str | None = None) -> Facts:
    start = at(received)
    return Facts(
        received=start,
        channel=channel,
        kind="house",
        due=due(start, 24, SHANGHAI),
        answered=at(answered) if answered else None,
        closed=at(closed) if closed else None,
    )


def test_the_monthly_report_counts_volume_change_channels_on_time_and_unresolved() -> None:
    facts = [
        _fact("2026-02-10 10:00", answered="2026-02-10 12:00", closed="2026-02-11 10:00"),  # February, closed
        _fact("2026-02-20 10:00", answered="2026-02-20 12:00"),  # February, still open at March's end: over a month
        _fact("2026-03-01 00:00", "weibo", answered="2026-03-01 20:00", closed="2026-03-05 10:00"),  # on time
        _fact("2026-03-10 10:00", "qq_wechat", answered="2026-03-12 10:00", closed="2026-03-20 10:00"),  # late
        _fact("2026-03-31 20:00"),  # not answered, due in April: not yet answerable, unresolved
        _fact("2026-03-30 09:00", "in_person", closed="2026-04-02 10:00", answered="2026-03-30 10:00"),  # closed later
        _fact("2026-04-01 00:00"),  # April: not in March's report
    ]
    report = month_report(
        facts, first=date(2026, 3, 1), last=date(2026, 3, 31), previous_first=date(2026, 2, 1), zone=SHANGHAI
    )
    assert (report.volume, report.previous, report.change) == (4, 2, 2)
    assert report.by_channel == {"phone": 1, "qq_wechat": 1, "weibo": 1, "in_person": 1}
    assert (report.on_time, report.answerable, report.on_time_rate) == (2, 3, Decimal("0.667"))
    assert (report.unresolved, report.open_over_a_month) == (3, 1)


@given(st.lists(st.tuples(moments, st.sampled_from(["phone", "weibo"])), max_size=20))
def test_every_complaint_of_the_month_is_counted_once_by_channel(rows: list[tuple[datetime, str]]) -> None:
    facts = [Facts(r, c, "other", due(r, 24, SHANGHAI), None, None) for r, c in rows]
    report = month_report(
        facts, first=date(2026, 3, 1), last=date(2026, 3, 31), previous_first=date(2026, 2, 1), zone=SHANGHAI
    )
    assert sum(report.by_channel.values()) == report.volume == sum(1 for r, _ in rows if (r.year, r.month) == (2026, 3))
    assert report.on_time <= report.answerable <= report.volume
