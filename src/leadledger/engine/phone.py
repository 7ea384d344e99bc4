"""A phone as the office knows it (ID-1, ID-2): a full mainland mobile number, or a mask of one.

What a mainland mobile number is has one answer, `mainland_mobile`, read from phonenumbers' current
data; the desk, the import, the demo and the engine's own file checks all ask it. Everything else a
page or a service needs of a phone (its stored form, how it is shown masked, its tail, whether it is
a mask, which stored numbers it may be) is a method of `Phone`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from .errors import EngineError

# RULES.md D-12: `report_phone_mode`. A mask shows 3 leading and 4 trailing digits (前三后四) or
# 4 and 3 (前四后三); `full` asks distributors for whole numbers, and pages still show 前三后四.
MODES = ("前三后四", "前四后三", "full")
DEFAULT_MODE = "前三后四"
_SHAPES = {"前三后四": (3, 4), "前四后三": (4, 3), "full": (3, 4)}

_MASK = re.compile(r"^(?:\+?86)?(?:(1\d{2})\*{4}(\d{4})|(1\d{3})\*{4}(\d{3}))$")
_DIALLED = re.compile(r"\+?\d{5,16}")
_MOBILE = phonenumbers.PhoneNumberType.MOBILE


def _matcher(desc: object) -> re.Pattern[str] | None:
    # A number description of phonenumbers' data as one compiled pattern, or None where it has none.
    pattern = getattr(desc, "national_number_pattern", None)
    return re.compile(pattern) if pattern else None


def _any_of(patterns: list[str], fallback: str = "(?!)") -> re.Pattern[str]:
    # One pattern that matches where any of them does: one call of the regex engine instead of one each.
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns) or fallback)


def _quick_path() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """What phonenumbers would check of an 11-digit number starting with 1, read once from its CN data.

    parse + is_valid_number_for_region + number_type come to: the general description matches, no
    type it tries before MOBILE matches (premium, toll-free, shared cost, VoIP, personal, pager, UAN,
    voicemail, fixed line), and the mobile description matches. Numbers its parser might read a
    carrier prefix off (CN: 11…, 12…, 179…) are left to it, and so is any number a type without
    lengths of its own might begin (the last pattern: matched at the start, not whole).
    """
    cn = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert cn is not None and cn.mobile is not None and cn.general_desc is not None
    whole, start = [], [cn.national_prefix_for_parsing or "(?!)"]
    for name in ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
                 "voicemail", "fixed_line"):  # fmt: skip
        desc = getattr(cn, name)
        pattern = getattr(desc, "national_number_pattern", None)
        if not pattern:
            continue
        if not desc.possible_length:
            start.append(pattern)
        elif 11 in desc.possible_length:
            whole.append(pattern)
    mobile, general = _matcher(cn.mobile), _matcher(cn.general_desc)
    assert mobile is not None and general is not None and 11 in cn.mobile.possible_length
    return general, mobile, _any_of(whole), _any_of(start)


_GENERAL, _MOBILE_PATTERN, _OTHER_TYPE, _PARSER_MAY_CUT = _quick_path()
_PLAIN_MOBILE = re.compile(r"(?:\+86)?(1\d{10})")


def _surely_mobile(national: str) -> bool:
    """True only when phonenumbers would call this 11-digit national number a CN mobile (property-tested)."""
    return (
        _GENERAL.fullmatch(national) is not None
        and _MOBILE_PATTERN.fullmatch(national) is not None
        and _OTHER_TYPE.fullmatch(national) is None
        and _PARSER_MAY_CUT.match(national) is None
    )


_HIDDEN_DIGIT = re.compile(r"[xX×]")
_SEPARATORS = re.compile(r"[\s\-().·/]")


def _clean(raw: str) -> str:
    # Full-width digits and symbols (１３８…, ＋, ＊) come from Chinese input methods; x and × are
    # how some registers write a hidden digit. Cleaning a cleaned number changes nothing.
    return _SEPARATORS.sub("", _HIDDEN_DIGIT.sub("*", unicodedata.normalize("NFKC", raw)))


def mainland_mobile(raw: str) -> str | None:
    """The E.164 form (+8613800000001) of a mainland China mobile number, or None (ID-1).

    A number is one when phonenumbers' current data says it is a valid number of region CN of type
    MOBILE, however it is written (spaces, dashes, +86 or 0086, full-width digits).
    """
    return _mobile(_clean(raw))


def _mobile(text: str) -> str | None:
    """mainland_mobile of a number already cleaned (`_clean`)."""
    # Nearly every number typed is a plain 11-digit mobile: answered from the same data, without
    # phonenumbers' general parser (20 µs a number; a 20,000-customer file spent 14% of its replay there).
    plain = _PLAIN_MOBILE.fullmatch(text)
    if plain is not None and _surely_mobile(plain.group(1)):
        return f"+86{plain.group(1)}"
    if not _DIALLED.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number_for_region(number, "CN"):
        return None
    if phonenumbers.number_type(number) != _MOBILE:
        return None
    return f"+86{number.national_number}"


def _shown(raw: str) -> str:
    # What the user typed, in the message: trimmed, and never in Python's quotes.
    text = unicodedata.normalize("NFKC", raw).strip()
    return text if len(text) <= 24 else text[:24] + "…"


def _refused(raw: str) -> EngineError:
    if not raw.strip():
        return EngineError("请填写手机号码", "the mobile phone number is missing", field="phone")
    return EngineError(
        f"「{_shown(raw)}」不是有效的大陆手机号码",
        f"“{_shown(raw)}” is not a valid mainland China mobile phone number",
        field="phone",
    )


@dataclass(frozen=True, slots=True)
class Phone:
    """A full mainland mobile in E.164 (+8613812345678) or a mask (138****5678, 1380****678) (ID-2).

    `value` is the stored form. Build one with `parse` from what a person typed, or with `of` from a
    value already stored (not checked again).
    """

    value: str

    @classmethod
    def parse(cls, raw: str, *, masks: bool = True) -> Phone:
        """Read a phone typed by a person; a mask is refused when `masks` is false.

        Raises the domain error (an EngineError: zh, en, field "phone") for anything else.
        """
        # Typed as stored, in ASCII (\d also matches full-width digits, which _clean changes): nothing to clean.
        plain = _PLAIN_MOBILE.fullmatch(raw) if raw.isascii() else None
        if plain is not None and _surely_mobile(plain.group(1)):
            return cls(f"+86{plain.group(1)}")
        text = _clean(raw)
        if "*" in text:
            match = _MASK.match(text)
            if match is None:
                raise _refused(raw)
            if not masks:
                raise EngineError(
                    f"「{_shown(raw)}」是隐号：请填写完整的手机号码",
                    f"“{_shown(raw)}” is a masked number: give the full mobile phone number",
                    field="phone",
                )
            head, tail = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            return cls(f"{head}****{tail}")
        e164 = _mobile(text)
        if e164 is None:
            raise _refused(raw)
        return cls(e164)

    @classmethod
    def of(cls, stored: str) -> Phone:
        """A phone already stored (E.164 or a mask), taken as it is."""
        return cls(stored)

    def __str__(self) -> str:
        return self.value

    @property
    def is_mask(self) -> bool:
        return "*" in self.value

    @property
    def national(self) -> str:
        """The eleven digits (13812345678), or the mask as it is."""
        return self.value.removeprefix("+86")

    @property
    def tail(self) -> str:
        """The last four characters of the national form: what the (project, phone_tail) index holds."""
        return self.national[-4:]

    @property
    def visible(self) -> tuple[str, str]:
        """The digits a mask shows, before and after its stars (a full number shows all of them)."""
        head, _, tail = self.national.partition("****")
        return head, tail

    def masked(self, mode: str = DEFAULT_MODE) -> str:
        """The number as a person without the right to see it reads it, in the project's mode (ID-2)."""
        if self.is_mask:
            return self.value
        national = self.national
        if len(national) != 11:
            return "*" * len(national)
        head, tail = _SHAPES.get(mode, _SHAPES[DEFAULT_MODE])
        return f"{national[:head]}****{national[-tail:]}"

    def masks(self) -> tuple[str, ...]:
        """Every mask this full number may have been registered as (one per shape)."""
        if self.is_mask:
            return (self.value,)
        return tuple(dict.fromkeys(self.masked(mode) for mode in MODES))

    def may_be(self, other: Phone) -> bool:
        """Whether the two may be one number: equal, or a mask whose visible digits the full number has.

        Two different masks are never taken for one number (ID-2: a mask never merges on its own).
        """
        if self.value == other.value:
            return True
        if self.is_mask == other.is_mask:
            return False
        mask, full = (self, other) if self.is_mask else (other, self)
        head, tail = mask.visible
        national = full.national
        return len(national) == 11 and national.startswith(head) and national.endswith(tail)

    def tails(self) -> tuple[str, ...]:
        """The stored tails (`tail`) of every phone that `may_be` this mask: one index lookup finds them."""
        if not self.is_mask:
            return (self.tail,)
        _, tail = self.visible
        if len(tail) == 4:
            return (tail,)
        return (*(digit + tail for digit in "0123456789"), "*" + tail)
