"""Writing the money: plans, and the balanced postings from deals, payments, returns, penalties and departures.

Every rule is the engine's (engine/money.py, engine/splits.py); this module reads the rows it needs,
asks the engine for the lines, and appends them to the project's chain of money lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from leadledger.engine import money as rules
from leadledger.engine.errors import DomainError
from leadledger.engine.model import StaffLeft
from leadledger.engine.splits import CENT, InhouseSplit, LedgerLine
from leadledger.ledger import convert, logchain, selectors
from leadledger.ledger.models import Agent, Distributor, Event, Project, Staff

from . import models

AT_DEAL = (rules.SUBSCRIPTION, rules.SIGNING)  # decision 254: a recorded deal has been subscribed and signed


def plan_of(project: Project) -> rules.CommissionPlan | None:
    row = models.CommissionPlan.objects.filter(project=project).first()
    return rules.plan_from(row.plan) if row and row.plan else None


def set_plan(project: Project, data: Mapping[str, Any], user: Any = None) -> models.CommissionPlan:
    """Adopt a commission plan for the project once the engine has read it (raises rules.PlanError)."""
    stored = rules.plan_data(rules.plan_from(data))
    row, _ = models.CommissionPlan.objects.update_or_create(
        project=project, defaults={"plan": stored, "changed_at": timezone.now(), "changed_by": user}
    )
    return row


def post(
    project: Project, source: str, lines: Iterable[LedgerLine], event: Event | None = None
) -> list[models.MoneyLine]:
    """Append one posting; it must balance (C-7), or nothing is written."""
    lines = [line for line in lines if line.amount]
    if rules.balance(lines) != 0:
        raise ValueError(f"C-7: posting {source} does not balance")
    with transaction.atomic():
        return [
            logchain.chained_append(
                logchain.MONEY_LINES,
                project=project,
                event=event,
                source=source,
                account=line.account,
                kind=line.kind,
                amount=line.amount.quantize(CENT),
                note=line.note[:200],
                at=timezone.now(),
            )
            for line in lines
        ]


def _verdict(event: Event) -> Any:
    """The engine's answer on the deal at the deal's moment (C-1..C-7, D-5, D-6, IH-13, IH-14)."""
    assert event.customer_id is not None
    return selectors.timeline_for(event.project, [event.customer_id]).deal(f"e{event.seq}", as_of=event.at)


def _split(event: Event, verdict: Any = None) -> tuple[InhouseSplit, dict[str, Fraction]]:
    """The deal's split as the engine judges it at the deal's moment (C-1..C-7, IH-13, IH-14)."""
    verdict = verdict if verdict is not None else _verdict(event)
    split = InhouseSplit(
        performance=verdict.performance,
        commission=verdict.commission,
        pool=verdict.pool,
        fines=verdict.fines,
        points=verdict.points,
        suspensions=verdict.suspensions,
        reasons=(),
    )
    return split, verdict.performance


def _channel_amounts(
    project: Project, plan: rules.CommissionPlan, channel: Mapping[str, Fraction] | None, price: Decimal
) -> dict[str, Decimal]:
    """Each distributor's commission on the deal (C-6, decision 470), by its account: the engine's channel
    (agents and their shares) read as companies, priced by each company's contract in the plan."""
    if not channel:
        return {}
    agents = Agent.objects.filter(project=project, pk__in=[a for a in channel if str(a).isdigit()])
    firm_of = {str(agent.pk): str(agent.distributor_id) for agent in agents}
    firms = rules.firm_shares(channel, firm_of)
    names = dict(Distributor.objects.filter(project=project, pk__in=list(firms)).values_list("pk", "name"))
    by_name = {names[int(firm)]: share for firm, share in firms.items() if int(firm) in names}
    account = {name: rules.distributor_account(pk) for pk, name in names.items()}
    return {account[name]: amount for name, amount in rules.channel_commissions(plan, by_name, price).items()}


def _channel_lines(deal_event: Event) -> Any:
    """The money lines of a deal's distributors: their accounts, and the deal's line giving to them."""
    return models.MoneyLine.objects.filter(event=deal_event).filter(
        Q(account__startswith=rules.DISTRIBUTOR) | Q(account=rules.DEAL, kind=rules.CHANNEL)
    )


def _channel_posted(deal_event: Event) -> dict[str, Decimal]:
    """Each distributor's commission on the deal as its lines stand: allocations, less reversals."""
    totals: dict[str, Decimal] = {}
    lines = _channel_lines(deal_event).filter(kind="allocation").values_list("account", "amount")
    for account, amount in lines:
        totals[account] = totals.get(account, Decimal(0)) + amount
    return {k: v for k, v in totals.items() if v}


def _post_channel(deal: models.DealMoney, plan: rules.CommissionPlan, channel: Any) -> None:
    """C-6: the distributors' commission, allocated at the deal and falling due with the same trigger."""
    amounts = _channel_amounts(deal.project, plan, channel, deal.price)
    lines = rules.channel_accrual(amounts)
    if lines:
        post(deal.project, f"channel e{deal.deal.seq}", lines, deal.deal)


def _shares(deal: models.DealMoney) -> dict[str, Fraction]:
    return {k: Fraction(v) for k, v in json.loads(deal_shares(deal)).items()}


def deal_shares(deal: models.DealMoney) -> str:
    lines = models.MoneyLine.objects.filter(event=deal.deal, source=f"deal e{deal.deal.seq}", kind="allocation")
    totals: dict[str, Decimal] = {}
    for account, amount in lines.values_list("account", "amount"):
        totals[account] = totals.get(account, Decimal(0)) + amount
    # Shares as the allocation made them: exact enough to spread what falls due in the same proportions.
    whole = sum(totals.values(), Decimal(0)) or Decimal(1)
    return json.dumps({k: str(Fraction(v) / Fraction(whole)) for k, v in totals.items()})


@transaction.atomic
def post_deal(event: Event, price: Decimal | None = None) -> models.DealMoney | None:
    """Post a deal event's commission (C-7) once: priced by the project's plan, split by the engine.
    Nothing is posted without a plan or a price (the deal is posted when they are known)."""
    if models.DealMoney.objects.filter(deal=event).exists():
        return models.DealMoney.objects.get(deal=event)
    plan = plan_of(event.project)
    if price is None:
        raw = json.loads(event.body).get("price")
        price = Decimal(str(raw)) if raw is not None else None
    if plan is None or price is None:
        return None
    commission = rules.consultant_commission(plan, price)
    verdict = _verdict(event)
    split, performance = _split(event, verdict)
    deal = models.DealMoney.objects.create(
        deal=event,
        project=event.project,
        price=price,
        commission=commission,
        performance={k: str(v) for k, v in performance.items()},
    )
    post(event.project, f"deal e{event.seq}", rules.accrual(split, commission), event)
    _post_channel(deal, plan, verdict.channel)
    _fall_due(deal, plan)
    return deal


def _at_deal(deal: models.DealMoney) -> tuple[str, ...]:
    """The stages a deal has reached by itself: a deal taken on a unit in sales control has reached 认购
    at its deposit and 签约 only once signed (decision 381); any other deal event both (decision 254)."""
    from leadledger.sales.models import SaleLog  # sales writes through this module: read its log lazily

    kinds = set(SaleLog.objects.filter(project=deal.project, deal_seq=deal.deal.seq).values_list("kind", flat=True))
    if SaleLog.Kind.DEPOSIT not in kinds:
        return AT_DEAL
    return (rules.SUBSCRIPTION, rules.SIGNING) if SaleLog.Kind.SIGNING in kinds else (rules.SUBSCRIPTION,)


def _earned(deal: models.DealMoney, plan: rules.CommissionPlan, commission: Decimal | None = None) -> Decimal:
    payments = models.Payment.objects.filter(deal=deal.deal)
    collected = sum(payments.values_list("amount", flat=True), Decimal(0))
    reached = {*_at_deal(deal), *payments.exclude(stage="").values_list("stage", flat=True)}
    whole = deal.commission if commission is None else commission
    return rules.earned(plan, whole, deal.price, reached, collected)


def _fall_due(deal: models.DealMoney, plan: rules.CommissionPlan, source: str | None = None) -> None:
    """What has newly fallen due on the deal, for its consultants and pool, then for its distributors:
    the same trigger (C-6, C-7), each part counted from its own commission."""
    before = _due_so_far(deal)
    after = _earned(deal, plan)
    # a consultant paid on leaving (IH-13) had all of this deal made due then: nothing of it falls due again
    settled = set(
        models.MoneyLine.objects.filter(event=deal.deal, source__startswith="departure").values_list(
            "account", flat=True
        )
    )
    lines = [line for line in rules.falling_due(_shares(deal), before, after) if line.account not in settled]
    if lines:
        post(deal.project, source or f"deal e{deal.deal.seq}", lines, deal.deal)
    amounts = _channel_posted(deal.deal)
    if amounts:
        total = sum(amounts.values(), Decimal(0))
        then = -sum(_channel_lines(deal.deal).filter(kind="accrued").values_list("amount", flat=True), Decimal(0))
        now = _earned(deal, plan, total)
        lines = rules.falling_due(rules.channel_shares(amounts), then, now)
        if lines:  # a payment's own posting, else the distributors' posting of the deal (never the consultants')
            own = source if source and source.startswith("payment") else f"channel e{deal.deal.seq}"
            post(deal.project, own, lines, deal.deal)


def _due_so_far(deal: models.DealMoney) -> Decimal:
    """The cumulative amount that has fallen due on the deal's consultants' commission (the distributors'
    counted apart): what its due lines moved, payouts aside."""
    rows = (
        models.MoneyLine.objects.filter(event=deal.deal, kind="accrued")
        .exclude(account__startswith=rules.DISTRIBUTOR)
        .exclude(source__startswith="departure")
        .values_list("amount", flat=True)
    )
    return -sum(rows, Decimal(0))


@transaction.atomic
def deal_signed(deal_event: Event, price: Decimal) -> list[models.MoneyLine]:
    """The contract (签约) of a deal taken in sales control: 签约 is reached, and a contract price other
    than the subscription's re-prices the deal: every line of it is reversed and the deal posted anew
    at the contract price, so its lines balance to the commission of the price signed (decision 380)."""
    deal = models.DealMoney.objects.select_for_update().filter(deal=deal_event, returned=False).first()
    plan = plan_of(deal_event.project)
    if deal is None or plan is None:
        return []
    source = f"deal e{deal_event.seq}"
    written: list[models.MoneyLine] = []
    if price != deal.price:
        posted = [
            LedgerLine(account=row.account, kind=row.kind, amount=row.amount)
            for row in models.MoneyLine.objects.filter(event=deal_event, source=source).order_by("seq")
        ]
        # the split on the lines, the engine's or the manager's ruling (IH-16): re-pricing keeps it
        current = _shares(deal)
        split = rules.ruling_split({}, current) if current else _split(deal_event)[0]
        deal.price, deal.commission = price, rules.consultant_commission(plan, price)
        deal.save(update_fields=["price", "commission"])
        written += post(deal.project, source, rules.repricing(posted, split, deal.commission), deal_event)
        written += _reprice_channel(deal, plan)
    before = models.MoneyLine.objects.filter(project=deal.project).count()
    _fall_due(deal, plan, source)
    return written + list(models.MoneyLine.objects.filter(project=deal.project).order_by("seq")[before:])


def _reprice_channel(deal: models.DealMoney, plan: rules.CommissionPlan) -> list[models.MoneyLine]:
    """Decision 380 for the distributors: every line of theirs on the deal is reversed and their commission
    allocated anew at the contract price (what falls due is then posted again from nothing)."""
    posted = [
        LedgerLine(account=row.account, kind=row.kind, amount=row.amount)
        for row in _channel_lines(deal.deal).order_by("seq")
    ]
    if not posted:
        return []
    channel = _verdict(deal.deal).channel
    undone = rules.reversal(posted, note="re-priced at signing")
    lines = [*undone, *rules.channel_accrual(_channel_amounts(deal.project, plan, channel, deal.price))]
    return post(deal.project, f"channel e{deal.deal.seq}", lines, deal.deal)


@transaction.atomic
def deal_ruled(deal_event: Event, shares: Mapping[str, Fraction]) -> list[models.MoneyLine]:
    """IH-16: the manager rules the deal's commission otherwise: its posting is reversed and the commission
    allocated anew by the ruled shares (the rest to the pool), and what has fallen due follows them."""
    deal = models.DealMoney.objects.select_for_update().filter(deal=deal_event, returned=False).first()
    plan = plan_of(deal_event.project)
    split = rules.ruling_split({k: Fraction(v) for k, v in deal.performance.items()} if deal else {}, shares)
    if deal is None or plan is None:
        return []
    source = f"deal e{deal_event.seq}"
    posted = [
        LedgerLine(account=row.account, kind=row.kind, amount=row.amount)
        for row in models.MoneyLine.objects.filter(event=deal_event, source=source).order_by("seq")
    ]
    lines = rules.repricing(posted, split, deal.commission, note="ruled otherwise (IH-16)")
    written = post(deal.project, source, lines, deal_event)
    before = models.MoneyLine.objects.filter(project=deal.project).count()
    _fall_due(deal, plan, source)
    return written + list(models.MoneyLine.objects.filter(project=deal.project).order_by("seq")[before:])


def deal_money(deal_event: Event) -> models.DealMoney | None:
    return models.DealMoney.objects.filter(deal=deal_event).first()


@transaction.atomic
def record_payment(
    deal_event: Event, amount: Decimal, received_on: date, stage: str = "", user: Any = None
) -> models.Payment:
    """A payment received for a deal: what it makes due is posted at once (counted per payment)."""
    payment = models.Payment.objects.create(
        project=deal_event.project,
        deal=deal_event,
        amount=amount,
        received_on=received_on,
        stage=stage,
        recorded_by=user,
    )
    deal = models.DealMoney.objects.filter(deal=deal_event, returned=False).first()
    plan = plan_of(deal_event.project)
    if deal is not None and plan is not None:
        _fall_due(deal, plan, f"payment {payment.pk}")
    return payment


@transaction.atomic
def unit_returned(deal_event: Event) -> list[models.MoneyLine]:
    """A returned unit (退房) reverses the deal's commission and what fell due; fines stand (decision 250)."""
    deal = models.DealMoney.objects.select_for_update().get(deal=deal_event)
    if deal.returned:
        return []
    posted = [
        LedgerLine(account=row.account, kind=row.kind, amount=row.amount)
        for row in models.MoneyLine.objects.filter(event=deal_event).order_by("seq")
    ]
    deal.returned = True
    deal.save(update_fields=["returned"])
    return post(deal.project, f"return e{deal_event.seq}", rules.reversal(posted), deal_event)


class PenaltyRefused(DomainError):
    """A penalty that cannot be recorded: each problem as (field, kind of problem, rules.PENALTY_SAID's key).
    Its message is the first problem's, shown next to that field; `said` gives every field its sentence."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        field, kind = problems[0]
        super().__init__(*rules.PENALTY_SAID[kind], field=field)
        self.problems = problems

    def said(self, lang: str = "zh") -> dict[str, str]:
        """Field -> the sentence shown next to it (the first problem of each field), in `lang`."""
        said: dict[str, str] = {}
        for field, kind in self.problems:
            zh, en = rules.PENALTY_SAID[kind]
            said.setdefault(field, zh if lang.startswith("zh") else en)
        return said


def penalty_problems(*, fine: Decimal, points: int, days: int, reward: Decimal, evidence: str) -> list[tuple[str, str]]:
    """What stops a penalty being recorded, as (field, kind): the engine's ranges (section 6), and the evidence."""
    problems = [p for p in rules.penalty_problems(fine, points, days) if not (reward and p[1] == "empty")]
    if not evidence.strip():
        problems.append(("evidence", "evidence"))
    return problems


@transaction.atomic
def record_penalty(
    *,
    staff: Staff,
    manager: Staff,
    rule: str,
    evidence: str,
    fine: Decimal = Decimal(0),
    points: int = 0,
    days: int = 0,
    reward: Decimal = Decimal(0),
    deal: Event | None = None,
) -> models.Penalty:
    """A penalty (section 6) with its rule, the manager and the evidence; the fine goes to the pool,
    a reward comes out of it, and days of suspension take the consultant off the rotation (Q-7)."""
    problems = penalty_problems(fine=fine, points=points, days=days, reward=reward, evidence=evidence)
    if problems:
        raise PenaltyRefused(problems)
    penalty = models.Penalty.objects.create(
        project=staff.project,
        staff=staff,
        manager=manager,
        rule=rule,
        evidence=evidence,
        fine=fine,
        points=points,
        days=days,
        reward=reward,
        deal=deal,
    )
    post(staff.project, f"penalty {penalty.pk}", rules.penalty_lines(str(staff.pk), fine, reward), deal)
    if days:
        from leadledger.desk.models import Suspension

        Suspension.objects.create(
            project=staff.project,
            staff=staff,
            by=manager,
            reason=f"{rule}：{evidence}"[:200],
            until=timezone.now() + timedelta(days=days),
        )
    return penalty


def unpaid(project: Project, staff: Staff) -> Decimal:
    """What a consultant has been allocated and not yet been paid (accrued and due)."""
    rows = models.MoneyLine.objects.filter(
        project=project, account=str(staff.pk), kind__in=("allocation", "accrued", "due")
    )
    return sum(rows.values_list("amount", flat=True), Decimal(0))


def _signed_deals(project: Project) -> list[models.DealMoney]:
    return [
        deal
        for deal in models.DealMoney.objects.filter(project=project, returned=False)
        if rules.SIGNING in _at_deal(deal)
    ]


def _not_yet_due_on_signed(project: Project, staff: Staff) -> dict[models.DealMoney, Decimal]:
    """What each signed deal has allocated to the consultant and not yet made due (IH-13)."""
    found: dict[models.DealMoney, Decimal] = {}
    for deal in _signed_deals(project):
        rows = models.MoneyLine.objects.filter(
            event=deal.deal, account=str(staff.pk), kind__in=("allocation", "accrued")
        )
        amount = sum(rows.values_list("amount", flat=True), Decimal(0))
        if amount > 0:
            found[deal] = amount
    return found


def leaving_settlement(leaver: Staff, reason: str, notice_on: date | None, left_on: date) -> tuple[str, Decimal]:
    """What leaving does to a consultant's commission (IH-13), said on the departure's confirmation:
    ("paid", amount paid on leaving), ("forfeited", amount to the pool) or ("kept", amount that falls
    due by the plan's schedule: a resignation on short notice, decision 473)."""
    project = leaver.project
    if reason == rules.DISMISSED:
        return "forfeited", max(unpaid(project, leaver), Decimal(0))
    if rules.paid_on_leaving(reason, notice_on, left_on):
        early = sum(_not_yet_due_on_signed(project, leaver).values(), Decimal(0))
        return "paid", max(early + due_to(project, str(leaver.pk)), Decimal(0))
    return "kept", max(unpaid(project, leaver), Decimal(0))


@transaction.atomic
def post_departure(event: Event) -> list[models.MoneyLine]:
    """IH-13 at a departure event: a dismissed consultant's unpaid commission is forfeited to the pool; one
    laid off or properly resigned is paid on leaving what signed deals allocated them and what is due."""
    left = convert.stored(event, StaffLeft)
    staff = Staff.objects.get(project=event.project, pk=int(left.staff))
    source = f"departure e{event.seq}"
    notice_on = date.fromisoformat(left.notice_on) if left.notice_on else None
    left_on = timezone.localtime(event.at).date()
    if rules.paid_on_leaving(left.reason, notice_on, left_on):
        owed = _not_yet_due_on_signed(event.project, staff)
        deals = {f"e{deal.deal.seq}": deal for deal in owed}
        amounts = {f"e{deal.deal.seq}": amount for deal, amount in owed.items()}
        per_deal, payout_lines = rules.settled_on_leaving(str(staff.pk), amounts, due_to(event.project, str(staff.pk)))
        written: list[models.MoneyLine] = []
        for seq, lines in per_deal.items():
            written += post(event.project, source, lines, deals[seq].deal)
        return written + (post(event.project, source, payout_lines, event) if payout_lines else [])
    lines = rules.departure({str(staff.pk): unpaid(event.project, staff)}, str(staff.pk), left.reason)
    return post(event.project, source, lines, event) if lines else []


def pay_out(staff: Staff, amount: Decimal) -> list[models.MoneyLine]:
    """Commission paid to a consultant (from what is due to them)."""
    return post(staff.project, f"payout {staff.pk}", rules.payout(str(staff.pk), amount))


def due_to(project: Project, account: str) -> Decimal:
    """What has fallen due to an account and not been paid (due lines less payouts)."""
    rows = models.MoneyLine.objects.filter(project=project, account=account, kind="due")
    return sum(rows.values_list("amount", flat=True), Decimal(0))


@transaction.atomic
def pay_distributor(distributor: Distributor, typed: Any) -> list[models.MoneyLine]:
    """Commission paid to a distributor (C-6): from what is due to it, never more (decision 471)."""
    try:
        amount = Decimal(str(typed).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise rules.PlanError("请填写金额（元）", "enter an amount in yuan", field="amount") from None
    account = rules.distributor_account(distributor.pk)
    project = distributor.project
    models.MoneyLine.objects.select_for_update().filter(project=project, account=account).exists()
    lines = rules.payout_checked(account, due_to(project, account), amount)
    return post(project, f"payout {account}", lines)
