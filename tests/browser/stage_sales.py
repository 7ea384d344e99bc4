"""Prepare a fresh database for the sales-control browser test: the office, a commission plan, a building of
units, Zhang (Alice's customer) and Li Na (Bob's)."""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from migrated import migrate  # noqa: E402

migrate()

from leadledger.ledger import models, services  # noqa: E402
from leadledger.money import services as money  # noqa: E402
from leadledger.sales import services as sales  # noqa: E402
from office import office_create  # noqa: E402

office = office_create()
models.Site.objects.create(project=office.project, name="市区展厅")
services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
li = services.customer_find_or_create(project=office.project, name="李娜", phone="139 0000 0002")[0]
services.visit_register(project=office.project, customer=li, staff=office.bob)
money.set_plan(office.project, {"bands": [{"up_to": None, "rate": "0.003"}]})
units = [
    sales.unit_list(
        by=office.zhao,
        building="3栋",
        floor=floor,
        number=f"{floor}0{door}",
        area=Decimal("89.50"),
        list_price=Decimal("1000000"),
        user=None,
    ).pk
    for floor in (12, 11)
    for door in (1, 2)
]
print(
    json.dumps({"units": units, "zhang": office.zhang.pk, "li": li.pk, "alice": office.alice.pk, "bob": office.bob.pk})
)
