"""Prepare a fresh database for a browser test (run in its own process): the office, a site, Zhang's visit."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
from migrated import migrate  # noqa: E402

migrate()

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
if os.environ.get("LEADLEDGER_STAGE_CASES"):  # test_channel_cases.py: a spouse who bought, a channel manager
    from leadledger.channel import codes
    from leadledger.engine.model import DEAL, body_for

    _staff(office.project, "sunhong", "孙红", models.Staff.Role.CHANNEL_MANAGER)
    qian = models.Staff.objects.get(project=office.project, name="钱多")
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(hours=2)):
        answer = channel_services.registration_make(
            project=office.project, agent=liming, user=liming.user, name="陈红", phone="13900000011"
        )
    code = codes.escort_code(office.project, answer.event.seq)
    channel_services.escort_confirm(project=office.project, staff=qian, user=qian.user, code=code, phone="13900000011")
    husband, _ = services.customer_find_or_create(project=office.project, name="王强", phone="+8613900000022")
    deal = body_for(DEAL, customer=str(husband.pk), buyer=str(husband.pk), staff=str(office.alice.pk))
    services.event_append(project=office.project, kind=DEAL, body=deal, actor=office.zhao.user)
print(json.dumps({"site": site.pk, "alice": office.alice.pk, "zhang": office.zhang.pk}))
