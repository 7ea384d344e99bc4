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
    # test_agent_escort.py: a channel specialist, and 李明's registration of 刘洋 two hours ago (D-11's lead time).
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from leadledger.channel import services as channel_services
    from office import _staff

    _staff(office.project, "qian", "钱多", models.Staff.Role.CHANNEL_SPECIALIST)
    liming = models.Agent.objects.get(project=office.project, name="李明")
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(hours=2)):
        channel_services.registration_make(
            project=office.project, agent=liming, user=liming.user, name="刘洋", phone="13800000066"
        )
print(json.dumps({"site": site.pk, "alice": office.alice.pk, "zhang": office.zhang.pk}))
