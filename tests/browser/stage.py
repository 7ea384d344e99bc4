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
print(json.dumps({"site": site.pk, "alice": office.alice.pk, "zhang": office.zhang.pk}))
