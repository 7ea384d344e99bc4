"""What a person may type into a field: a length the database keeps and no control characters.

Checked before anything reaches the database, on both databases alike: PostgreSQL refuses a value
longer than its column or holding NUL (a server error), SQLite keeps either silently. A refusal is
the domain error, said in Chinese and in English, next to the field it came from.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from .errors import DomainError

NAME_MAX = 100  # a customer's or a staff member's name (ledger.Customer.name, ledger.Staff.name)
NOTE_MAX = 200  # a follow-up's note: what the customer said, what comes next
REASON_MAX = 200  # a reason given for a ruling, a departure, a renewal, a suspension, a disclosure
NOTES_MAX = 2000  # a register row's notes, kept beside the imported event

_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and small enough for a 64-bit key
_LINE_BREAKS = frozenset("\n\r\t")


def whole_id(value: object) -> int | None:
    """The id a form or a body sends, or None when it is not one.

    Strict: `str.isdigit()` accepts "²" and "١٢", which `int()` then refuses or reads as another number.
    """
    text = str(value) if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None


def _control(text: str, *, lines: bool) -> str | None:
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and not (lines and char in _LINE_BREAKS)):
            return char
    return None


def plain_text(
    value: str,
    *,
    limit: int,
    what: tuple[str, str],
    field: str = "",
    lines: bool = False,
) -> str:
    """`value` stripped, or the domain error: longer than `limit` characters, or a control character.

    `what` names the field in Chinese and in English ("客户姓名", "the customer's name"); `lines`
    lets a free text (notes) keep its line breaks and tabs.
    """
    text = value.strip()
    zh, en = what
    if len(text) > limit:
        raise DomainError(
            f"{zh}过长：最多 {limit} 个字，现有 {len(text)} 个",
            f"{en} is too long: at most {limit} characters, {len(text)} given",
            field=field,
        )
    found = _control(text, lines=lines)
    if found is not None:
        raise DomainError(
            f"{zh}含有不可见的控制字符（U+{ord(found):04X}），请删除后重试",
            f"{en} holds an invisible control character (U+{ord(found):04X}): remove it and try again",
            field=field,
        )
    return text


def name_checked(value: str, *, field: str = "name") -> str:
    """A customer's name as it may be stored (ID-1 matches on it after the phone)."""
    return plain_text(value, limit=NAME_MAX, what=("客户姓名", "the customer's name"), field=field)


def reason_checked(value: str, *, field: str = "reason") -> str:
    """A reason as it may be stored and shown in a dispute."""
    return plain_text(value, limit=REASON_MAX, what=("原因", "the reason"), field=field)


def note_checked(value: str, *, field: str = "note") -> str:
    """A follow-up's note as it may be stored in the event's body (a line or two, like a reason)."""
    return plain_text(value, limit=NOTE_MAX, what=("追访记录", "the note"), field=field)


NEXT_CONTACT_DAYS = 366  # the furthest a next contact may be planned: a year, so a typo (2062) is caught


def next_contact_checked(value: str, *, today: date, field: str = "next_contact") -> date | None:
    """The day to contact a customer next, as typed (YYYY-MM-DD), or None when left empty.

    From today (the project's calendar day) to a year ahead (docs/decisions.md 132): a day already
    past is no plan, and would put the customer on today's list at once.
    """
    text = value.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            "下次联系日期格式不对，请按年-月-日填写",
            "the next-contact date is not a date (year-month-day)",
            field=field,
        ) from None
    if day < today:
        raise DomainError("下次联系日期不能早于今天", "the next-contact date cannot be before today", field=field)
    if day > today + timedelta(days=NEXT_CONTACT_DAYS):
        raise DomainError(
            "下次联系日期不能超过一年以后", "the next-contact date cannot be more than a year ahead", field=field
        )
    return day
