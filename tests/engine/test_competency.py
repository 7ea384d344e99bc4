"""KSA appraisals (W-7): a person stands at the lowest of knowledge, skills and attributes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import competency as c
from leadledger.engine import duties as d
from leadledger.engine.errors import DomainError


def test_one_short_area_holds_the_level_back_and_is_named() -> None:
    ratings = {c.KNOWLEDGE: c.SENIOR, c.SKILLS: c.MANAGER, c.ATTRIBUTES: c.ASSISTANT}
    found = c.standing(ratings, c.MANAGER)
    assert found.level == c.ASSISTANT and not found.meets_post and found.short == (c.ATTRIBUTES,)
    assert c.standing(ratings, c.ASSISTANT).meets_post


def test_a_missing_or_unknown_level_is_refused_beside_its_field() -> None:
    with pytest.raises(DomainError) as missing:
        c.read({c.KNOWLEDGE: c.SENIOR, c.SKILLS: "expert"})
    assert missing.value.field == c.SKILLS
    with pytest.raises(DomainError) as post:
        c.standing({a: c.MANAGER for a in c.AREAS}, "")
    assert post.value.field == "post"


def test_appraisal_periods_are_monthly_quarterly_or_yearly_and_begun() -> None:
    today = date(2026, 3, 14)
    assert c.period_for(d.YEARLY, "", today).name == "2026"
    with pytest.raises(DomainError):
        c.period_for(d.WEEKLY, "", today)
    with pytest.raises(DomainError) as ahead:
        c.period_for(d.QUARTERLY, "2026-Q2", today)
    assert ahead.value.field == "period"


levels = st.sampled_from(c.LEVELS)


@settings(max_examples=60, deadline=None)
@given(levels, levels, levels, levels)
def test_the_level_is_the_minimum_and_meets_the_post_exactly_when_no_area_is_short(
    k: str, s: str, a: str, post: str
) -> None:
    found = c.standing({c.KNOWLEDGE: k, c.SKILLS: s, c.ATTRIBUTES: a}, post)
    assert found.level == min((k, s, a), key=c.LEVELS.index)
    assert found.meets_post == (not found.short)
