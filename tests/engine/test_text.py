"""What a person may type: ids are ASCII digits only; text has a length and no control characters."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadledger.engine.errors import DomainError
from leadledger.engine.text import NAME_MAX, name_checked, plain_text, whole_id


@given(st.text())
def test_an_id_is_whole_ascii_digits_and_nothing_else_is(text: str) -> None:
    expected = int(text) if text and len(text) <= 18 and all(c in string.digits for c in text) else None
    assert whole_id(text) == expected


@pytest.mark.parametrize("text", ["²", "١٢", "1²", "", " 1", "1 ", "-1", "+1", "1_000", "9" * 19])
def test_digits_that_str_isdigit_accepts_are_not_an_id(text: str) -> None:
    assert whole_id(text) is None


@given(st.text(max_size=300))
def test_text_is_kept_as_typed_or_refused_as_a_domain_error(text: str) -> None:
    try:
        kept = name_checked(text)
    except DomainError as error:
        assert error.field == "name" and error.zh and error.en
        return
    assert kept == text.strip() and len(kept) <= NAME_MAX
    assert all(ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0 for c in kept)


def test_free_text_keeps_its_line_breaks_but_not_other_control_characters() -> None:
    assert plain_text("一\n二\t三", limit=10, what=("备注", "the notes"), lines=True) == "一\n二\t三"
    with pytest.raises(DomainError):
        plain_text("一\n二", limit=10, what=("备注", "the notes"))
    with pytest.raises(DomainError):
        plain_text("一\x0b二", limit=10, what=("备注", "the notes"), lines=True)


def test_a_next_contact_is_a_day_from_today_to_a_year_ahead() -> None:
    from datetime import date, timedelta

    from leadledger.engine.errors import DomainError
    from leadledger.engine.text import NEXT_CONTACT_DAYS, next_contact_checked

    today = date(2026, 12, 3)
    assert next_contact_checked("", today=today) is None and next_contact_checked("  ", today=today) is None
    assert next_contact_checked("2026-12-03", today=today) == today
    last = today + timedelta(days=NEXT_CONTACT_DAYS)
    assert next_contact_checked(last.isoformat(), today=today) == last
    for refused in ("2026-12-02", (last + timedelta(days=1)).isoformat(), "12/05", "2026-02-30"):
        try:
            next_contact_checked(refused, today=today)
        except DomainError as error:
            assert error.field == "next_contact" and error.zh and error.en
        else:
            raise AssertionError(refused)


def test_a_note_is_checked_like_a_reason() -> None:
    from leadledger.engine.errors import DomainError
    from leadledger.engine.text import NOTE_MAX, note_checked

    assert note_checked("  周末再来 ") == "周末再来" and len(note_checked("长" * NOTE_MAX)) == NOTE_MAX
    try:
        note_checked("长" * (NOTE_MAX + 1))
    except DomainError as error:
        assert error.field == "note" and "追访记录过长" in error.zh
    else:
        raise AssertionError("a long note passed")
