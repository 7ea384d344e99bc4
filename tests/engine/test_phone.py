"""A phone value (ID-1, ID-2): what a mainland mobile is, how it is stored, shown, masked and matched."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadledger.engine import EngineError, Phone, mainland_mobile, policy_from, search_query
from leadledger.engine.phone import MODES
from leadledger.engine.policy import PolicyError


def _is_cn_mobile(digits: str) -> bool:
    number = phonenumbers.parse(f"+86{digits}")
    return (
        phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_mainland_mobile_is_what_phonenumbers_current_data_says(digits: str) -> None:
    assert (mainland_mobile(digits) == f"+86{digits}") == _is_cn_mobile(digits)


def _parsed_the_long_way(text: str) -> str | None:
    # mainland_mobile as it was before its quick path: phonenumbers' parser and checks, nothing else.
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number_for_region(number, "CN"):
        return None
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None
    return f"+86{number.national_number}"


@given(st.from_regex(r"(\+86)?1[0-9]{10}", fullmatch=True))
def test_the_quick_path_answers_as_phonenumbers_parser_would(text: str) -> None:
    assert mainland_mobile(text) == _parsed_the_long_way(text)


def test_the_quick_path_agrees_on_every_five_digit_prefix() -> None:
    # Mobile blocks are told apart by their first digits: every 1xxxx prefix, with a varying tail.
    for prefix in range(10_000):
        digits = f"1{prefix:04d}{prefix * 7919 % 1_000_000:06d}"
        assert mainland_mobile(digits) == _parsed_the_long_way(digits), digits


@pytest.mark.parametrize(
    "raw",
    [
        "13800000001",
        "+86 138 0000 0001",
        "0086-138-0000-0001",
        "＋８６ １３８ ００００ ０００１",
        "１３８ ００００ ０００１",
    ],
)
def test_every_way_of_writing_a_mobile_gives_one_phone(raw: str) -> None:
    assert Phone.parse(raw) == Phone("+8613800000001")


@pytest.mark.parametrize(
    "raw",
    [
        "14912345678",  # a 149 number: not in phonenumbers' data for mainland mobiles today
        "057188888888",  # a Hangzhou landline: a customer is matched by mobile (ID-1)
        "+85291234567",  # Hong Kong
        "3998",
        "138****567",
        "abc'\"",
    ],
)
def test_what_is_not_a_mainland_mobile_is_refused_next_to_the_phone_field(raw: str) -> None:
    with pytest.raises(EngineError) as caught:
        Phone.parse(raw)
    error = caught.value
    assert error.field == "phone" and "手机号码" in error.zh and "mobile" in error.en
    assert "'" + raw not in error.zh + error.en  # never Python's repr of the input


def test_a_mask_is_read_in_either_shape_and_refused_where_a_full_number_is_needed() -> None:
    assert Phone.parse("138 **** 5678").value == "138****5678"
    assert Phone.parse("1380＊＊＊＊678").value == "1380****678"
    assert Phone.parse("138xxxx5678").is_mask
    with pytest.raises(EngineError) as caught:
        Phone.parse("138****5678", masks=False)
    assert "隐号" in caught.value.zh and caught.value.field == "phone"


def test_a_number_is_shown_masked_in_the_projects_mode_with_its_tail() -> None:
    phone = Phone.parse("13812345678")
    assert phone.masked() == phone.masked("前三后四") == "138****5678"
    assert phone.masked("前四后三") == "1381****678"
    assert phone.masked("full") == "138****5678"  # full is for distributors' reports, pages still mask
    assert phone.tail == "5678" and not phone.is_mask
    assert Phone.of("1381****678").tail == "*678"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(MODES))
def test_a_numbers_mask_in_any_mode_may_be_that_number_and_its_tails_find_it(digits: str, mode: str) -> None:
    if mainland_mobile(digits) is None:
        return
    phone = Phone.parse(digits)
    mask = Phone.parse(phone.masked(mode))
    assert mask.is_mask and mask.may_be(phone) and phone.may_be(mask)
    assert phone.tail in mask.tails()
    assert mask.value in phone.masks()


def test_two_different_masks_are_never_one_number() -> None:
    assert not Phone.of("138****5678").may_be(Phone.of("1381****678"))
    assert not Phone.of("+8613812345678").may_be(Phone.of("+8613812345679"))


def test_the_projects_phone_mode_is_a_policy_parameter() -> None:
    assert policy_from({}).report_phone_mode == "前三后四"
    assert policy_from({"report_phone_mode": "前四后三"}).report_phone_mode == "前四后三"
    with pytest.raises(PolicyError):
        policy_from({"report_phone_mode": "前五后五"})


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("13812345678", "phone"),
        ("138****5678", "mask"),
        ("3998", "digits"),
        ("138 1234", "digits"),
        ("zw", "latin"),
        ("张", "name"),
        ("  ", ""),
    ],
)
def test_a_search_is_read_as_a_phone_a_mask_digits_letters_or_a_name(raw: str, kind: str) -> None:
    assert search_query(raw).kind == kind


@pytest.mark.parametrize("raw", ["13900000001", "+8613900000001", "１３９００００００01", "+86１３９0000000１", "٣١٣٩"])
def test_a_number_typed_as_stored_is_read_as_a_cleaned_one_is(raw: str) -> None:
    # Phone.parse reads a plain ASCII mobile without cleaning it first; anything else is cleaned (NFKC).
    from leadledger.engine.phone import _clean

    try:
        expected: object = Phone.parse(_clean(raw)).value
    except EngineError as error:
        expected = type(error)
    try:
        found: object = Phone.parse(raw).value
    except EngineError as error:
        found = type(error)
    assert found == expected
    if "１" in raw:
        assert found == "+8613900000001"
