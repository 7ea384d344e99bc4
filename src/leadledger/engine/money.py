"""The money of a deal (C-7, IH-13, IH-14): commission plans, when commission falls due, and the
double-entry lines that record it, in exact yuan to the fen.

Every posting is a list of `LedgerLine`s that adds up to zero: the deal's account ("deal") gives
what the others receive. A deal's accrual posting allocates its commission (the allocations and the
pool add up to the commission, C-7); each payment received posts what has newly fallen due under the
project's settlement schedule; a returned unit posts the reversal of every allocation and due line
(a correction is a reversing line, never an edit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .errors import DomainError
from .splits import CENT, Arbitration, InhouseSplit, LedgerLine, allocate, arbitrate, commission_lines

ZERO = Decimal("0.00")
DEAL = "deal"  # the deal's own account: the source of its commission
POOL = "pool"  # the sales department's pool (IH-13, IH-14)

# Settlement moments (结佣节点), in the order a sale reaches them.
SUBSCRIPTION, SIGNING, DOWN_PAYMENT, COLLECTION, LOAN, HANDOVER = (
    "subscription",  # 认购
    "signing",  # 签约
    "down_payment",  # 首付
    "collection",  # 回款: due in proportion to the price collected
    "loan",  # 放贷
    "handover",  # 交房
)
STAGES = (SUBSCRIPTION, SIGNING, DOWN_PAYMENT, COLLECTION, LOAN, HANDOVER)
MAX_RATE = Decimal("0.1")  # a rate above 10% of the price is a typing error, not a plan


class PlanError(DomainError):
    """A commission plan or a ruled split that cannot be used; `field` names the part at fault for the form
    (bands[1], schedule, shares …), `path` the same part of the stored plan as a JSON path."""


def _refused(where: str, zh: str, en: str) -> PlanError:
    return PlanError(zh, en, path=f"$.{where}", field=where)


def _band_no(where: str) -> tuple[str, str]:
    """'第2档' / 'band 2' from bands[1]: said as the page numbers its rows (from one)."""
    found = re.search(r"\[([0-9]+)\]$", where)
    if found is None:
        return "", ""
    number = int(found.group(1)) + 1
    return f"第{number}档：", f"band {number}: "


@dataclass(frozen=True, slots=True)
class Band:
    """Commission for units priced up to `up_to` yuan (None: any price above the bands before it):
    a `rate` of the price or a `fixed` amount per unit, never both."""

    up_to: Decimal | None
    rate: Decimal | None = None
    fixed: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Instalment:
    stage: str
    share: Fraction


@dataclass(frozen=True, slots=True)
class CommissionPlan:
    """A project's commission plan (C-7): consultants' bands, the settlement schedule, and the
    distributors' contracts (distributor name -> bands)."""

    bands: tuple[Band, ...]
    schedule: tuple[Instalment, ...] = (Instalment(SIGNING, Fraction(1)),)
    distributors: Mapping[str, tuple[Band, ...]] = field(default_factory=dict)


_RATIO = re.compile(r"[0-9]{1,18}/[0-9]{1,18}")  # a share as stored: str(Fraction), e.g. 7/10


def share_of(value: Any, where: str = "share") -> Fraction:
    """A settlement share as stored (7/10) or typed (0.7), exactly. Read as a decimal of at most 18 digits
    either side of the point first: Fraction("1e999999999") would build a number of a billion digits (a
    worker stalled by one form)."""
    text = str(value).strip()
    try:
        if _RATIO.fullmatch(text):
            return Fraction(text)
        number = Decimal(text)
    except (InvalidOperation, ValueError, ZeroDivisionError) as error:
        raise _refused(where, "比例应为小数，如0.7", "a share is a fraction such as 0.7") from error
    if not number.is_finite() or (not -18 <= number.adjusted() <= 18 and number != 0):
        raise _refused(where, "比例应为小数，如0.7", "a share is a fraction such as 0.7")
    return Fraction(number)


def _decimal(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        zh, en = _band_no(where)
        raise _refused(where, f"{zh}{value}不是数字", f"{en}not a number: {value}") from error
    if not number.is_finite() or number < 0:
        zh, en = _band_no(where)
        raise _refused(where, f"{zh}{value}不是正数金额", f"{en}not a positive amount: {value}")
    return number


def _bands(raw: Any, where: str) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise _refused(where, "至少填写一个价格档", "at least one price band is needed")
    bands: list[Band] = []
    for i, item in enumerate(raw):
        spot = f"{where}[{i}]"
        zh, en = _band_no(spot)
        if not isinstance(item, Mapping) or set(item) - {"up_to", "rate", "fixed"}:
            raise _refused(
                spot, f"{zh}每档有价格上限，以及费率或固定金额", f"{en}a band has up_to, and a rate or a fixed amount"
            )
        up_to = None if item.get("up_to") is None else _decimal(item["up_to"], spot)
        rate = None if item.get("rate") is None else _decimal(item["rate"], spot)
        fixed = None if item.get("fixed") is None else _decimal(item["fixed"], spot)
        if (rate is None) == (fixed is None):
            raise _refused(
                spot,
                f"{zh}每档填写费率或固定金额，二者只填其一",
                f"{en}a band has a rate or a fixed amount, not both and not neither",
            )
        if rate is not None and rate > MAX_RATE:
            raise _refused(
                spot, f"{zh}费率最高为房价的10%（100‰）", f"{en}a rate is at most 10% of the price (100 per mille)"
            )
        if fixed is not None and fixed != fixed.quantize(CENT):
            raise _refused(spot, f"{zh}固定金额以元为单位，精确到分", f"{en}a fixed amount is in yuan, to the fen")
        if bands and (bands[-1].up_to is None or (up_to is not None and up_to <= bands[-1].up_to)):
            raise _refused(
                spot,
                f"{zh}价格档须逐档升高，只有最后一档可不填上限",
                f"{en}bands go up in price; only the last may be open",
            )
        bands.append(Band(up_to=up_to, rate=rate, fixed=fixed))
    return tuple(bands)


def plan_from(data: Mapping[str, Any]) -> CommissionPlan:
    """Read and check a plan as stored (JSON): {"bands": [...], "schedule": [...], "distributors": {...}}."""
    if not isinstance(data, Mapping) or set(data) - {"bands", "schedule", "distributors"}:
        raise _refused(
            "plan", "佣金方案包括价格档、结佣节点和渠道合同", "a plan has bands, a schedule and distributors' contracts"
        )
    bands = _bands(data.get("bands"), "bands")
    schedule: list[Instalment] = []
    for i, item in enumerate(data.get("schedule") or [{"stage": SIGNING, "share": "1"}]):
        spot = f"schedule[{i}]"
        if not isinstance(item, Mapping) or item.get("stage") not in STAGES:
            raise _refused(spot, "结佣节点无法识别", f"a settlement stage is one of {', '.join(STAGES)}")
        share = share_of(item.get("share"), spot)
        if not 0 < share <= 1 or any(done.stage == item["stage"] for done in schedule):
            raise _refused(
                spot,
                "每个节点只填一次，比例大于0且不超过100%",
                "each stage once, with a share above 0 and at most 100%",
            )
        schedule.append(Instalment(stage=str(item["stage"]), share=share))
    if sum((item.share for item in schedule), Fraction(0)) != 1:  # C-7: the whole commission falls due
        raise _refused("schedule", "各结佣节点的比例合计须为100%", "the settlement shares must add up to 100%")
    distributors = data.get("distributors") or {}
    if not isinstance(distributors, Mapping):
        raise _refused("distributors", "渠道合同须写明渠道名称", "distributors' contracts are named")
    contracts = {str(name): _bands(raw, f"distributors.{name}") for name, raw in distributors.items()}
    return CommissionPlan(bands=bands, schedule=tuple(schedule), distributors=contracts)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def plan_data(plan: CommissionPlan) -> dict[str, Any]:
    """The plan as stored: the inverse of `plan_from`."""

    def bands(items: tuple[Band, ...]) -> list[dict[str, Any]]:
        return [
            {
                "up_to": None if band.up_to is None else _number(band.up_to),
                **({"rate": _number(band.rate)} if band.rate is not None else {}),
                **({"fixed": _number(band.fixed)} if band.fixed is not None else {}),
            }
            for band in items
        ]

    return {
        "bands": bands(plan.bands),
        "schedule": [{"stage": item.stage, "share": str(item.share)} for item in plan.schedule],
        "distributors": {name: bands(items) for name, items in plan.distributors.items()},
    }


def _by_bands(bands: Sequence[Band], price: Decimal) -> Decimal:
    for band in bands:
        if band.up_to is None or price <= band.up_to:
            if band.fixed is not None:
                return band.fixed.quantize(CENT)
            assert band.rate is not None
            return (price * band.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return ZERO  # above the last closed band: the plan pays nothing, and says so by its bands


def consultant_commission(plan: CommissionPlan, price: Decimal) -> Decimal:
    """The consultants' commission for a unit sold at `price` (C-7), in yuan to the fen."""
    return _by_bands(plan.bands, price)


def distributor_commission(plan: CommissionPlan, distributor: str, price: Decimal) -> Decimal:
    """A distributor's commission under its contract (C-6 then splits it between distributors)."""
    bands = plan.distributors.get(distributor)
    return _by_bands(bands, price) if bands else ZERO


# -- C-6: the distributors' commission -------------------------------------------------------------

CHANNEL = "channel"  # the kind of the deal's line that gives the distributors' commission (C-6)
DISTRIBUTOR = "dist:"  # a distributor's account: "dist:<distributor id>", beside staff ids and the pool


def distributor_account(distributor: object) -> str:
    return f"{DISTRIBUTOR}{distributor}"


def is_distributor(account: str) -> bool:
    return account.startswith(DISTRIBUTOR)


def firm_shares(channel: Mapping[str, Fraction], firm_of: Mapping[str, str]) -> dict[str, Fraction]:
    """C-6: the deal's channel as the engine answers it, by agent (D-9 splits it equally between the
    agents), added up per distribution company: two agents of one company are one contract."""
    firms: dict[str, Fraction] = {}
    for agent, share in channel.items():
        firm = firm_of.get(agent, "")
        if firm and share:
            firms[firm] = firms.get(firm, Fraction(0)) + Fraction(share)
    return firms


def channel_commissions(plan: CommissionPlan, shares: Mapping[str, Fraction], price: Decimal) -> dict[str, Decimal]:
    """C-6: what each distributor (by contract name) earns on a unit sold at `price`: its share of the
    commission its own contract gives for the unit (decision 470), rounded half up to the fen. A
    distributor without a contract in the plan earns nothing from the plan (its line is not written)."""
    amounts: dict[str, Decimal] = {}
    for name, share in sorted(shares.items()):
        exact = Fraction(distributor_commission(plan, name, price)) * share
        amount = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount:
            amounts[name] = amount
    return amounts


def channel_accrual(amounts: Mapping[str, Decimal]) -> list[LedgerLine]:
    """The distributors' posting of a deal (C-6, C-7): the deal gives their commission, each distributor's
    account receives its amount. The lines add up to zero; nothing at all when nobody earns."""
    total = sum(amounts.values(), ZERO)
    if not total:
        return []
    return [
        LedgerLine(account=DEAL, kind=CHANNEL, amount=-total),
        *(LedgerLine(account=account, kind="allocation", amount=amount) for account, amount in sorted(amounts.items())),
    ]


def channel_shares(amounts: Mapping[str, Decimal]) -> dict[str, Fraction]:
    """The distributors' shares of what falls due: their amounts over the total, so that once all is due
    each distributor is due exactly its amount (falling_due allocates exact cents by these shares)."""
    total = Fraction(sum(amounts.values(), ZERO))
    return {account: Fraction(amount) / total for account, amount in amounts.items() if amount} if total else {}


def earned(
    plan: CommissionPlan, commission: Decimal, price: Decimal, reached: Iterable[str], collected: Decimal
) -> Decimal:
    """How much of the commission has fallen due: each stage's share once it is reached, the
    collection stage's share in proportion to the price collected (counted per payment received).
    Rounded down to the fen, so what is due never runs ahead of the schedule."""
    done = set(reached)
    total = Fraction(0)
    for item in plan.schedule:
        if item.stage == COLLECTION:
            part = Fraction(min(collected, price)) / Fraction(price) if price > 0 else Fraction(1)
            total += item.share * part
        elif item.stage in done:
            total += item.share
    exact = Fraction(commission) * total
    return min(commission, (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(CENT, rounding=ROUND_DOWN))


def shares_of(split: InhouseSplit) -> dict[str, Fraction]:
    """The commission's shares with the pool as an account: they add up to one (C-7)."""
    shares = dict(split.commission)
    if split.pool:
        shares[POOL] = shares.get(POOL, Fraction(0)) + split.pool
    assert sum(shares.values(), Fraction(0)) == 1, "C-7: shares must add up to 1"
    return shares


def accrual(split: InhouseSplit, commission: Decimal) -> list[LedgerLine]:
    """A deal's accrual posting (C-7): the deal gives its commission, the consultants and the pool
    receive their shares, and fines go from the fined to the pool. The lines add up to zero."""
    return [LedgerLine(account=DEAL, kind="commission", amount=-commission), *commission_lines(split, commission)]


def falling_due(shares: Mapping[str, Fraction], before: Decimal, after: Decimal) -> list[LedgerLine]:
    """What a payment (or a stage reached) makes due: each account's share of the cumulative amount
    due now, less its share of what was due before, moved from what it has accrued to what it is due;
    so after the last payment each account is due exactly its allocation. The lines add up to zero,
    and an account's balance does not move: only the kind of its money does."""
    if after == before:
        return []
    then, now = allocate(before, dict(shares)), allocate(after, dict(shares))
    lines: list[LedgerLine] = []
    for account in sorted(now):
        amount = now[account] - then.get(account, ZERO)
        if amount:
            lines.append(LedgerLine(account=account, kind="accrued", amount=-amount))
            lines.append(LedgerLine(account=account, kind="due", amount=amount))
    return lines


def payout(staff: str, amount: Decimal) -> list[LedgerLine]:
    """Commission paid out to a consultant: from what they are due to what they have been paid."""
    return [
        LedgerLine(account=staff, kind="due", amount=-amount),
        LedgerLine(account=staff, kind="paid", amount=amount),
    ]


def payout_checked(account: str, due: Decimal, amount: Decimal) -> list[LedgerLine]:
    """A payout from a statement's page: above zero, to the fen, and no more than is due (decision 471):
    money paid beyond what fell due would be an advance, which is not commission."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise _refused("amount", "请填写大于零的金额，精确到分", "enter an amount above zero, to the fen")
    if amount > due:
        raise _refused("amount", f"应付未付为{due}元，付款不能超过", f"{due} yuan is due: pay no more than that")
    return payout(account, amount)


STANDING_KINDS = ("fine", "penalty")  # money taken for what was done: a returned unit does not give it back


def reversal(lines: Iterable[LedgerLine], note: str = "unit returned") -> list[LedgerLine]:
    """A returned unit (退房) reverses its deal: every line negated (commission, allocations, what fell
    due, an arbitration's rewards and remainder), except fines and penalties, which stand: they punished
    what was done, not the sale (decision 250). A fine that went into an arbitration's pot stays with
    the department pool (decision 382), so the reversal adds up to zero whenever the lines did."""
    kept = [line for line in lines if line.amount]
    undone = [
        LedgerLine(account=line.account, kind=line.kind, amount=-line.amount, note=note)
        for line in kept
        if line.kind not in STANDING_KINDS
    ]
    standing = sum((line.amount for line in kept if line.kind in STANDING_KINDS), ZERO)
    if standing:  # single-sided fines of an arbitration: their counterpart was the pot, now the pool's
        undone.append(LedgerLine(account=POOL, kind="fine", amount=-standing, note=note))
    return undone


def repricing(
    posted: Iterable[LedgerLine], split: InhouseSplit, commission: Decimal, note: str = "re-priced at signing"
) -> list[LedgerLine]:
    """A deal signed at another price than its subscription's (decision 380): every commission line
    posted so far is reversed and the commission of the contract price allocated anew by the same
    split. A fine stands once: it is neither reversed nor charged again. The lines add up to zero."""
    again = [line for line in accrual(split, commission) if line.kind != "fine"]
    return [*reversal(posted, note=note), *again]


def ruling_split(performance: Mapping[str, Fraction], shares: Mapping[str, Fraction]) -> InhouseSplit:
    """IH-16, C-7: a manager's ruling on a deal's commission. Any consultants' shares, each above zero,
    adding up to at most one; what is left goes to the department pool (decision 383). Performance
    stays as the deal was judged: the ruling is on the money."""
    if any(share <= 0 for share in shares.values()):
        raise _refused("shares", "每人的佣金比例须大于零", "each share is above zero")
    given = sum(shares.values(), Fraction(0))
    if given > 1:
        raise _refused("shares", "各人佣金比例合计不超过100%", "the shares add up to at most 100%")
    return InhouseSplit(
        performance=dict(performance),
        commission=dict(shares),
        pool=1 - given,
        fines={},
        points={},
        suspensions={},
        reasons=(),
    )


def departure(unpaid: Mapping[str, Decimal], staff: str, reason: str) -> list[LedgerLine]:
    """IH-13: a consultant dismissed for violations forfeits commission not yet paid to the pool;
    one laid off or properly resigned keeps it (paid on leaving: `settled_on_leaving`). Paid commission
    is not taken back (decision 251)."""
    amount = unpaid.get(staff, ZERO)
    if reason != DISMISSED or amount <= 0:
        return []
    return [
        LedgerLine(account=staff, kind="forfeit", amount=-amount),
        LedgerLine(account=POOL, kind="forfeit", amount=amount),
    ]


NOTICE_DAYS = 30  # IH-13: a proper resignation is given 30 days before leaving (S3 第十九条)
LAID_OFF, RESIGNED, DISMISSED = "laid_off", "resigned", "dismissed"


def proper_notice(notice_on: date | None, left_on: date) -> bool:
    """IH-13: a resignation is proper when notice was given at least 30 days before the day of leaving."""
    return notice_on is not None and (left_on - notice_on).days >= NOTICE_DAYS


def paid_on_leaving(reason: str, notice_on: date | None, left_on: date) -> bool:
    """IH-13: commission of signed deals is paid on leaving to one laid off or properly resigned. A
    resignation on shorter notice forfeits nothing (only dismissal does) but is not paid early either:
    its commission falls due by the plan's schedule, as if they had stayed (decision 473)."""
    return reason == LAID_OFF or (reason == RESIGNED and proper_notice(notice_on, left_on))


def notice_checked(notice_on: date | None, left_on: date) -> date | None:
    """A notice date as the departure form takes it: not after the day of leaving."""
    if notice_on is not None and notice_on > left_on:
        raise _refused(
            "notice_on", "提出辞职日期不能晚于离职日期", "the notice cannot be given after the day of leaving"
        )
    return notice_on


def settled_on_leaving(
    staff: str, not_yet_due: Mapping[str, Decimal], due: Decimal
) -> tuple[dict[str, list[LedgerLine]], list[LedgerLine]]:
    """IH-13 paid on leaving: on each signed deal (by its id) what was not yet due becomes due, then all
    that is due is paid. Two kinds of posting, each adding up to zero: one per deal, and the payout."""
    per_deal = {
        deal: [
            LedgerLine(account=staff, kind="accrued", amount=-amount, note="paid on leaving (IH-13)"),
            LedgerLine(account=staff, kind="due", amount=amount, note="paid on leaving (IH-13)"),
        ]
        for deal, amount in sorted(not_yet_due.items())
        if amount > 0
    }
    total = due + sum((amount for amount in not_yet_due.values() if amount > 0), ZERO)
    paid = [
        LedgerLine(account=staff, kind="due", amount=-total, note="paid on leaving (IH-13)"),
        LedgerLine(account=staff, kind="paid", amount=total, note="paid on leaving (IH-13)"),
    ]
    return per_deal, paid if total > 0 else []


def balance(lines: Iterable[LedgerLine]) -> Decimal:
    """What a posting adds up to: zero for every posting the engine makes (C-7)."""
    return sum((line.amount for line in lines), ZERO)


def by_account(lines: Iterable[LedgerLine], kinds: Sequence[str] | None = None) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        if kinds is None or line.kind in kinds:
            totals[line.account] = totals.get(line.account, ZERO) + line.amount
    return totals


# -- Section 6: penalties -------------------------------------------------------------------------

FINE_RANGE = (Decimal("50"), Decimal("300"))  # S3: fines of 50 to 300 yuan
POINTS_RANGE = (-20, 5)  # S3: -20 for a violation, +5 for a commendation
MAX_SUSPENSION_DAYS = 7  # a week in 制度, 3-6 days in 方法 第二十一条


# What each kind of penalty problem says next to its field, in Chinese and in English (section 6, Q-7).
PENALTY_SAID: Mapping[str, tuple[str, str]] = {
    "fine": (f"罚款金额为{FINE_RANGE[0]}至{FINE_RANGE[1]}元。", f"A fine is {FINE_RANGE[0]} to {FINE_RANGE[1]} yuan."),
    "fen": ("金额以元为单位，精确到分。", "An amount in yuan, to the fen."),
    "points": (
        f"考核分为{POINTS_RANGE[0]}至+{POINTS_RANGE[1]}。",
        f"Points go from {POINTS_RANGE[0]} to +{POINTS_RANGE[1]}.",
    ),
    "days": (f"停止接待最多{MAX_SUSPENSION_DAYS}天。", f"Up to {MAX_SUSPENSION_DAYS} days off the rotation."),
    "empty": ("请填写罚款、奖励、考核分或停止接待天数。", "Give a fine, a reward, points or days."),
    "evidence": ("请写明事实证据。", "Say what happened: the evidence."),
    "number": ("请填写数字。", "Enter a number."),
    "rule": ("请写明违反的规定或表扬事项。", "Name the rule broken or the deed commended."),
}


def penalty_problems(fine: Decimal, points: int, days: int) -> list[tuple[str, str]]:
    """What is wrong with a penalty (section 6), as (field, message); nothing when it can be recorded.
    A penalty is a fine, points or days of suspension, at least one of them (decision 252)."""
    problems: list[tuple[str, str]] = []
    if fine and not FINE_RANGE[0] <= fine <= FINE_RANGE[1]:
        problems.append(("fine", "fine"))
    if fine != fine.quantize(CENT):
        problems.append(("fine", "fen"))
    if not POINTS_RANGE[0] <= points <= POINTS_RANGE[1]:
        problems.append(("points", "points"))
    if not 0 <= days <= MAX_SUSPENSION_DAYS:
        problems.append(("days", "days"))
    if not fine and not points and not days:
        problems.append(("fine", "empty"))
    return problems


def penalty_lines(staff: str, fine: Decimal, reward: Decimal = ZERO) -> list[LedgerLine]:
    """A fine goes from the consultant into the department pool (C-5, C-7); a reward comes out of it."""
    lines: list[LedgerLine] = []
    if fine:
        lines += [
            LedgerLine(account=staff, kind="fine", amount=-fine),
            LedgerLine(account=POOL, kind="fine", amount=fine),
        ]
    if reward:
        lines += [
            LedgerLine(account=POOL, kind="reward", amount=-reward),
            LedgerLine(account=staff, kind="reward", amount=reward),
        ]
    return lines


def arbitration_from(data: Mapping[str, Any]) -> tuple[Arbitration, list[Decimal]]:
    """A manager's arbitration as shipped in examples/arbitrations (C-7): its balanced lines and the
    pot after each entry, as the manager would have counted it aloud."""
    entries = [(str(e["account"]), str(e["kind"]), Decimal(str(e["amount"]))) for e in data["entries"]]
    result = arbitrate(Decimal(str(data["commission"])), entries, remainder_to=str(data.get("remainder_to", POOL)))
    pot, steps = Decimal(0), []
    for line in result.lines[:-1]:
        pot -= line.amount
        steps.append(pot)
    return result, steps[1:]
