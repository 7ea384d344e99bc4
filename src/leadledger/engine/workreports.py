"""Work reports (RULES.md W-3): weekly, monthly, quarterly and yearly, prefilled with the period's counts.

Pure. A report belongs to one period of its cadence; it may be written for the period under way or
one already over, never for one not yet begun (decision 460). Its figures are counted from logged work
by engine/duties.py, as the duties are (W-2), with the money collected in the period (W-6) beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from . import duties as d
from .errors import DomainError, EngineError
from .model import DEAL

CADENCES = (d.WEEKLY, d.MONTHLY, d.QUARTERLY, d.YEARLY)  # W-3 (篇1 3.16, 3.22, 3.35, 3.37)
PARTS = ("results", "problems", "plan", "suggestions")
REQUIRED = ("results", "plan")  # W-3: a report says what was done and what comes next
COUNTED = (d.CALLS, d.CALLBACKS, d.VISITS, d.NEW_PROSPECTS, DEAL)
# 篇4: a distribution salesperson's field work of the period, counted as its duties count it (decision 490).
FIELD_COUNTED = (d.STOCK_CHECK, d.WHOLESALER_CALL, d.WHOLESALER_VISIT, d.RETAIL_ROUNDS, d.MARKET_ANALYSIS)
COLLECTED = "collected"  # W-6: money collected in the period, as a string of yuan to the fen

NAMES = {
    d.WEEKLY: ("周报", "weekly report"),
    d.MONTHLY: ("月报", "monthly report"),
    d.QUARTERLY: ("季报", "quarterly report"),
    d.YEARLY: ("年报", "yearly report"),
}
THIS = {  # how each report calls its own period
    d.WEEKLY: ("本周", "this week"),
    d.MONTHLY: ("本月", "this month"),
    d.QUARTERLY: ("本季度", "this quarter"),
    d.YEARLY: ("本年度", "this year"),
}
NEXT = {  # how the plan's period is called in each report
    d.WEEKLY: ("下周", "next week"),
    d.MONTHLY: ("下月", "next month"),
    d.QUARTERLY: ("下季度", "next quarter"),
    d.YEARLY: ("明年", "next year"),
}


def kind_of(cadence: str) -> str:
    """The work kind a submitted report of `cadence` is counted as (engine/duties.py WORK_KINDS)."""
    return f"{_cadence(cadence)}_report"


def _cadence(cadence: str) -> str:
    if cadence not in CADENCES:
        raise DomainError("没有这种工作报告", "there is no such kind of report", field="cadence")
    return cadence


def period_for(cadence: str, name: str, today: date) -> d.Period:
    """W-3: the period a report is for, named or else the one under way; one not yet begun is refused."""
    _cadence(cadence)
    if not name:
        return d.period_of(cadence, today)
    try:
        period = d.period_named(cadence, name)
    except EngineError as wrong:
        raise wrong.on("period") from None
    if period.first > today:  # decision 460: nothing to report on yet
        zh, en = NAMES[cadence]
        said_zh, said_en = d.period_words(cadence, period.name), d.period_words(cadence, period.name, "en")
        raise DomainError(f"{said_zh}尚未开始，还不能写{zh}", f"{said_en} has not begun: no {en} yet", field="period")
    return period


def previous(cadence: str, period: d.Period) -> d.Period:
    """The period before `period`, for the page's link to the earlier report."""
    return d.period_of(_cadence(cadence), date.fromordinal(period.first.toordinal() - 1))


def missing(parts: Mapping[str, str]) -> list[str]:
    """W-3: the required written parts still empty, in the form's order."""
    return [part for part in REQUIRED if not str(parts.get(part, "")).strip()]


def figures(
    log: d.WorkLog, staff: str, period: d.Period, *, until: datetime, collected: Iterable[Decimal] = ()
) -> dict[str, int | str]:
    """W-3: the period's counted figures (calls, callbacks, visits, new customers, deals; 篇4's field work)
    and W-6's collected."""
    counted: dict[str, int | str] = {name: log.done(name, staff, period, until=until) for name in COUNTED}
    field = {name: log.done(name, staff, period, until=until) for name in FIELD_COUNTED}
    if any(field.values()):  # only someone who did field work carries its figures
        counted.update(field)
    counted[COLLECTED] = str(sum(collected, Decimal("0")).quantize(Decimal("0.01")))
    return counted
