"""The holdings repeat each verdict's owners, status and moments, whoever writes the verdict (desk 0012).

"My customers" counts its tabs and pages through them from the holdings alone, so a holding that kept an
old status would put a customer in the wrong tab. The triggers are the database's, one set per vendor:
this file is in the suites rerun on PostgreSQL (tests/test_postgresql.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from leadledger.cli import main
from leadledger.desk.holdings import holding_problems
from leadledger.desk.models import Holding
from leadledger.ledger import models, services
from office import Office


def _out_of_step(office: Office) -> list[str]:
    """Every difference between the holdings and what the verdicts say (empty: in step)."""
    held = {
        (h.customer_id, h.staff): (h.project_id, h.status, h.until, h.judged_at, h.channel_until)
        for h in Holding.objects.all()
    }
    said = {
        (v.customer_id, staff): (v.project_id, v.status, v.until, v.judged_at, v.channel_until)
        for v in models.Verdict.objects.all()
        if isinstance(v.owners, dict)
        for staff in v.owners
    }
    return [
        f"{key}: held {held.get(key)}, verdict {said.get(key)}"
        for key in held.keys() | said.keys()
        if held.get(key) != said.get(key)
    ]


def _visit(office: Office, customer: models.Customer, staff: models.Staff, days_ago: float = 0) -> None:
    at = timezone.now() - timedelta(days=days_ago) if days_ago else None
    body = {"customer": str(customer.pk), "staff": str(staff.pk)}
    services.event_append(project=office.project, kind="visit", body=body, at=at)


def test_a_new_claim_is_held_with_its_status_and_deadline(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    holding = Holding.objects.get()
    assert (holding.staff, holding.status) == (str(office.alice.pk), "pending")
    assert holding.until is not None and holding.judged_at is not None and _out_of_step(office) == []


def test_a_follow_up_by_the_same_owner_moves_the_holding_in_place(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    before = Holding.objects.get()
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    services.event_append(project=office.project, kind="follow_up", body=body)
    after = Holding.objects.get()
    assert after.pk == before.pk  # the same owners: updated where it stands, not deleted and added again
    assert (before.status, after.status) == ("pending", "active") and after.until != before.until
    assert _out_of_step(office) == []


def test_time_alone_and_a_catch_up_move_the_holding_too(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=70)
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    services.event_append(project=office.project, kind="follow_up", body=body, at=timezone.now() - timedelta(days=69))
    assert Holding.objects.get().status == "active"  # valid until three days ago (IH-5), as judged then
    services.verdicts_catch_up(project=office.project, customer_ids=[office.zhang.pk])
    assert Holding.objects.get().status == "lapsed" and _out_of_step(office) == []


def test_a_ruling_a_rebuild_and_a_policy_change_keep_the_holdings_in_step(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    other, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="13900000002")
    _visit(office, other, office.bob, days_ago=2)
    ruling = {"customer": str(office.zhang.pk), "staff": str(office.bob.pk), "by": str(office.zhao.pk), "reason": "x"}
    services.event_append(project=office.project, kind="ruling", body=ruling)
    assert {h.staff for h in Holding.objects.all()} == {str(office.bob.pk)} and _out_of_step(office) == []
    services.policy_set(project=office.project, policy={"preset": "方法"}, user=office.zhao.user)
    services.verdicts_rebuild(project=office.project, now=timezone.now())
    assert _out_of_step(office) == []
    models.Verdict.objects.filter(customer=other).update(status="void", owners=None)
    assert not Holding.objects.filter(customer=other).exists()
    models.Verdict.objects.filter(customer=office.zhang).delete()
    assert not Holding.objects.exists() and _out_of_step(office) == []


def test_a_status_written_alone_reaches_the_holding(office: Office) -> None:
    # Whatever code writes a verdict's columns (a bulk update of a rebuild, a repair by hand), the trigger follows.
    _visit(office, office.zhang, office.alice)
    later = timezone.now() + timedelta(days=30)
    models.Verdict.objects.update(status="active", until=later, channel_until=later)
    holding = Holding.objects.get()
    assert (holding.status, holding.until, holding.channel_until) == ("active", later, later)
    assert _out_of_step(office) == []


def test_verify_finds_a_holding_edited_deleted_or_added_outside_the_ledger(
    office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    _visit(office, office.zhang, office.alice)
    others = [
        services.customer_find_or_create(project=office.project, name=f"客户{n}", phone=f"1390000010{n}")[0]
        for n in range(3)
    ]
    for customer in others:
        _visit(office, customer, office.bob)
    assert list(holding_problems(office.project)) == []
    assert main(["verify", "--project", office.project.code, "--lang", "en"]) == 0
    Holding.objects.filter(customer=office.zhang).update(status="lapsed")  # off Alice's "pending" tab
    Holding.objects.filter(customer=others[0]).delete()  # gone from Bob's page
    Holding.objects.filter(customer=others[1]).update(staff=str(office.alice.pk))  # moved to Alice's page
    found = [(p.where, p.en.split(":")[0]) for p in holding_problems(office.project)]
    assert found == [
        (f"customer {office.zhang.pk}", "a holding does not repeat its verdict (owner, status or dates)"),
        (f"customer {others[0].pk}", "its owner's holding is missing"),
        (f"customer {others[1].pk}", "a holding does not repeat its verdict (owner, status or dates)"),
    ]
    capsys.readouterr()
    assert main(["verify", "--project", office.project.code, "--lang", "en"]) == 1
    assert "3 problems" in capsys.readouterr().out


def test_verify_finds_a_holding_whose_customer_nobody_owns(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    other, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="13900000002")
    Holding.objects.create(project=office.project, staff=str(office.bob.pk), customer=other, status="active")
    assert [p.en.split(":")[0] for p in holding_problems(office.project)] == [
        "a holding names an owner the verdict does not"
    ]


def test_a_holding_repeated_is_found(office: Office) -> None:
    # "My customers" would count and list the customer twice; the unique constraint stops it unless dropped.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot drop a table's unique constraint: this runs in the PostgreSQL rerun")
    _visit(office, office.zhang, office.alice)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE desk_holding DROP CONSTRAINT holding_unique")
        cursor.execute(
            "INSERT INTO desk_holding (project_id, staff, customer_id, status, until, judged_at, channel_until)"
            " SELECT project_id, staff, customer_id, status, until, judged_at, channel_until FROM desk_holding"
        )
    assert Holding.objects.count() == 2
    assert [p.where for p in holding_problems(office.project)] == [f"customer {office.zhang.pk}"]


UNMIGRATED = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("migrate", "desk", "0011", verbosity=0)  # an upgrade installed, not yet migrated
from leadledger.ledger import models
models.Project.objects.create(code="p", name="p")
from leadledger.cli import main
print("rc", main(["verify", "--lang", "en"]))
"""


def test_verify_on_a_database_not_yet_migrated_says_so_instead_of_failing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
    }
    result = subprocess.run([sys.executable, "-c", UNMIGRATED], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0 and result.stdout.split() == ["rc", "2"], result.stderr[-1500:]
    assert "1 migration is not applied: run `leadledger migrate` first" in result.stderr
    assert "Traceback" not in result.stderr
