"""Signed checkpoints catch what the chain alone cannot: the last events deleted, the history rewritten."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from leadledger.ledger import checkpoints, models, services
from leadledger.ledger.chain import GENESIS, event_hash
from office import Office


def _history(office: Office, visits: int = 3) -> None:
    for _ in range(visits):
        services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)


def _tamper(sql: str, *params: object) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS ledger_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS ledger_event_no_delete")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred key checks of the history first
            cursor.execute("ALTER TABLE ledger_event DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def _problems(office: Office) -> list[checkpoints.CheckpointProblem]:
    return list(checkpoints.checkpoint_problems(office.project, checkpoints.checkpoints_logged(office.project)))


def test_an_untouched_chain_agrees_with_its_checkpoints(office: Office) -> None:
    _history(office)
    checkpoints.checkpoint_take(office.project)
    _history(office, 2)
    checkpoints.checkpoint_take(office.project)
    assert len(checkpoints.checkpoints_logged(office.project)) == 2
    assert _problems(office) == []


def test_deleting_the_last_events_is_caught(office: Office) -> None:
    _history(office)
    checkpoints.checkpoint_take(office.project)
    _tamper("DELETE FROM ledger_event WHERE seq = 3")
    assert [p.en for p in _problems(office)] == [
        "the checkpoint saw 3 events and only 2 remain: the last events were deleted"
    ]


def test_a_whole_history_rewritten_and_hashed_again_is_caught(office: Office) -> None:
    _history(office)
    checkpoints.checkpoint_take(office.project)
    # The attacker gives every visit to Bob and hashes the chain again: the chain itself verifies.
    prev = GENESIS
    for event in models.Event.objects.filter(project=office.project).order_by("seq"):
        body = event.body.replace(f'"staff":"{office.alice.pk}"', f'"staff":"{office.bob.pk}"')
        digest = event_hash(
            prev,
            event.seq,
            event.at,
            event.kind,
            body,
            project=office.project.pk,
            customer=event.customer_id,
            staff=office.bob.pk,
            actor=event.actor_id,
        )
        _tamper(
            "UPDATE ledger_event SET body = %s, staff_id = %s, prev_hash = %s, hash = %s WHERE id = %s",
            body,
            office.bob.pk,
            prev,
            digest,
            event.pk,
        )
        prev = digest
    assert [p.where for p in _problems(office)] == [
        f"checkpoint 3 ({checkpoints.checkpoints_logged(office.project)[0].at})"
    ]
    assert "rewritten" in _problems(office)[0].en


def test_a_forged_checkpoint_is_refused(office: Office) -> None:
    _history(office)
    real = checkpoints.checkpoint_take(office.project)
    forged = checkpoints.Checkpoint(project=real.project, seq=real.seq, head=real.head, at=real.at, signature="0" * 64)
    problems = list(checkpoints.checkpoint_problems(office.project, [forged]))
    assert len(problems) == 1 and "signature" in problems[0].en


def test_a_printed_checkpoint_reads_back_as_itself(office: Office) -> None:
    _history(office)
    real = checkpoints.checkpoint_take(office.project)
    assert checkpoints.parse_printed(real.printed()) == real


@pytest.mark.parametrize(
    "text", ["", "LL1.hz-1", "LL2.hz-1.3.ab.20261202T120000Z.ff", "LL1.hz-1.x.ab.20261202T120000Z.ff"]
)
def test_an_unreadable_printed_checkpoint_is_said_in_words(text: str) -> None:
    with pytest.raises(checkpoints.CheckpointError):
        checkpoints.parse_printed(text)


def test_the_key_file_is_readable_by_its_owner_only(office: Office, settings) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    checkpoints.checkpoint_take(office.project)
    mode = stat.S_IMODE(os.stat(settings.LEADLEDGER_KEY_FILE).st_mode)
    assert mode == 0o600


def test_the_command_prints_a_checkpoint_verify_checks_against(
    office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    from leadledger.cli import main

    _history(office)
    assert main(["checkpoint"]) == 0
    printed = capsys.readouterr().out.split(": ")[-1].strip()
    assert printed.startswith("LL2.hz-1.3.")
    _tamper("DELETE FROM ledger_event WHERE seq = 3")
    # The log outside the database is gone too: the printed copy the manager kept still catches it.
    import os

    from django.conf import settings

    os.remove(settings.LEADLEDGER_CHECKPOINT_LOG)
    assert main(["verify", "--lang", "en", "--checkpoint", printed]) == 1
    assert "the last events were deleted" in capsys.readouterr().out
    assert main(["verify", "--lang", "en", "--checkpoint", "LL1.nonsense"]) == 2
    assert "not a checkpoint" in capsys.readouterr().err


def test_a_backup_is_a_copy_that_verifies_and_comes_with_a_checkpoint(tmp_path: Path) -> None:
    # A real database file in another process: SQLite copies what is committed, as an office's backup does.
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'office.sqlite3'}",
        "LEADLEDGER_KEY_FILE": str(tmp_path / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(tmp_path / "checkpoints.jsonl"),
        "LEADLEDGER_LANG": "en",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "leadledger.cli", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)

    assert run("demo", "--no-serve", "--customers", "20").returncode == 0
    backup = tmp_path / "backup.sqlite3"
    made = run("backup", str(backup))
    assert made.returncode == 0, made.stderr
    printed = made.stdout.strip().splitlines()[-1].split(": ")[-1]
    # The events' head as the copy holds it (LL1 form): the log chains' heads would be the live database's.
    assert printed.startswith("LL1.demo.")
    env["DATABASE_URL"] = f"sqlite:///{backup}"
    checked = run("verify", "--checkpoint", printed)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run("backup", str(backup)).returncode == 2  # never overwrites


def test_the_schedule_signs_a_head_only_when_it_moved_a_log_moving_alone_included(office: Office) -> None:
    from leadledger.background import checkpoints_due
    from leadledger.ledger import lookups

    assert checkpoints_due() == ["hz-1"]  # never signed
    assert checkpoints_due() == []  # nothing moved since
    services.event_append(
        project=office.project, kind="visit", body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    )
    assert checkpoints_due() == ["hz-1"]
    lookups.lookup(
        project=office.project, user=office.sun.user, place=lookups.Place.DESK, query="张伟", find=lambda: []
    )
    assert checkpoints_due() == ["hz-1"]  # only the lookup log moved: signed all the same
    assert list(checkpoints.checkpoint_problems(office.project, checkpoints.checkpoints_logged(office.project))) == []
