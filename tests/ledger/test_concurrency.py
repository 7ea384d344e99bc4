"""Desks racing for the same new customers get exactly one first contact each, with real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("race_worker.py")


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    return subprocess.run([sys.executable, str(WORKER), *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.own_database
def test_racing_desks_give_every_contested_customer_exactly_one_owner(race_database: str) -> None:
    setup = _run(race_database, "setup")
    assert setup.returncode == 0, setup.stderr
    desks = json.loads(setup.stdout)
    env = {**os.environ, "DATABASE_URL": race_database, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "work", str(desk), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed, desk in enumerate(desks)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1]) == {"failures": 0}, err[-2000:]  # no "database is locked"
    check = _run(race_database, "check")
    assert check.returncode == 0, check.stderr
    result = json.loads(check.stdout)
    assert result == {"customers": 200, "events": 800, "owners_wrong": 0, "problems": 0}
