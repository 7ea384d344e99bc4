"""Data migrations fill what they add for the customers already there (on a fresh database of each kind)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

before = [("ledger", "0005_event_kind_index")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
project = apps.get_model("ledger", "Project").objects.create(code="old", name="老项目")
apps.get_model("ledger", "Customer").objects.create(project=project, name="张伟", phone="+8613800005678")
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leadledger.ledger.models import Customer
customer = Customer.objects.get(project__code="old")
print(customer.pinyin, customer.initials, customer.phone_tail)
"""


@pytest.mark.own_database
def test_migrations_fill_spellings_and_phone_tails(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["zhangwei", "zw", "5678"]


DISTRIBUTORS = """
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

before = [("ledger", "0010_events_event_staff_fill")]
executor = MigrationExecutor(connection)
executor.migrate(before)
apps = executor.loader.project_state(before).apps
Project, Agent = apps.get_model("ledger", "Project"), apps.get_model("ledger", "Agent")
for code in ("a", "b"):
    project = Project.objects.create(code=code, name=code)
    for name, distributor in (("小马", "链家"), ("小牛", "链家"), ("小羊", "我爱我家")):
        Agent.objects.create(project=project, name=name, distributor=distributor)
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leadledger.ledger.models import Agent, Distributor
print(Distributor.objects.count(), Distributor.objects.filter(project__code="a").count())
agents = Agent.objects.filter(project__code="b").order_by("pk")
print(" ".join(f"{a.name}:{a.distributor.name}:{a.distributor.project.code}" for a in agents))
"""


@pytest.mark.own_database
def test_migrations_turn_agents_distributor_names_into_distributors(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    result = subprocess.run([sys.executable, "-c", DISTRIBUTORS], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["4", "2", "小马:链家:b", "小牛:链家:b", "小羊:我爱我家:b"]
