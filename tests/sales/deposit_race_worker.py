"""One consultant in its own process, for tests/sales/test_deposit_race.py: set up, or take deposits on every unit."""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from leadledger.engine.errors import DomainError  # noqa: E402
from leadledger.ledger import models  # noqa: E402
from leadledger.sales import services  # noqa: E402
from migrated import migrate  # noqa: E402

if sys.argv[1] == "setup":
    migrate()
    from office import office_create

    office = office_create()
    units = [
        services.unit_list(
            by=office.zhao,
            building="1栋",
            floor=1 + i // 4,
            number=f"{i:04d}",
            area=Decimal(90),
            list_price=Decimal(1_000_000),
            user=None,
        ).pk
        for i in range(int(sys.argv[2]))
    ]
    print(json.dumps({"units": units, "customer": office.zhang.pk}))
    sys.exit(0)

consultant = models.Staff.objects.get(user__username=sys.argv[1])
customer = int(sys.argv[2])
won, lost, failures = [], 0, 0
for unit in json.loads(sys.argv[3]):
    try:
        services.unit_deposit(by=consultant, unit_id=unit, buyers=[customer], price=1_000_000, user=None)
        won.append(unit)
    except DomainError:
        lost += 1  # the unit was taken first: the answer the rule wants
    except Exception as error:  # anything else ("database is locked", a deadlock) is a failure
        failures += 1
        print(repr(error), file=sys.stderr)
print(json.dumps({"won": won, "lost": lost, "failures": failures}))
