"""The chain's spelling of a moment: the fast respelling of stored text agrees with the datetime's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from leadledger.ledger.chain import chain_hash, hash_of, moment, moment_from_text

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


@given(moments)
def test_stored_text_respells_as_the_moment_itself(at: datetime) -> None:
    # SQLite stores str() of the naive UTC time (no fraction when it is zero); PostgreSQL's text
    # drops the fraction's trailing zeros. All must hash exactly as the datetime does.
    naive = at.replace(tzinfo=None)
    postgres = str(naive).rstrip("0").rstrip(".") if naive.microsecond else str(naive)
    for stored in (str(naive), naive.isoformat(sep=" ", timespec="microseconds"), postgres):
        assert moment_from_text(stored) == moment(at)
        assert hash_of("0" * 64, 7, moment_from_text(stored) or "", "visit", "{}") == chain_hash(
            "0" * 64, 7, at, "visit", "{}"
        )


def test_a_moment_in_another_zone_is_spelled_in_utc() -> None:
    shanghai = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert moment(shanghai) == "2026-03-01T02:00:00.000000Z"


def test_text_of_another_shape_is_left_to_the_long_way() -> None:
    assert moment_from_text("2026-03-01 02:00:00+00:00") is None
    assert moment_from_text("2026-03-01") is None
    assert moment_from_text("2026-03-01 02:00:00.") is None


def test_a_fraction_without_its_trailing_zeros_is_padded() -> None:
    assert moment_from_text("2026-03-01 02:00:00.12") == "2026-03-01T02:00:00.120000Z"
