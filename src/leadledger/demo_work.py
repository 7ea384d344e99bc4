"""The demo's work beyond the ledger: a building on sale with deals and money, a team's workbench, service.

A newcomer who runs `leadledger demo` should find every part of the app at work on day one, not empty
pages asking for set-up. Everything here goes through the services an office's people use (the rules
and the chains apply as they would at a desk), as those people, at the moment the demo is made.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .bench import collections, complaints
from .bench import services as bench
from .bench.models import CollectionEntry, Complaint, TeamKind
from .desk.models import Holding
from .engine import workreports
from .engine.duties import WEEKLY
from .engine.inhouse import ACTIVE
from .ledger import models
from .money import services as money
from .sales import services as sales
from .sales.models import Unit

# The project's commission plan: 0.3% of the price, 70% due at subscription, 30% on collection.
PLAN = {
    "bands": [{"up_to": None, "rate": "0.003"}],
    "schedule": [{"stage": "subscription", "share": "0.7"}, {"stage": "collection", "share": "0.3"}],
}
BUILDING, FLOORS, PER_FLOOR = "1号楼", range(2, 17), ("01", "02", "03", "04")
AREAS = {"01": Decimal("89.50"), "02": Decimal("118.20"), "03": Decimal("118.20"), "04": Decimal("143.60")}
PRICE_PER_M2 = Decimal("23800")  # yuan; a floor higher adds 1%
DEPOSITS, SIGNED = 12, 5  # units taken by the demo's consultants, and how many of them signed


def work_create(
    project: models.Project, staff: dict[str, models.Staff], consultants: list[models.Staff], rng: random.Random
) -> None:
    """Units, deals, money, a team's duties, logs and reports, a complaint and a collection entry, by the
    demo's cast (`staff` by username; `consultants` as demo.py casts them)."""
    manager = staff["manager"]
    _units_and_deals(project, manager, consultants, rng)
    _workbench(manager, consultants)
    _service(staff["reception"], consultants[0], rng)


def _units_and_deals(
    project: models.Project, manager: models.Staff, consultants: list[models.Staff], rng: random.Random
) -> None:
    money.set_plan(project, PLAN, manager.user)
    for floor in FLOORS:
        for number in PER_FLOOR:
            area = AREAS[number]
            price = (area * PRICE_PER_M2 * (1 + Decimal(floor - 2) / 100)).quantize(Decimal("1000"))
            sales.unit_list(
                by=manager,
                building=BUILDING,
                floor=floor,
                number=f"{floor}{number}",
                area=area,
                list_price=price,
                user=manager.user,
            )
    units = list(Unit.objects.filter(project=project).order_by("floor", "number"))
    taken = rng.sample(units, DEPOSITS)
    for i, unit in enumerate(taken):
        closer = consultants[i % len(consultants)]
        buyer = _active_customer(project, closer, rng)
        if buyer is None:
            continue
        deal = sales.unit_deposit(
            by=closer, unit_id=unit.pk, buyers=[buyer], price=unit.list_price, user=closer.user
        ).deal
        if i < SIGNED:
            sales.unit_sign(by=manager, unit_id=unit.pk, price=unit.list_price, user=manager.user)
            down = (unit.list_price * Decimal("0.3")).quantize(Decimal("0.01"))
            sales.deal_payment(
                by=manager,
                deal_seq=deal.seq,
                amount=down,
                received_on=timezone.localdate(),
                stage="",
                user=manager.user,
            )


def _active_customer(project: models.Project, consultant: models.Staff, rng: random.Random) -> int | None:
    """One of the consultant's customers in an active claim, with no deal yet (a buyer the desk would accept)."""
    held = Holding.objects.filter(project=project, staff=str(consultant.pk)).values("customer_id")
    sold = set(Unit.objects.filter(project=project).exclude(deal_seq=None).values_list("deal_seq", flat=True))
    candidates = list(
        models.Verdict.objects.filter(customer_id__in=held, status=ACTIVE)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)[:50]
    )
    bought = set(models.Event.objects.filter(project=project, seq__in=sold).values_list("customer_id", flat=True))
    free = [c for c in candidates if c not in bought]
    return rng.choice(free) if free else None


def _workbench(manager: models.Staff, consultants: list[models.Staff]) -> None:
    """The sales office's duties (篇5) for a team of the demo's consultants, a day's logs, a report to review."""
    duties = bench.presets_install(by=manager, kind=TeamKind.SALES_OFFICE)
    members = [c.pk for c in consultants]
    team = bench.team_create(by=manager, name="销售一组", kind=TeamKind.SALES_OFFICE, members=members)
    for duty in duties:  # assigned to the team as a manager does on the duty's page
        fields = {"name": duty.name, "cadence": duty.cadence, "target": duty.target, "n": duty.n}
        bench.duty_save(by=manager, duty=duty, fields={**fields, "counts": duty.counts, "teams": [team.pk]})
    now = timezone.now()
    for person, text in zip(
        consultants[:3],
        (
            "上午晨会后回访老客户8位，约了2位周末来看样板间；下午接待新客户3组。",
            "带看1号楼高区两组客户，一组有意向143平，明天再跟进。",
            "整理本周来访客户资料，给3位即将到期的客户打了回访电话。",
        ),
        strict=False,
    ):
        bench.log_write(staff=person, text=text, now=now)
    week = workreports.period_for(WEEKLY, "", timezone.localdate(now)).name
    bench.report_save(
        staff=consultants[0],
        period=week,
        parts={
            "results": "本周接待新客户9组，认购1套。",
            "problems": "高区客户对价格敏感，原因是周边新盘降价。",
            "plan": "下周回访意向客户，争取再认购1套。",
            "suggestions": "建议周末加开样板间讲解。",
        },
        submit=True,
        now=now,
    )


def _service(receptionist: models.Staff, consultant: models.Staff, rng: random.Random) -> None:
    """A complaint waiting for its answer (S-1) and the month's first collection lines (W-6)."""
    complaints.complaint_record(
        by=receptionist,
        fields={
            "name": "何先生",
            "channel": Complaint.Channel.PHONE,
            "kind": Complaint.Kind.HOUSE,
            "text": "样板间卫生间地漏返味，希望交房时不要有同样的问题。",
        },
        now=timezone.now() - timedelta(hours=rng.randint(2, 20)),
    )
    today = timezone.localdate()
    for figure, amount, note in (
        (CollectionEntry.Figure.BILLED, "120000", "首付款第二期"),
        (CollectionEntry.Figure.COLLECTED, "80000", "客户转账"),
        (CollectionEntry.Figure.CALL, "", "提醒下周付余款"),
    ):
        collections.entry_record(
            by=consultant,
            fields={"customer": "何先生", "figure": figure, "amount": amount, "day": today.isoformat(), "note": note},
        )
