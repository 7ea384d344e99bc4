"""Consultants taking a deposit on the same unit at the same moment: exactly one succeeds (S3 界定5 接待 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("deposit_race_worker.py")
UNITS = 30
CONSULTANTS = ("alice", "bob", "zhao")  # Zhao the manager may take a deposit too


@pytest.mark.own_database
def test_racing_deposits_give_each_unit_to_exactly_one(race_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    setup = subprocess.run(
        [sys.executable, str(WORKER), "setup", str(UNITS)], capture_output=True, text=True, env=env, check=False
    )
    assert setup.returncode == 0, setup.stderr
    made = json.loads(setup.stdout)
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), name, str(made["customer"]), json.dumps(made["units"])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in CONSULTANTS
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err[-2000:]
        results.append(json.loads(out))
    assert all(result["failures"] == 0 for result in results), results
    won = Counter(unit for result in results for unit in result["won"])
    assert sorted(won) == sorted(made["units"]) and set(won.values()) == {1}  # each unit once, none lost
    assert sum(result["lost"] for result in results) == UNITS * (len(CONSULTANTS) - 1)
    check = subprocess.run(
        [sys.executable, "-c", _COUNT], capture_output=True, text=True, env=env, check=False, cwd=Path(__file__).parent
    )
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout) == [UNITS, UNITS, []]


_COUNT = """
import json, django
django.setup()
from leadledger.ledger import logchain, models
from leadledger.sales.models import SaleLog
project = models.Project.objects.get()
print(json.dumps([
    models.Event.objects.filter(kind="deal").count(),
    SaleLog.objects.filter(kind="deposit").count(),
    [p.en for p in logchain.log_problems(logchain.SALES, project)],
]))
"""
