"""The workbench's cast: Zhao leads the key-account team of Alice (王芳); Bob (刘洋) is in no team of his.

Alice owns Zhang (first seen two days ago) and Li (first seen three days ago); the key-account team's
shipped duties (篇1) are installed and assigned to the team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from leadledger.bench import services
from leadledger.bench.models import DutyTemplate, Team
from leadledger.ledger import models
from leadledger.ledger import services as ledger_services
from office import Office


@dataclass
class Workbench:
    office: Office
    team: Team
    li: models.Customer

    def duty(self, counts: str) -> DutyTemplate:
        return DutyTemplate.objects.get(project=self.office.project, team_kind="key_account", counts=counts)


def workbench_create(office: Office, now: datetime | None = None) -> Workbench:
    now = now or timezone.now()
    li, _ = ledger_services.customer_find_or_create(project=office.project, name="李娜", phone="139 0000 0002")
    for customer, days in ((office.zhang, 2), (li, 3)):
        body = {"customer": str(customer.pk), "staff": str(office.alice.pk)}
        ledger_services.event_append(project=office.project, kind="visit", body=body, at=now - timedelta(days=days))
    services.presets_install(by=office.zhao, kind="key_account")
    team = services.team_create(by=office.zhao, name="大客户一组", kind="key_account", members=[office.alice.pk])
    for duty in DutyTemplate.objects.filter(project=office.project, team_kind="key_account"):
        duty.teams.add(team)
    return Workbench(office=office, team=team, li=li)


def call(office: Office, customer: models.Customer, staff: models.Staff, at: datetime | None = None) -> None:
    body = {"customer": str(customer.pk), "staff": str(staff.pk)}
    ledger_services.event_append(project=office.project, kind="call", body=body, at=at)
