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
