"""The complaint clock (S-1): calendar hours, or business hours across nights and weekends; closing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
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
    clock,
    close_refusal,
    counted,
    due,
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
