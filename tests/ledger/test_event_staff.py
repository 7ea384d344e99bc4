"""Each event row names the staff member it is by, from its type's declaration; work is counted from it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from leadledger.engine import model
from leadledger.ledger import models, selectors, services
from office import Office


def _by(office: Office) -> dict[str, int | None]:
    return dict(models.Event.objects.filter(project=office.project).values_list("kind", "staff_id"))


def test_a_live_event_records_who_it_is_by(office: Office) -> None:
    zhang = str(office.zhang.pk)
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    services.event_append(
        project=office.project,
        kind=model.RENEWAL,
        body={"customer": zhang, "staff": str(office.alice.pk), "approved_by": str(office.zhao.pk)},
    )
    services.event_append(
        project=office.project,
        kind=model.RULING,
        body={"customer": zhang, "staff": str(office.bob.pk), "by": str(office.zhao.pk), "reason": "IH-16"},
    )
    services.event_append(
        project=office.project, kind=model.STAFF_LEFT, body={"staff": str(office.bob.pk), "reason": "resigned"}
    )
    assert _by(office) == {
        model.VISIT: office.alice.pk,  # who received the visit
        model.RENEWAL: office.alice.pk,  # who asked for it, not the manager who approved it
        model.RULING: office.zhao.pk,  # the manager who ruled, not the consultant ruled for
        model.STAFF_LEFT: None,  # who left acts in nothing; the recorder is the actor
    }


def test_an_import_records_who_each_event_is_by(office: Office) -> None:
    now = timezone.now()
    zhang = str(office.zhang.pk)
    agent = models.Agent.objects.create(
        project=office.project,
        name="钱多多",
        distributor=models.Distributor.objects.create(project=office.project, name="链家"),
    )
    services.events_import(
        project=office.project,
        records=[
            (model.ESCORTED_VISIT, {"customer": zhang, "agent": str(agent.pk)}, now - timedelta(hours=2)),
            (model.CALL, {"customer": zhang, "staff": str(office.bob.pk)}, now - timedelta(hours=1)),
        ],
    )
    assert _by(office) == {model.ESCORTED_VISIT: None, model.CALL: office.bob.pk}


def test_work_is_counted_per_person_by_kind_in_a_period(office: Office) -> None:
    now = timezone.now()
    zhang = str(office.zhang.pk)
    alice, bob = str(office.alice.pk), str(office.bob.pk)
    services.events_import(
        project=office.project,
        records=[
            (model.VISIT, {"customer": zhang, "staff": alice}, now - timedelta(days=40)),  # before the period
            (model.FOLLOW_UP, {"customer": zhang, "staff": alice}, now - timedelta(days=20)),
            (model.FOLLOW_UP, {"customer": zhang, "staff": alice}, now - timedelta(days=10)),
            (model.CALL, {"customer": zhang, "staff": alice}, now - timedelta(days=5)),
            (model.CALL, {"customer": zhang, "staff": bob}, now - timedelta(days=5)),  # someone else's work
        ],
    )
    start, end = now - timedelta(days=30), now
    assert selectors.staff_work(office.project, office.alice, start, end) == {model.FOLLOW_UP: 2, model.CALL: 1}
    assert selectors.staff_work(office.project, office.bob, start, end) == {model.CALL: 1}
    assert selectors.staff_work(office.project, office.zhao, start, end) == {}


FILL = """
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from leadledger.ledger.chain import GENESIS, canonical, chain_hash
from django.utils import timezone

before = [("ledger", "0008_policy_change")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
project = apps.get_model("ledger", "Project").objects.create(code="old", name="老项目")
alice = apps.get_model("ledger", "Staff").objects.create(project=project, name="王芳")
zhao = apps.get_model("ledger", "Staff").objects.create(project=project, name="赵强", role="manager")
customer = apps.get_model("ledger", "Customer").objects.create(project=project, name="张伟")
Event = apps.get_model("ledger", "Event")
prev, now = GENESIS, timezone.now()
bodies = [
    ("visit", {"customer": str(customer.pk), "staff": str(alice.pk)}),
    ("ruling", {"customer": str(customer.pk), "staff": None, "by": str(zhao.pk), "reason": "x"}),
    ("staff_left", {"staff": str(alice.pk), "reason": "resigned"}),
]
for seq, (kind, body) in enumerate(bodies, 1):
    text = canonical(body)
    digest = chain_hash(prev, seq, now, kind, text)
    filed = customer if "customer" in body else None
    Event.objects.create(
        project=project, seq=seq, kind=kind, at=now, customer=filed, body=text, prev_hash=prev, hash=digest
    )
    prev = digest
hashes = list(Event.objects.order_by("seq").values_list("hash", flat=True))
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leadledger.ledger.models import Event as Current, Staff
names = dict(Staff.objects.values_list("pk", "name"))
rows = list(Current.objects.order_by("seq").values_list("staff_id", "hash"))
assert [h for _s, h in rows] == hashes, "hashes changed"
print(" ".join(names.get(s, "-") for s, _h in rows))
try:
    Current.objects.filter(seq=1).update(kind="call")
except Exception:
    print("still append-only")
"""


@pytest.mark.own_database
def test_the_migration_fills_who_existing_events_are_by_without_touching_hashes(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", FILL], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["王芳", "赵强", "-", "still", "append-only"]
