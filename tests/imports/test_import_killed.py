"""kill -9 of the worker in the middle of an import: the job is failed by its old heartbeat and runs again.

Before, a job whose worker was killed stayed "reading" (or "saving") for ever. Here a real worker
process runs a confirmed import and is killed with SIGKILL after its second batch was committed;
the page's tidy-up (`import_jobs_tidy`, as an hour's visit to the page would) fails it with what
was stored, it is run again, and every row is stored exactly once, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("import_kill_worker.py")
ROWS, BATCH = 1200, 200


@pytest.mark.own_database
def test_an_import_whose_worker_is_killed_is_failed_then_run_again_without_storing_twice(
    race_database: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": race_database,
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "LEADLEDGER_IMPORT_BATCH": str(BATCH),
        "LEADLEDGER_IMPORT_PAUSE_MS": "400",  # slow enough that the kill lands between batches' ends
        "LEADLEDGER_KEY_FILE": str(tmp_path / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(tmp_path / "checkpoints.jsonl"),
    }
    setup = subprocess.run(
        [sys.executable, str(WORKER), "setup", str(ROWS)], capture_output=True, text=True, env=env, check=False
    )
    assert setup.returncode == 0, setup.stderr
    job = json.loads(setup.stdout.strip().splitlines()[-1])["job"]
    flag = tmp_path / "imported"
    worker = subprocess.Popen([sys.executable, str(WORKER), "run", str(job), str(flag)], env=env)
    deadline = time.monotonic() + 120
    while not (flag.exists() and flag.read_text() and int(flag.read_text()) >= 2 * BATCH):
        assert worker.poll() is None, "the worker ended before it was killed"
        assert time.monotonic() < deadline, "the import never reached its second batch"
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    after = subprocess.run(
        [sys.executable, str(WORKER), "after", str(job)], capture_output=True, text=True, env=env, check=False
    )
    assert after.returncode == 0, after.stderr
    found = json.loads(after.stdout.strip().splitlines()[-1])
    before = found["before"]
    assert before["status"] == "saving" and 2 * BATCH <= before["stored"] < ROWS  # stuck, as it was before
    assert found["failed"] == 1 and "导入中断" in found["error"] and "已保存" in found["error"]
    status, imported, skipped, rejected = found["again"]
    assert (status, rejected) == ("done", 0) and skipped == before["stored"] and imported == ROWS - before["stored"]
    assert found["events"] == found["stored"] == ROWS  # every row once
    assert found["problems"] == []
