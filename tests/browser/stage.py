"""Prepare a fresh database for a browser test (run in its own process): the office, a site, Zhang's visit."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from django.core.management import call_command  # noqa: E402

call_command("migrate", interactive=False, verbosity=0)

from leadledger.ledger import models, services  # noqa: E402
from office import office_create  # noqa: E402

office = office_create()
site = models.Site.objects.create(project=office.project, name="市区展厅")
services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
if os.environ.get("LEADLEDGER_STAGE_AGENTS"):  # tests/browser/test_agent_register.py: two firms' agents
    from django.contrib.auth import get_user_model

    from office import PASSWORD

    office.project.policy = {"protection_scheme": "report_visit"}  # a registration protects (D-11)
    office.project.save(update_fields=["policy"])
    for username, name, firm in (("liming", "李明", "安居分销"), ("zhoutao", "周涛", "好房分销")):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=name)
        distributor, _ = models.Distributor.objects.get_or_create(project=office.project, name=firm)
        models.Agent.objects.create(project=office.project, name=name, distributor=distributor, user=user)
print(json.dumps({"site": site.pk, "alice": office.alice.pk, "zhang": office.zhang.pk}))
