"""What a person may type into a field: a length the database keeps and no control characters.

Checked before anything reaches the database, on both databases alike: PostgreSQL refuses a value
longer than its column or holding NUL (a server error), SQLite keeps either silently. A refusal is
the domain error, said in Chinese and in English, next to the field it came from.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import DomainError

NAME_MAX = 100  # a customer's or a staff member's name (ledger.Customer.name, ledger.Staff.name)
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
