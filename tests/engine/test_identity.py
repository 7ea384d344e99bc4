"""Identity: phones, masks, ID numbers, persons and households (ID-1..ID-4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadledger.engine import Customer, Directory, EngineError, Identity, Phone, Relation, mask_phone, normalise_phone
from leadledger.engine.identity import normalise_id_number, parse_mask, phone_key


@pytest.mark.parametrize(
    "raw",
    [
        "13800000001",
        "+86 138 0000 0001",
        "+86-138-0000-0001",
        "0086 13800000001",
        "１３８０００００００１",
        "(138) 0000-0001",
    ],
)
def test_every_spelling_of_a_mobile_number_normalises_to_one(raw: str) -> None:
    assert normalise_phone(raw) == "+8613800000001"


@pytest.mark.parametrize("raw", ["", "abc", "12345", "1380000000", "138000000011", "138-ABCD-0001"])
def test_a_bad_phone_is_refused_in_both_languages(raw: str) -> None:
    with pytest.raises(EngineError) as caught:
        normalise_phone(raw)
    assert "phone" in caught.value.en and "手机号码" in caught.value.zh
    assert caught.value.field == "phone"


def test_a_masked_number_keeps_three_leading_and_four_trailing_digits() -> None:
    mask = parse_mask("138****5678")
    assert mask is not None and str(mask) == "138****5678"
    assert mask.may_be(Phone.of("+8613812345678"))
    assert not mask.may_be(Phone.of("+8613912345678"))
    assert parse_mask("138＊＊＊＊5678") == mask  # full-width asterisks from a Chinese keyboard
    assert parse_mask("13812345678") is None
    assert phone_key("138 **** 5678") == "138****5678"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_masking_a_number_gives_a_mask_that_matches_it(digits: str) -> None:
    try:
        e164 = normalise_phone(digits)
    except EngineError:
        return  # a prefix not in service is not a phone number
    mask = parse_mask(mask_phone(e164))
    assert mask is not None and mask.may_be(Phone.of(e164))


def test_resident_id_numbers_are_validated() -> None:
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(EngineError):
        normalise_id_number("110105194912310021")  # wrong check digit


def _customers(*rows: tuple[str, str | None]) -> dict[str, Customer]:
    return {cid: Customer(id=cid, name=cid, phone=phone) for cid, phone in rows}


def test_records_sharing_an_exact_phone_are_one_person_but_a_mask_never_merges() -> None:
    customers = _customers(("a", "+8613800000001"), ("b", "+8613800000001"), ("c", "138****0001"))
    identity = Identity(customers, [])
    assert identity.person["a"] == identity.person["b"]
    assert identity.person["c"] != identity.person["a"]


def test_only_verified_household_relations_join_a_household() -> None:
    customers = _customers(("a", None), ("b", None), ("c", None), ("d", None), ("e", None))
    relations = [
        Relation(a="a", b="b", kind="spouse", verified=True),
        Relation(a="b", b="c", kind="grandparent_grandchild", verified=True),
        Relation(a="a", b="d", kind="sibling", verified=True),
        Relation(a="a", b="e", kind="spouse", verified=False),
    ]
    identity = Identity(customers, relations)
    assert identity.household["a"] == identity.household["b"] == identity.household["c"]
    assert identity.household["d"] != identity.household["a"]  # ID-3: a sibling is not household
    assert identity.household["e"] != identity.household["a"]  # ID-4: unverified has no effect
    assert identity.relation_kind(identity.person["a"], identity.person["d"]) == "sibling"
    assert identity.pending_relation("a", "e") == "spouse"


def test_the_directory_finds_by_phone_mask_and_name_exact_matches_first() -> None:
    customers = [
        Customer(id="c1", name="张伟", phone="+8613812345678"),
        Customer(id="c2", name="王丽", phone="+8613898765678"),
        Customer(id="c3", name="张三", phone="138****5678"),
    ]
    directory = Directory(customers)
    assert [c.id for c in directory.search("13812345678")] == ["c1", "c3"]
    assert [c.id for c in directory.search("138****5678", surname="张")] == ["c1", "c3"]
    assert [c.id for c in directory.search("张 伟")] == ["c1"]
    assert directory.search("13700000000") == []
    assert directory.search("5678") == []  # four digits are not a phone, nor a name


def test_names_are_spelled_in_pinyin_and_initials_for_the_desk() -> None:
    from leadledger.engine.identity import name_spellings

    assert name_spellings("张伟") == ("zhangwei", "zw")
    assert name_spellings(" 吕 丽 ") == ("lvli", "ll")
    assert name_spellings("Tom张") == ("tomzhang", "tz")
