"""A project on a real database for the parallel verify tests: `setup`, `verify N`, `tamper`, or
`tamper-edges N` (at the edges of N workers' ranges).

The database comes from DATABASE_URL, as for the app itself; verify's workers are forked processes,
which see only what is committed, so this runs outside any test transaction.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

PAIRS = 12  # referrer and referred customers, each pair in two households


def setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for migrated
    from leadledger.ledger import models, relations, services
    from migrated import migrate

    migrate()
    project = models.Project.objects.create(code="ver", name="校验测试")
    alice, bob, carol = (models.Staff.objects.create(project=project, name=name) for name in ("王芳", "刘洋", "陈静"))
    zhao = models.Staff.objects.create(project=project, name="赵强", role="sales_manager")
    agent = models.Agent.objects.create(
        project=project, name="经纪人", distributor=models.Distributor.objects.create(project=project, name="链家")
    )
    moment = datetime(2026, 3, 1, 2, tzinfo=UTC)

    def append(kind: str, **body: object) -> None:
        nonlocal moment
        moment += timedelta(minutes=37)
        services.event_append(project=project, kind=kind, body={k: str(v) for k, v in body.items()}, at=moment)

    def customer(i: int) -> models.Customer:
        return services.customer_find_or_create(project=project, name=f"客户{i}", phone=f"1380000{i:04d}")[0]

    for i in range(PAIRS):
        # IH-8/IH-9: alice owns the referrer and logs the referral before the referred walks in to bob,
        # so the referred customer's verdict rests on the referrer's household.
        referrer, referred = customer(2 * i), customer(2 * i + 1)
        append("visit", customer=referrer.pk, staff=alice.pk)
        append("follow_up", customer=referrer.pk, staff=alice.pk)
        append("referral_logged", customer=referred.pk, referrer=referrer.pk, staff=alice.pk)
        append("visit", customer=referred.pk, staff=bob.pk)
    for i in range(100, 110):
        spouse_a, spouse_b = customer(i), customer(i + 50)
        relations.relation_create(project=project, a=spouse_a, b=spouse_b, kind="spouse", verified=True)
        append("escorted_visit", customer=spouse_a.pk, agent=agent.pk)
        append("visit", customer=spouse_a.pk, staff=carol.pk)
        append("visit", customer=spouse_b.pk, staff=bob.pk)
        append("renewal", customer=spouse_a.pk, staff=carol.pk, approved_by=zhao.pk)
        # the wife signs for the husband's unit: a deal filed under its buyer (IH-10, D-5)
        append("deal", customer=spouse_a.pk, buyer=spouse_b.pk, staff=carol.pk)
    append("staff_left", staff=carol.pk, reason="resigned")
    for i in range(200, 230):
        walk_in = customer(i)
        append("visit", customer=walk_in.pk, staff=(alice, bob)[i % 2].pk)
        if i % 3:
            append("follow_up", customer=walk_in.pk, staff=(alice, bob)[i % 2].pk)


def tamper() -> None:
    from django.db import connection

    from leadledger.ledger import models

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER ledger_event_no_update")
        else:
            cursor.execute("ALTER TABLE ledger_event DISABLE TRIGGER USER")
        cursor.execute("UPDATE ledger_event SET body = REPLACE(body, '\"staff\"', '\"staff\" ') WHERE seq IN (5, 40)")
        cursor.execute("UPDATE ledger_event SET body = 'not json' WHERE seq = 60")
    walk_in = models.Customer.objects.get(phone="+8613800000201")
    models.Verdict.objects.filter(customer=walk_in).update(status="void")
    print(walk_in.pk)


def tamper_edges(workers: int) -> None:
    """Delete the last event of the first worker's range; swap the two events across the next edge."""
    from django.db import connection

    from leadledger.ledger import models

    last = models.Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    first_edge, second_edge = (last * index // workers for index in (1, 2))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS ledger_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS ledger_event_no_delete")
        else:
            cursor.execute("ALTER TABLE ledger_event DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM ledger_event WHERE seq = %s", [first_edge])
        for seq, to in ((second_edge, -1), (second_edge + 1, second_edge), (-1, second_edge + 1)):
            cursor.execute("UPDATE ledger_event SET seq = %s WHERE seq = %s", [to, seq])
    print(json.dumps([first_edge, second_edge]))


def main() -> int:
    django.setup()
    from leadledger.ledger import models
    from leadledger.ledger.verify import verify

    if sys.argv[1] == "setup":
        setup()
        return 0
    if sys.argv[1] == "tamper":
        tamper()
        return 0
    if sys.argv[1] == "tamper-edges":
        tamper_edges(int(sys.argv[2]))
        return 0
    project = models.Project.objects.get(code="ver")
    if sys.argv[1] == "dies":  # one worker fails: verify must stop, not wait for its rows
        return _dies(project, how=sys.argv[2])
    problems: list[object] = []
    stages: list[tuple[str, int, int]] = []
    verify(project, problems.append, workers=int(sys.argv[2]), progress=lambda *said: stages.append(said))
    print(json.dumps([[p.where, p.en] for p in problems], ensure_ascii=False))  # type: ignore[attr-defined]
    print(json.dumps(stages), file=sys.stderr)
    return 0


def _dies(project: object, *, how: str) -> int:
    import os

    from leadledger.ledger import verify as module
    from leadledger.ledger.verify import scan as scanning

    scan = scanning.scan_range

    def dying(plan, index, **kwargs):  # type: ignore[no-untyped-def]
        if index == 1:  # before sending a single row to the others
            if how == "exit":
                os._exit(3)
            raise ValueError("a worker's own failure")
        return scan(plan, index, **kwargs)

    scanning.scan_range = dying
    try:
        module.verify(project, print, workers=3)  # type: ignore[arg-type]
    except RuntimeError as error:
        print(str(error).splitlines()[0])
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
