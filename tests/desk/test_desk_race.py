"""Receptionists clicking at the same moment never give the same turn twice (Q-1), with real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leadledger.desk.models import DeskVisit

WORKER = Path(__file__).with_name("desk_race_worker.py")
DESKS, CLICKS = 3, 40


@pytest.mark.own_database
def test_racing_receptionists_use_every_turn_once(race_database: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": race_database,
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        # Every worker clicks as one receptionist, far past a person's pace: the lookup limit is not the test.
        "LEADLEDGER_LOOKUPS_PER_MINUTE": "1000000",
        "LEADLEDGER_LOOKUPS_PER_HOUR": "1000000",
    }
    setup = subprocess.run([sys.executable, str(WORKER), "setup"], capture_output=True, text=True, env=env, check=False)
    assert setup.returncode == 0, setup.stderr
    site = json.loads(setup.stdout)["site"]
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "work", str(site), str(n), str(CLICKS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(DESKS)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0 and json.loads(out)["failures"] == 0, err[-2000:]
    check = subprocess.run(
        [sys.executable, "-c", _COUNT], capture_output=True, text=True, env=env, check=False, cwd=Path(__file__).parent
    )
    assert check.returncode == 0, check.stderr
    turns, served = json.loads(check.stdout)
    assert sorted(turns) == list(range(DESKS * CLICKS))  # every turn once: none given twice, none lost
    assert served == DESKS * CLICKS
    assert DeskVisit  # the model read by _COUNT below


_COUNT = """
import json, django
django.setup()
from leadledger.desk.models import DeskVisit, Rotation
turns = list(DeskVisit.objects.values_list("turn", flat=True))
served = sum(Rotation.objects.get().state["served"].values())
print(json.dumps([turns, served]))
"""
