"""`leadledger verify` on the holdings: each is what its verdict says, and no verdict's owner lacks one.

The holdings are derived from the verdicts by the database's triggers (desk migrations 0010, 0012) and
"my customers" reads its tabs from them alone (docs/decisions.md 545): a holding edited, deleted or
added by hand, or triggers dropped (a table remade on SQLite drops them without a word), would show a
consultant the wrong customers while every verdict still verifies. Both tables are read once, in
customer order, and compared as they stream.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from leadledger.ledger import models
from leadledger.ledger.verify import Problem

from .models import Holding

CHUNK = 10_000
# What a holding repeats of its verdict: (staff, status, until, judged_at, channel_until).
Held = tuple[str, str, datetime | None, datetime | None, datetime | None]


def _expected(project: models.Project) -> Iterator[tuple[int, Counter[Held]]]:
    found = models.Verdict.objects.filter(project=project, owners__isnull=False).order_by("customer_id")
    rows = found.values_list("customer_id", "owners", "status", "until", "judged_at", "channel_until")
    for customer, owners, *columns in rows.iterator(chunk_size=CHUNK):
        if isinstance(owners, dict) and owners:
            yield customer, Counter((str(staff), *columns) for staff in owners)  # type: ignore[misc]


def _stored(project: models.Project) -> Iterator[tuple[int, Counter[Held]]]:
    # Counted, not a set: a holding repeated (its unique constraint dropped) lists the customer twice.
    found = Holding.objects.filter(project=project).order_by("customer_id")
    rows = found.values_list("customer_id", "staff", "status", "until", "judged_at", "channel_until")
    for customer, group in groupby(rows.iterator(chunk_size=CHUNK), key=lambda row: row[0]):
        yield customer, Counter(row[1:] for row in group)  # type: ignore[misc]


def _said(customer: int, expected: Counter[Held], stored: Counter[Held]) -> Problem:
    if not stored:
        return Problem(
            f"customer {customer}",
            "its owner's holding is missing: the owner's page does not list the customer",
            "归属人的持有记录缺失：归属人的“我的客户”里看不到这位客户",
        )
    if not expected:
        return Problem(
            f"customer {customer}",
            "a holding names an owner the verdict does not: the customer shows on the wrong person's page",
            "持有记录中的归属人与归属结论不符：客户出现在别人的“我的客户”里",
        )
    return Problem(
        f"customer {customer}",
        "a holding does not repeat its verdict (owner, status or dates): edited outside the ledger",
        "持有记录与归属结论（归属人、状态或日期）不符：在系统之外被改动",
    )


def holding_problems(project: models.Project) -> Iterator[Problem]:
    """Every customer whose holdings differ from what their stored verdict says, in customer order."""
    expected, stored = _expected(project), _stored(project)
    want: tuple[int, Counter[Any]] | None = next(expected, None)
    have: tuple[int, Counter[Any]] | None = next(stored, None)
    while want is not None or have is not None:
        if have is None or (want is not None and want[0] < have[0]):
            assert want is not None
            yield _said(want[0], want[1], Counter())
            want = next(expected, None)
        elif want is None or have[0] < want[0]:
            yield _said(have[0], Counter(), have[1])
            have = next(stored, None)
        else:
            if want[1] != have[1]:
                yield _said(want[0], want[1], have[1])
            want, have = next(expected, None), next(stored, None)
