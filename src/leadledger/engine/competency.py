"""Competency appraisals (RULES.md W-7, 篇2): knowledge, skills and attributes (KSA) at three levels.

Pure. A manager appraises a subordinate monthly, quarterly or yearly (篇1 3.28, 3.34, 3.38), rating
each of K, S and A at the level it reaches: assistant (有一定了解), manager (了解并能够运用) or senior
(深入了解、熟练运用). A person stands at the lowest of the three (decision 463): a post asks for all
three, so one short area holds the whole back, and the appraisal names the areas below the post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from . import duties as d
from .errors import DomainError

CADENCES = (d.MONTHLY, d.QUARTERLY, d.YEARLY)  # W-7
KNOWLEDGE, SKILLS, ATTRIBUTES = "knowledge", "skills", "attributes"
AREAS = (KNOWLEDGE, SKILLS, ATTRIBUTES)
ASSISTANT, MANAGER, SENIOR = "assistant", "manager", "senior"
LEVELS = (ASSISTANT, MANAGER, SENIOR)  # W-7: in ascending order
AREA_WORDS = {KNOWLEDGE: ("知识", "knowledge"), SKILLS: ("技能", "skills"), ATTRIBUTES: ("素质", "attributes")}
LEVEL_WORDS = {
    ASSISTANT: ("客户经理助理", "assistant customer manager"),
    MANAGER: ("客户经理", "customer manager"),
    SENIOR: ("高级客户经理", "senior customer manager"),
}


def period_for(cadence: str, name: str, today: date) -> d.Period:
    """W-7: the appraisal's period, named or else the one under way; one not yet begun is refused."""
    if cadence not in CADENCES:
        raise DomainError(
            "请选择月度、季度或年度考核", "choose a monthly, quarterly or yearly appraisal", field="cadence"
        )
    if not name:
        return d.period_of(cadence, today)
    try:
        period = d.period_named(cadence, name)
    except DomainError as wrong:
        raise wrong.on("period") from None
    if period.first > today:
        raise DomainError(f"{period.name}尚未开始，还不能考核", f"{period.name} has not begun", field="period")
    return period


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """Where an appraisal puts a person: the level reached, whether it meets the post, and the short areas."""

    level: str
    meets_post: bool
    short: tuple[str, ...]


def _level(value: object, field: str) -> str:
    text = str(value or "")
    if text not in LEVELS:
        raise DomainError("请选择层级", "choose a level", field=field)
    return text


def read(ratings: Mapping[str, object]) -> dict[str, str]:
    """W-7: the three areas' levels from a form, each beside its field when missing or unknown."""
    return {area: _level(ratings.get(area), area) for area in AREAS}


def standing(ratings: Mapping[str, str], post: str) -> Standing:
    """W-7: the level reached is the lowest area's (decision 463); the areas below the post's level."""
    levels = read(ratings)
    wanted = LEVELS.index(_level(post, "post"))
    reached = min(LEVELS.index(levels[area]) for area in AREAS)
    short = tuple(area for area in AREAS if LEVELS.index(levels[area]) < wanted)
    return Standing(level=LEVELS[reached], meets_post=reached >= wanted, short=short)
