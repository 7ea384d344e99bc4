"""A registration as its agent sees it (D-11..D-13): the trade's word, until when, one sentence naming nobody else;
and which records a masked registration may be of (D-12, ID-2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.test_channel import GANG, JIE, MING, Channel
from helpers import at, minutes
from leadledger.engine import Customer
from leadledger.engine.distributor import may_be_registered, read_typed_phone

REPORT_VISIT = {"protection_scheme": "report_visit"}


def _status(story: Channel, event: str, when: object) -> tuple[str, object, str]:
    status = story.timeline().registration_status(event, when)  # type: ignore[arg-type]
    return status.word, status.until, status.explain("zh")


def test_an_accepted_registration_is_registered_until_its_protection_ends_then_lapsed() -> None:
    story = Channel(REPORT_VISIT)
    mine = story.register(at(1), "zhang", MING)
    word, until, sentence = _status(story, mine, at(2))
    assert (word, until) == ("报备成功", at(8))
    assert sentence == "报备成功，保护至 2026-03-08 10:00（D-11）"
    assert _status(story, mine, at(9))[:2] == ("已失效", at(8))


def test_a_refused_registration_is_invalid_with_d12s_word_only() -> None:
    story = Channel(REPORT_VISIT)
    story.register(at(1), "zhang", MING)
    theirs = story.register(at(2), "zhang", JIE)
    word, until, sentence = _status(story, theirs, at(2))
    assert (word, until) == ("无效", None)
    assert sentence == "报备未通过：已被报备（D-12）"
    english = story.timeline().registration_status(theirs, at(2)).explain("en")
    assert "李明" not in english and "安居" not in english


def test_the_agents_escorted_visit_makes_it_visited_and_a_deal_credited_to_them_signed() -> None:
    story = Channel(REPORT_VISIT)
    mine = story.register(at(1), "zhang", MING)
    story.escort(at(2), "zhang", MING)
    word, until, _ = _status(story, mine, at(3))
    assert (word, until) == ("已到访", at(2) + timedelta(days=90))
    story.deal(at(10), "zhang")
    assert _status(story, mine, at(11))[0] == "已签约"


def test_an_unrenewed_claim_is_public() -> None:
    story = Channel(REPORT_VISIT)
    mine = story.register(at(1), "zhang", MING)
    story.escort(at(2), "zhang", MING)
    word, until, sentence = _status(story, mine, at(2) + timedelta(days=91))
    assert (word, until) == ("公客", at(2) + timedelta(days=90))
    assert "公客" in sentence


def test_under_the_visit_scheme_a_registration_is_recorded_and_protects_from_the_visit() -> None:
    story = Channel()
    mine = story.register(at(1), "zhang", MING)
    word, until, sentence = _status(story, mine, at(2))
    assert (word, until) == ("报备成功", None)
    assert "到访后开始保护" in sentence
    story.escort(at(3), "zhang", GANG)  # another firm brought the customer first (D-8)
    word, _, sentence = _status(story, mine, at(4))
    assert word == "已失效" and "吴刚" not in sentence and "置家" not in sentence


def test_a_visit_found_to_be_the_houses_makes_the_registration_void() -> None:
    story = Channel()
    story.visit(at(1), "zhang")
    mine = story.register(at(2), "zhang", MING)  # refused: 案场已有接触
    assert _status(story, mine, at(3))[0] == "无效"
    known = Channel()
    registered = known.register(at(1), "li", MING)  # accepted: the house has not met 李娜
    known.visit(at(2), "li")  # then she walks in by herself
    known.escort(at(3), "li", MING)  # D-1: the house's
    word, _, sentence = _status(known, registered, at(4))
    assert word == "无效" and "王芳" not in sentence


def test_a_registration_at_the_door_still_protects_until_its_end() -> None:
    story = Channel(REPORT_VISIT)
    registered = story.register(at(1), "zhang", MING)
    story.escort(at(1) + minutes(10), "zhang", MING)  # 防截客: this visit is the house's (D-11) …
    assert _status(story, registered, at(2))[:2] == ("报备成功", at(8))  # … the registration still holds


@pytest.mark.parametrize(
    ("typed", "name", "phone", "expected"),
    [
        ("138****0001", "张三", "+8613800000001", True),  # the visible digits and the surname
        ("138****0001", "李三", "+8613800000001", False),  # another surname
        ("138****0002", "张三", "+8613800000001", False),  # other digits
        ("138****0001", "张三", "138****0001", True),  # the same mask, registered before
        ("138****0001", "张三", "1380****001", False),  # another mask is never taken for it (ID-2)
        ("13800000001", "张伟", "+8613800000001", False),  # a full number is not asked here
        ("138****0001", "张三", None, False),
    ],
)
def test_a_masked_registration_may_be_of_a_record_by_its_visible_digits_and_surname(
    typed: str, name: str, phone: str | None, expected: bool
) -> None:
    read = read_typed_phone(typed, "前三后四")
    assert read is not None
    assert may_be_registered(read, name, Customer(id="1", name="张伟", phone=phone)) is expected
