"""Verdicts: who owns a customer, through which channel, until when, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from .inhouse import Shares
from .model import quick_init
from .reasons import MESSAGES, Describer, Reason


def _shares_answer(shares: Shares | None) -> str | dict[str, float] | None:
    if not shares:
        return None
    if len(shares) == 1:
        return next(iter(shares))
    return {person: float(share) for person, share in shares.items()}


def _cites(reasons: tuple[Reason, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([MESSAGES[item.code][0] for item in reasons]))  # each Reason.rule, once


class Standing(NamedTuple):
    """What a verdict settles, without its reasons: what `verify` compares with the stored verdicts.

    The same fields a Verdict has (Timeline.standings_at and verdicts_at judge alike); a fifth
    of a rebuild's judging time is spent writing the reasons, which verify never reads.
    """

    owners: Shares | None
    status: str
    channel: Shares | None
    channel_status: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The engine's answer for one customer at one moment (DESIGN principle 3)."""

    customer: str
    at: datetime
    owners: Shares | None
    status: str  # pending, active, lapsed, void, pool, free
    until: datetime | None  # the follow-up deadline when pending, else the end of validity
    channel: Shares | None  # None: the house
    channel_status: str  # none, protected, public, void
    channel_until: datetime | None
    reasons: tuple[Reason, ...]
    events: tuple[str, ...]
    policy_version: str
    describer: Describer = field(repr=False, compare=False)

    @property
    def consultant(self) -> str | dict[str, float] | None:
        return _shares_answer(self.owners)

    @property
    def channel_answer(self) -> str | dict[str, float]:
        return _shares_answer(self.channel) or "house"

    @property
    def cites(self) -> tuple[str, ...]:
        return _cites(self.reasons)

    def explain(self, lang: str = "zh") -> str:
        return self.describer.sentence(self.reasons, lang)

    def _local(self, moment: datetime | None) -> str | None:
        return self.describer.to_local(moment).isoformat() if moment is not None else None

    def as_dict(self, lang: str = "zh") -> dict[str, object]:
        return {
            "customer": self.customer,
            "consultant": self.consultant,
            "status": self.status,
            "until": self._local(self.until),
            "channel": self.channel_answer,
            "channel_status": self.channel_status,
            "channel_until": self._local(self.channel_until),
            "cites": list(self.cites),
            "events": list(self.events),
            "policy": self.policy_version,
            "explain": self.explain(lang),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class DealVerdict:
    """Who gets the performance credit and the commission of a deal, and which channel (C-1..C-7)."""

    deal: str
    performance: Shares
    commission: Shares
    pool: Fraction
    channel: Shares | None
    fines: dict[str, Decimal]
    points: dict[str, int]
    suspensions: dict[str, int]
    reasons: tuple[Reason, ...]
    policy_version: str
    describer: Describer = field(repr=False, compare=False)

    @property
    def cites(self) -> tuple[str, ...]:
        return _cites(self.reasons)

    @property
    def channel_answer(self) -> str | dict[str, float]:
        return _shares_answer(self.channel) or "house"

    def explain(self, lang: str = "zh") -> str:
        return self.describer.sentence(self.reasons, lang)

    def as_dict(self, lang: str = "zh") -> dict[str, object]:
        data: dict[str, object] = {
            "deal": self.deal,
            "performance": _shares_answer(self.performance),
            "commission": {person: float(share) for person, share in self.commission.items()},
            "channel": self.channel_answer,
        }
        if self.pool:
            data["pool"] = float(self.pool)
        if self.fines:
            data["fines"] = {person: str(amount) for person, amount in self.fines.items()}
        if self.points:
            data["points"] = dict(self.points)
        if self.suspensions:
            data["suspension_days"] = dict(self.suspensions)
        data["cites"] = list(self.cites)
        data["policy"] = self.policy_version
        data["explain"] = self.explain(lang)
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationVerdict:
    """A registration as judged when it was made (D-11, D-12): what the agent is told, and why."""

    registration: str
    accepted: bool
    refusal: str | None  # one of D-12's words when refused
    until: datetime | None  # the end of its protection when accepted under a registration scheme
    reasons: tuple[Reason, ...]
    describer: Describer = field(repr=False, compare=False)

    @property
    def cites(self) -> tuple[str, ...]:
        return _cites(self.reasons)

    def explain(self, lang: str = "zh") -> str:
        return self.describer.sentence(self.reasons, lang)

    def as_dict(self, lang: str = "zh") -> dict[str, object]:
        data: dict[str, object] = {"registration": self.registration, "accepted": self.accepted}
        if self.refusal is not None:
            data["reason"] = self.refusal
        data["until"] = self.describer.to_local(self.until).isoformat() if self.until is not None else None
        data["cites"] = list(self.cites)
        data["explain"] = self.explain(lang)
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationStatus:
    """A registration as its own agent sees it now (D-11..D-13): the trade's word, until when, one sentence.

    It never names another agent, the house's consultant or whoever holds the customer (D-12).
    """

    registration: str
    word: str  # 报备成功, 已到访, 已认购, 已签约, 已失效, 无效, 公客 (engine.distributor)
    until: datetime | None
    reasons: tuple[Reason, ...]
    describer: Describer = field(repr=False, compare=False)

    def explain(self, lang: str = "zh") -> str:
        return self.describer.sentence(self.reasons, lang)


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskSignal:
    """A D-14 risk signal for the channel manager, with the events behind it; it decides nothing."""

    code: str  # risk_details, risk_deal_soon, risk_several
    events: tuple[str, ...]
    reason: Reason


# A verdict's status as an office says it (pages, what-if summaries).
STATUS_NAMES = {
    "pending": ("待追访", "awaiting follow-up"),
    "active": ("有效", "active"),
    "lapsed": ("已过期", "lapsed"),
    "void": ("已失效", "void"),
    "pool": ("公共客户", "in the pool"),
    "free": ("未归属", "unclaimed"),
}


def status_name(status: str, lang: str = "zh") -> str:
    names = STATUS_NAMES.get(status)
    return (names[0] if lang == "zh" else names[1]) if names else status
