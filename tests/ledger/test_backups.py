"""Backups taken while the desk registers restore to a database that verifies and misses nothing acknowledged."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("stream_worker.py")


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "LEADLEDGER_KEY_FILE": str(tmp_path / "keys" / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(tmp_path / "keys" / "checkpoints.jsonl"),
        "LEADLEDGER_LANG": "en",
    }


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "leadledger.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def _phones(url: str, tmp_path: Path) -> set[str]:
    code = "from leadledger.ledger.models import Customer; print(*Customer.objects.values_list('phone', flat=True))"
    env = _env(url, tmp_path)
    shown = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    return {line.removeprefix("+86") for line in shown.stdout.split()}


@pytest.mark.own_database
def test_a_backup_under_a_stream_of_registrations_restores_whole_and_verifies(
    race_database: str, spare_database: str, tmp_path: Path
) -> None:
    env = _env(race_database, tmp_path)
    setup = subprocess.run([sys.executable, str(WORKER), "setup"], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    stop = tmp_path / "stop"
    stream = subprocess.Popen(
        [sys.executable, str(WORKER), "stream", str(stop)], env=env, stdout=subprocess.PIPE, text=True
    )
    acknowledged: list[str] = []
    reader = threading.Thread(target=lambda: acknowledged.extend(line.strip() for line in stream.stdout or ()))
    reader.start()
    while len(acknowledged) < 30:  # the desk is well under way
        time.sleep(0.05)
    before = set(acknowledged)
    backup = tmp_path / ("office.sqlite3.bak" if race_database.startswith("sqlite") else "office.dump")
    made = _cli(env, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    while len(acknowledged) < len(before) + 10:  # registrations went on after the backup
        time.sleep(0.05)
    stop.touch()
    assert stream.wait(timeout=60) == 0
    reader.join()
    assert _cli(env, "checkpoint").returncode == 0  # as `serve` signs the head on its schedule

    target = _env(spare_database, tmp_path)
    restored = _cli(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "0 problems" in restored.stdout
    # Everything acknowledged before the backup began is in it; what came after is counted, not hidden.
    in_backup = _phones(spare_database, tmp_path)
    assert before <= in_backup
    assert "events recorded after this backup are not in it" in restored.stdout
    assert len(in_backup) < len(acknowledged)


@pytest.mark.own_database
def test_a_restore_never_overwrites_a_database_that_holds_events(race_database: str, tmp_path: Path) -> None:
    env = _env(race_database, tmp_path)
    assert subprocess.run([sys.executable, str(WORKER), "setup"], env=env).returncode == 0
    stop = tmp_path / "stop"
    stream = subprocess.Popen(
        [sys.executable, str(WORKER), "stream", str(stop)], env=env, stdout=subprocess.PIPE, text=True
    )
    # Wait for acknowledged registrations, not for a time: on a loaded machine three seconds passed
    # before the worker had written one, and an empty database may rightly be restored over.
    assert stream.stdout is not None
    for _ in range(5):
        assert stream.stdout.readline(), "the stream stopped before registering"
    stop.touch()
    stream.communicate(timeout=60)
    backup = tmp_path / ("office.sqlite3.bak" if race_database.startswith("sqlite") else "office.dump")
    assert _cli(env, "backup", str(backup)).returncode == 0
    refused = _cli(env, "restore", str(backup))
    assert refused.returncode == 2
    assert "--replace" in refused.stderr
    replaced = _cli(env, "restore", str(backup), "--replace")
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert "the database it replaced is kept as" in replaced.stdout


def test_a_file_that_is_not_a_backup_is_refused_in_words(tmp_path: Path) -> None:
    env = _env(f"sqlite:///{tmp_path / 'office.sqlite3'}", tmp_path)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    refused = _cli(env, "restore", str(junk))
    assert refused.returncode == 2
    assert "is not a LeadLedger SQLite backup" in refused.stderr
    assert _cli(env, "restore", str(tmp_path / "missing")).stderr.strip() == f"no backup file {tmp_path / 'missing'}"
