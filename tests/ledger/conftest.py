"""A project with its cast: Alice and Bob (consultants), Zhao (manager), and customer Zhang."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from leadledger.ledger import models, services


@dataclass
class Office:
    project: models.Project
    alice: models.Staff
    bob: models.Staff
    zhao: models.Staff
    zhang: models.Customer


@pytest.fixture
def office(db: None) -> Office:
    project = models.Project.objects.create(code="hz-1", name="杭州一期")
    alice = models.Staff.objects.create(project=project, name="王芳")
    bob = models.Staff.objects.create(project=project, name="刘洋")
    zhao = models.Staff.objects.create(project=project, name="赵强", role=models.Staff.Role.MANAGER)
    zhang, _ = services.customer_find_or_create(project=project, name="张伟", phone="138 0000 0001")
    return Office(project, alice, bob, zhao, zhang)
