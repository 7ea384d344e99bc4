"""Events are frozen, compare by value, and keep their moment in UTC."""

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, timezone

import pytest

from leadledger.engine import Deal, Visit

BEIJING = timezone(timedelta(hours=8))


def test_an_event_cannot_be_changed_once_made() -> None:
    visit = Visit(id="e1", at=datetime(2026, 3, 1, 10, tzinfo=BEIJING), customer="c1", staff="s1")
    with pytest.raises(FrozenInstanceError):
        visit.staff = "s2"  # type: ignore[misc]


def test_events_are_equal_by_value_and_keep_their_defaults() -> None:
    at = datetime(2026, 3, 1, 10, tzinfo=BEIJING)
    visit = Visit(id="e1", at=at, customer="c1", staff="s1")
    assert visit == Visit(id="e1", at=at, customer="c1", staff="s1")
    assert (visit.registered, visit.asks_for, visit.seq) == (True, None, 0)
    assert Deal(id="d", at=at, customer="c1", buyer="c2", staff="s1").buyer == "c2"


def test_the_moment_is_kept_in_utc_and_is_the_same_instant() -> None:
    at = datetime(2026, 3, 1, 10, tzinfo=BEIJING)
    visit = Visit(id="e1", at=at, customer="c1", staff="s1")
    assert visit.at.tzinfo is UTC and visit.at == at and visit.at.hour == 2


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        Visit(id="e1", at=datetime(2026, 3, 1, 10), customer="c1", staff="s1")


def test_a_missing_field_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="customer"):
        Visit(id="e1", at=datetime(2026, 3, 1, 10, tzinfo=UTC), staff="s1")  # type: ignore[call-arg]
