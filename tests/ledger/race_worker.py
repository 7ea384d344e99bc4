"""A desk in its own process, for the race test: `setup`, `work STAFF SEED`, or `check`.

The database comes from DATABASE_URL, as for the app itself.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import django

PHONES = [f"1390000{i:04d}" for i in range(200)]  # the contested new customers


def main() -> int:
    django.setup()
    from leadledger.ledger import models, services
    from leadledger.ledger.verify import verify

    mode = sys.argv[1]
    if mode == "setup":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for migrated
        from migrated import migrate

        migrate()
        project = models.Project.objects.create(code="race", name="抢客测试")
        desks = [models.Staff.objects.create(project=project, name=f"顾问{i}").pk for i in range(4)]
        print(json.dumps(desks))
        return 0
    project = models.Project.objects.get(code="race")
    if mode == "work":
        staff = models.Staff.objects.get(pk=int(sys.argv[2]))
        phones = list(PHONES)
        random.Random(int(sys.argv[3])).shuffle(phones)
        failures = 0
        for phone in phones:
            try:
                customer, _ = services.customer_find_or_create(project=project, name="客户", phone=phone)
                services.visit_register(project=project, customer=customer, staff=staff)
            except Exception as error:  # every failure is counted: none is acceptable
                failures += 1
                print(f"{type(error).__name__}: {error}", file=sys.stderr)
        print(json.dumps({"failures": failures}))
        return 0
    # check: one customer per phone; each owned by exactly the desk of its first registered visit
    customers = models.Customer.objects.filter(project=project)
    owners_wrong = 0
    for customer in customers:
        first = models.Event.objects.filter(project=project, customer=customer).order_by("seq").first()
        owner = json.loads(first.body)["staff"] if first else None
        if models.Verdict.objects.get(customer=customer).owners != {owner: "1"}:
            owners_wrong += 1
    problems: list[object] = []
    verify(project, problems.append)
    print(
        json.dumps(
            {
                "customers": customers.count(),
                "events": models.Event.objects.filter(project=project).count(),
                "owners_wrong": owners_wrong,
                "problems": len(problems),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
