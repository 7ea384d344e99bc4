"""The desk keeps working while a large import runs: the import writes in short transactions (issue 13).

A 200,000-row import in one transaction held the write lock for about a minute, and the desk's
searches behind it failed after 30 s. Here an importer and a receptionist run as real processes on
one database (a SQLite file, then PostgreSQL): every desk request succeeds, the desk's visits are
recorded between the import's batches, and the chain verifies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("import_desk_worker.py")
ROWS, BATCH = 6000, 500


@pytest.mark.own_database
def test_the_desk_searches_and_registers_while_a_large_import_runs(race_database: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": race_database,
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "LEADLEDGER_IMPORT_BATCH": str(BATCH),
        # One desk searching as fast as it can, far past a person's pace: the lookup limit lifted.
        "LEADLEDGER_LOOKUPS_PER_MINUTE": "1000000",
        "LEADLEDGER_LOOKUPS_PER_HOUR": "1000000",
        "LEADLEDGER_KEY_FILE": str(tmp_path / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(tmp_path / "checkpoints.jsonl"),
    }
    register, done_flag, started_flag = tmp_path / "register.csv", tmp_path / "done", tmp_path / "started"
    setup = subprocess.run(
        [sys.executable, str(WORKER), "setup", str(ROWS), str(register)], capture_output=True, text=True, env=env
    )
    assert setup.returncode == 0, setup.stderr
    site = json.loads(setup.stdout)["site"]
    desk = subprocess.Popen(
        [sys.executable, str(WORKER), "desk", str(site), str(done_flag), str(started_flag)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    while not started_flag.exists() and desk.poll() is None:  # the desk is at work before the import starts
        time.sleep(0.05)
    importer = subprocess.run(
        [sys.executable, str(WORKER), "import", str(register)], capture_output=True, text=True, env=env, timeout=900
    )
    done_flag.touch()
    out, err = desk.communicate(timeout=300)
    assert importer.returncode == 0, importer.stderr[-3000:]
    assert json.loads(importer.stdout)["imported"] == ROWS
    assert desk.returncode == 0, err[-3000:]
    worked = json.loads(out)
    assert worked["failures"] == 0, err[-3000:]
    check = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, env=env, cwd=WORKER.parent)
    assert check.returncode == 0, check.stderr[-3000:]
    between, problems = json.loads(check.stdout)
    assert between > 0, "no desk visit was recorded while the import was saving"
    assert problems == 0


_CHECK = """
import json, django
django.setup()
from leadledger.desk.models import DeskVisit
from leadledger.imports.models import ImportedRow
from leadledger.ledger import models
from leadledger.ledger.verify import verify
imported = list(ImportedRow.objects.values_list("seq", flat=True))
first, last = min(imported), max(imported)
between = DeskVisit.objects.filter(seq__gt=first, seq__lt=last).count()
print(json.dumps([between, verify(models.Project.objects.get(code="hz-1"), lambda p: None)]))
"""
