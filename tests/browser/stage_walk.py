"""Prepare a fresh database for the walks (tests/browser/test_walks.py), in its own process: the office, a
site, Zhang's visit (Wang Fang's, a renewal asked and a dispute raised), Li Na's (Liu Yang's), an agent."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from migrated import migrate  # noqa: E402

migrate()

from django.contrib.auth import get_user_model  # noqa: E402

from leadledger.desk import services as desk  # noqa: E402
from leadledger.ledger import models, services  # noqa: E402
from office import PASSWORD, office_create  # noqa: E402

office = office_create()
site = models.Site.objects.create(project=office.project, name="市区展厅")
services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
li = services.customer_find_or_create(project=office.project, name="李娜", phone="139 0000 0002")[0]
services.visit_register(project=office.project, customer=li, staff=office.bob)
desk.renewal_ask(staff=office.alice, customer=office.zhang, reason="客户下周带家人再来")
desk.dispute_raise(staff=office.bob, customer=office.zhang, reason="3月3日由我首次接待")
user = get_user_model().objects.create_user(username="liming", password=PASSWORD, first_name="李明")
firm = models.Distributor.objects.create(project=office.project, name="安居分销")
models.Agent.objects.create(project=office.project, name="李明", distributor=firm, user=user)
print(json.dumps({"site": site.pk, "zhang": office.zhang.pk, "li": li.pk}))
