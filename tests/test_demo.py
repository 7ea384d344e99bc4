"""`leadledger demo` makes a believable office once, through the same services the app uses."""

from __future__ import annotations

import pytest

from leadledger.cli import main
from leadledger.demo import demo_create, logins
from leadledger.ledger import models
from leadledger.ledger.verify import verify


@pytest.mark.django_db
def test_the_demo_creates_an_office_with_history_once_and_it_verifies() -> None:
    project, created = demo_create(customers=150, seed=7)
    assert created
    staff = models.Staff.objects.filter(project=project)
    assert staff.filter(role="consultant").count() == 6
    assert staff.filter(role="manager").count() == 1 and staff.filter(role="receptionist").count() == 1
    assert staff.filter(role="channel_specialist").count() == 1
    assert models.Agent.objects.filter(project=project).values("distributor").distinct().count() == 2
    assert models.Customer.objects.filter(project=project).count() == 150
    kinds = set(models.Event.objects.filter(project=project).values_list("kind", flat=True))
    assert {"visit", "follow_up", "escorted_visit"} <= kinds
    assert models.Verdict.objects.filter(project=project).count() == 150
    statuses = set(models.Verdict.objects.filter(project=project).values_list("status", flat=True))
    assert len(statuses) >= 3  # pending, active, lapsed or void: a believable spread
    problems: list[object] = []
    assert verify(project, problems.append) == 0
    again, created_again = demo_create(customers=150, seed=7)
    assert again == project and not created_again


@pytest.mark.django_db
def test_the_demo_command_without_serving_prints_the_logins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-serve", "--customers", "40"]) == 0
    out = capsys.readouterr().out
    for username, password, _ in logins():
        assert username in out and password in out
