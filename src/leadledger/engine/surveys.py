"""Satisfaction surveys (RULES.md W-5), monthly and quarterly: sent, answered, scored.

Pure. A survey asks one customer once per period of its cadence; the answer is a score of 1 to 5
(非常不满意 to 非常满意). The satisfaction rate is the share of answers scoring 4 or 5, as sales offices
report it (decision 462); the average score and the response rate stand beside it. Figures are
grouped by customer, by consultant and by period, never mixing the monthly and quarterly surveys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from . import duties as d
from .errors import DomainError

CADENCES = (d.MONTHLY, d.QUARTERLY)  # W-5 (篇1 3.27, 3.33)
SCORES = (5, 4, 3, 2, 1)
SATISFIED = 4  # W-5, decision 462: 满意 (4) and 非常满意 (5) count as satisfied
SCORE_WORDS = {
    5: ("非常满意", "very satisfied"),
    4: ("满意", "satisfied"),
    3: ("一般", "neutral"),
    2: ("不满意", "dissatisfied"),
    1: ("非常不满意", "very dissatisfied"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Survey:
    """One customer's survey of one period: who was asked, by whom, and the score once answered."""

    customer: str
    staff: str
    cadence: str
    period: str
    score: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """W-5: sent, answered, the average score and the satisfaction rate (None until someone answered)."""

    sent: int
    answered: int
    average: Decimal | None
    satisfied: Decimal | None  # a share, 0 to 1, to four places

    @property
    def response(self) -> Decimal | None:
        return None if not self.sent else (Decimal(self.answered) / self.sent).quantize(Decimal("0.0001"))


def period_for(cadence: str, name: str, today: date) -> d.Period:
    """The survey period called `name`, or the one under way; one not yet begun is refused."""
    if cadence not in CADENCES:
        raise DomainError("满意度调查按月或按季度进行", "surveys are monthly or quarterly", field="cadence")
    if not name:
        return d.period_of(cadence, today)
    period = d.period_named(cadence, name)
    if period.first > today:
        raise DomainError(f"{period.name}尚未开始", f"{period.name} has not begun", field="period")
    return period


def score_of(value: object) -> int:
    """W-5: an answer is a whole score of 1 to 5, beside the score field when it is not."""
    text = str(value if value is not None else "").strip()
    if text not in {str(s) for s in SCORES}:
        raise DomainError("请选择1到5分的满意度", "choose a score from 1 to 5", field="score")
    return int(text)


def figures(surveys: Iterable[Survey]) -> Figures:
    """W-5: the figures of a set of surveys (a person's, a customer's, a period's)."""
    found = list(surveys)
    scores = [s.score for s in found if s.score is not None]
    if not scores:
        return Figures(sent=len(found), answered=0, average=None, satisfied=None)
    average = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    satisfied = (Decimal(sum(1 for s in scores if s >= SATISFIED)) / len(scores)).quantize(Decimal("0.0001"))
    return Figures(sent=len(found), answered=len(scores), average=average, satisfied=satisfied)


def by(surveys: Iterable[Survey], key: Callable[[Survey], str]) -> dict[str, Figures]:
    """W-5: figures grouped by `key` (customer, staff or period), each cadence kept apart by the caller."""
    groups: dict[str, list[Survey]] = defaultdict(list)
    for survey in surveys:
        groups[key(survey)].append(survey)
    return {name: figures(group) for name, group in groups.items()}


def to_ask(customers: Iterable[str], asked: Iterable[str]) -> list[str]:
    """W-5: the customers not yet asked this period, each once, in the order given."""
    done, left = set(asked), []
    for customer in customers:
        if customer not in done:
            done.add(customer)
            left.append(customer)
    return left
