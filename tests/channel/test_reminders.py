"""Agents reminded before a registration's protection ends (D-11, decision 512): once per registration, on
their page and to their company's webhook, N days before (the project's `agent_reminder_days`, checked by
the engine). The clock is passed in (`now`), never slept on.

The cast of tests/api_cast.py (report_visit: a registration is protected 7 days until the visit): 李明 and
黄磊 of 安居分销, 周涛 of 好房分销.
"""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from api_cast import Cast, cast_make
from leadledger.api import webhooks
from leadledger.api.models import Delivery
from leadledger.channel import distributors, reminders, services
from leadledger.channel.models import AgentNotice
from leadledger.engine.policy import PolicyError, policy_from
from leadledger.ledger import models
from office import Office, _staff


@pytest.fixture
def cast(office: Office) -> Cast:
    return cast_make(office)


def _register(agent: models.Agent, phone: str, *, ago: timedelta) -> services.Answer:
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - ago):
        answer = services.registration_make(
            project=agent.project, agent=agent, user=agent.user, name="陈红", phone=phone
        )
    assert answer.accepted and answer.until is not None
    return answer


def test_an_agent_is_reminded_once_two_days_before_protection_ends(cast: Cast) -> None:
    project = cast.office.project
    ending = _register(cast.liming, "13900000011", ago=timedelta(days=6))  # 7 days' protection: 1 day left
    fresh = _register(cast.liming, "13900000022", ago=timedelta(0))  # 7 days left
    now = timezone.now()
    told = reminders.reminders_due(project, now)
    assert [(n.agent, n.registration_seq, n.until) for n in told] == [(cast.liming, ending.event.seq, ending.until)]  # type: ignore[union-attr]
    assert reminders.reminders_due(project, now + timedelta(minutes=10)) == []  # once, however often it runs
    later = reminders.reminders_due(project, now + timedelta(days=5, hours=1))  # the fresh one's turn
    assert [n.registration_seq for n in later] == [fresh.event.seq]  # type: ignore[union-attr]
    assert reminders.reminders_due(project, now + timedelta(days=5, hours=2)) == []
    assert AgentNotice.objects.count() == 2


def test_the_agent_reads_it_on_their_page_once_as_new(cast: Cast) -> None:
    _register(cast.liming, "13900000011", ago=timedelta(days=6))
    reminders.reminders_due(cast.office.project)
    client = Client()
    client.force_login(cast.liming.user)
    page = client.get("/p/hz-1/agent/").content.decode()
    reminder = page[page.index('id="reminders"') :]
    assert "到期提醒" in page and "陈红" in reminder and "请在此之前带看到访" in reminder and ">新<" in reminder
    assert AgentNotice.objects.get().read_at is not None
    again = client.get("/p/hz-1/agent/").content.decode()
    assert 'id="reminders"' in again and ">新<" not in again  # kept a week, no longer new
    other = Client()
    other.force_login(cast.zhoutao.user)
    assert 'id="reminders"' not in other.get("/p/hz-1/agent/").content.decode()  # nobody else's


def test_the_companys_webhook_is_told_once_with_no_customer_in_it(cast: Cast) -> None:
    hook = webhooks.webhook_create(distributor=cast.anju, url="https://crm.example.com/hook")
    ending = _register(cast.liming, "13900000011", ago=timedelta(days=6))
    _register(cast.zhoutao, "13900000033", ago=timedelta(days=6))  # 好房分销 has no webhook: a notice only
    before = set(Delivery.objects.values_list("pk", flat=True))
    assert len(reminders.reminders_due(cast.office.project)) == 2
    sent = Delivery.objects.exclude(pk__in=before)
    assert [d.webhook_id for d in sent] == [hook.pk]
    payload = json.loads(sent.get().payload)
    assert payload["event"] == "registration.reminder" and payload["registration"] == ending.event.seq  # type: ignore[union-attr]
    assert payload["agent"] == "李明" and payload["code"] and payload["until"]
    assert "13900000011" not in sent.get().payload and "陈红" not in sent.get().payload  # PIPL: no customer
    reminders.reminders_due(cast.office.project, timezone.now() + timedelta(minutes=1))
    assert Delivery.objects.exclude(pk__in=before).count() == 1


def test_the_window_is_the_projects_setting_and_the_engine_checks_it(cast: Cast) -> None:
    assert policy_from({}).agent_reminder_days == 2
    for bad in (-1, "2", 1.5, True, 3651):
        with pytest.raises(PolicyError):
            policy_from({"agent_reminder_days": bad})
    project = cast.office.project
    _register(cast.liming, "13900000011", ago=timedelta(days=4))  # 3 days left
    assert reminders.reminders_due(project) == []
    project.policy = {**project.policy, "agent_reminder_days": 3}
    project.save(update_fields=["policy"])
    assert len(reminders.reminders_due(project)) == 1
    project.policy = {**project.policy, "agent_reminder_days": 0}  # never
    project.save(update_fields=["policy"])
    _register(cast.liming, "13900000022", ago=timedelta(days=6, hours=12))
    assert reminders.reminders_due(project) == []


def test_a_switched_off_agent_is_not_reminded_and_the_sweep_covers_every_project(cast: Cast) -> None:
    qian = _staff(cast.office.project, "qian", "钱多", models.Staff.Role.CHANNEL_SPECIALIST)
    _register(cast.liming, "13900000011", ago=timedelta(days=6))
    _register(cast.zhoutao, "13900000033", ago=timedelta(days=6))
    distributors.agent_switch(agent=cast.liming, active=False, reason="已离职", confirmed=True, staff=qian)
    assert reminders.sweep() == 1
    assert list(AgentNotice.objects.values_list("agent", flat=True)) == [cast.zhoutao.pk]
