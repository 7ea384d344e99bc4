"""`verify` finds every edit, deletion, insertion and reordering, and every stale verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from leadledger.cli import main
from leadledger.ledger import convert, models, selectors, services
from leadledger.ledger.verify import Problem, verify
from lift import lift_refusals, run
from office import Office


def _history(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    services.event_append(
        project=office.project, kind="follow_up", body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    )
    services.visit_register(project=office.project, customer=office.zhang, staff=office.bob)


def _problems(office: Office) -> list[Problem]:
    found: list[Problem] = []
    verify(office.project, found.append)
    return found


@pytest.fixture
def tamper(office: Office) -> Iterator[object]:
    """Raw SQL with the append-only triggers out of the way, as someone with the database file could."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("DROP TRIGGER ledger_event_no_update")
            cursor.execute("DROP TRIGGER ledger_event_no_delete")
        else:
            cursor.execute("ALTER TABLE ledger_event DISABLE TRIGGER USER")

    def run(sql: str, *params: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    yield run


def test_an_untouched_ledger_verifies(office: Office) -> None:
    _history(office)
    assert _problems(office) == []


def test_an_edited_event_is_caught(office: Office, tamper) -> None:  # type: ignore[no-untyped-def]
    _history(office)
    tamper(
        "UPDATE ledger_event SET body = REPLACE(body, %s, %s) WHERE seq = 3", str(office.bob.pk), str(office.alice.pk)
    )
    assert any(p.where == "event 3" and "edited" in p.en for p in _problems(office))


def test_a_deleted_event_is_caught(office: Office, tamper) -> None:  # type: ignore[no-untyped-def]
    _history(office)
    tamper("DELETE FROM ledger_event WHERE seq = 2")
    assert any(p.where == "event 3" and "deleted or inserted" in p.en for p in _problems(office))


def test_an_inserted_event_is_caught(office: Office, tamper) -> None:  # type: ignore[no-untyped-def]
    _history(office)
    last = models.Event.objects.get(seq=3)
    models.Event.objects.create(
        project=office.project, seq=4, kind="follow_up", at=last.at, body=last.body, prev_hash=last.hash, hash="f" * 64
    )
    assert any(p.where == "event 4" and "edited" in p.en for p in _problems(office))


def test_reordered_events_are_caught(office: Office, tamper) -> None:  # type: ignore[no-untyped-def]
    _history(office)
    tamper("UPDATE ledger_event SET seq = -1 WHERE seq = 2")
    tamper("UPDATE ledger_event SET seq = 2 WHERE seq = 3")
    tamper("UPDATE ledger_event SET seq = 3 WHERE seq = -1")
    assert any("reordered" in p.en for p in _problems(office))


def test_a_stale_verdict_is_caught(office: Office) -> None:
    _history(office)
    models.Verdict.objects.filter(customer=office.zhang).update(owners={str(office.bob.pk): "1"})
    problems = _problems(office)
    assert [p.where for p in problems] == [f"customer {office.zhang.pk}"]


def test_the_command_exits_1_on_a_problem_and_0_when_consistent(
    office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    _history(office)
    assert main(["verify", "--lang", "en"]) == 0
    said = capsys.readouterr()
    assert "3 events checked, 0 problems" in said.out
    # progress on standard error, each stage ending once at 100%
    assert said.err.count("checking the chain, reading events 100% 3/3") == 1
    assert said.err.count("replaying and comparing verdicts 100% 1/1") == 1
    models.Verdict.objects.filter(customer=office.zhang).delete()
    assert main(["verify", "--project", "hz-1", "--lang", "en"]) == 1
    assert "no stored verdict" in capsys.readouterr().out


def _worker(url: str, *args: str) -> str:
    return _worker_run(url, *args).stdout


def _worker_run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("verify_worker.py")), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.own_database
def test_workers_in_parallel_find_what_one_process_finds(race_database: str) -> None:
    # Referrals and deals reach across households: the workers' shares must keep them together,
    # or a referred customer's verdict would be replayed without the referrer's owner.
    _worker(race_database, "setup")
    assert json.loads(_worker(race_database, "verify", "1")) == []
    assert json.loads(_worker(race_database, "verify", "3")) == []
    stale = int(_worker(race_database, "tamper"))
    alone = json.loads(_worker(race_database, "verify", "1"))
    together = json.loads(_worker(race_database, "verify", "3"))
    assert together == alone
    events = [(where, text) for where, text in alone if where.startswith("event")]
    assert [where for where, _ in events] == ["event 5", "event 40", "event 60", "event 60"]
    assert "cannot be read as an event" in events[3][1]
    # the tampered verdict, and those that rested on the unreadable event 60
    assert f"customer {stale}" in [where for where, text in alone if "differs from the replay" in text]


@pytest.mark.own_database
def test_a_deletion_or_reordering_at_the_edge_of_two_workers_ranges_is_caught(race_database: str) -> None:
    # Each worker checks the links inside its range; the links between ranges are checked at the end.
    _worker(race_database, "setup")
    deleted, swapped = json.loads(_worker(race_database, "tamper-edges", "3"))
    alone = json.loads(_worker(race_database, "verify", "1"))
    together = json.loads(_worker(race_database, "verify", "3"))
    assert together == alone
    chain = {where for where, text in alone if where.startswith("event")}
    assert f"event {deleted + 1}" in chain  # "expected event {deleted} here"
    assert {f"event {swapped}", f"event {swapped + 1}"} <= chain
    assert any(f"expected event {deleted} here" in text for _where, text in together)


@pytest.mark.own_database
def test_a_failing_worker_stops_verify_instead_of_leaving_it_waiting(race_database: str) -> None:
    _worker(race_database, "setup")
    assert _worker(race_database, "dies", "raise").startswith("verify: a worker failed")
    # killed outright, before sending the others its rows: they would wait for ever
    assert _worker(race_database, "dies", "exit").startswith("verify: worker 1 ended without a report (exit code 3)")


@pytest.mark.own_database
def test_the_workers_progress_reaches_the_caller(race_database: str) -> None:
    _worker(race_database, "setup")
    said = json.loads(_worker_run(race_database, "verify", "3").stderr.splitlines()[-1])
    events = said[-3][2]
    assert events > 100
    # worker 0 speaks for all: the chain's progress ends once at its total, then the judging's
    assert [stage for stage in said if stage[0] == "chain"][-1] == ["chain", events, events]
    assert said[-2][:2] == ["judge", 0] and said[-1][0] == "judge" and said[-1][1] == said[-1][2]


def test_workers_asked_for_inside_a_transaction_verify_in_one_process(office: Office, tamper) -> None:  # type: ignore[no-untyped-def]
    # A forked worker could not see this test's uncommitted (and in-memory) data: one process it is.
    _history(office)
    assert _problems_with(office, workers=3) == []
    tamper("UPDATE ledger_event SET body = REPLACE(body, '\"staff\"', '\"staff\" ') WHERE seq = 2")
    assert [p.where for p in _problems_with(office, workers=3)] == ["event 2"]


def _problems_with(office: Office, *, workers: int) -> list[Problem]:
    found: list[Problem] = []
    verify(office.project, found.append, workers=workers)
    return found


def _a_visit_judged_differently_by_the_presets(office: Office) -> None:
    # With no follow-up yet, the default preset waits for one (IH-4); 方法 asks for none.
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)


def test_a_policy_change_without_a_rejudge_leaves_verify_clean(office: Office) -> None:
    _a_visit_judged_differently_by_the_presets(office)
    stored = models.Verdict.objects.get(customer=office.zhang)
    services.policy_set(project=office.project, policy={"preset": "方法"}, user=office.zhao.user)
    assert models.Verdict.objects.get(customer=office.zhang).policy_version == stored.policy_version  # not re-judged
    # Under today's policy this verdict would read otherwise: judged under it, verify would cry wolf.
    today = selectors.timeline_for(office.project, [office.zhang.pk]).verdict(str(office.zhang.pk), stored.judged_at)
    assert today.status != stored.status
    assert _problems(office) == []
    assert main(["verify", "--project", office.project.code]) == 0


def test_a_verdict_tampered_after_a_policy_change_is_still_caught(office: Office) -> None:
    _history(office)
    services.policy_set(project=office.project, policy={"preset": "方法", "valid_days": 20}, user=office.zhao.user)
    models.Verdict.objects.filter(customer=office.zhang).update(owners={str(office.bob.pk): "1"})
    assert [p.where for p in _problems(office)] == [f"customer {office.zhang.pk}"]


def test_each_verdict_is_judged_under_the_policy_it_records(office: Office) -> None:
    # Judged again under the new policy, a verdict must match that policy's replay, not the old one's.
    _a_visit_judged_differently_by_the_presets(office)
    services.policy_set(project=office.project, policy={"preset": "方法"}, user=office.zhao.user)
    services.verdicts_rebuild(project=office.project, now=timezone.now())
    services.policy_set(project=office.project, policy={}, user=office.zhao.user)
    assert _problems(office) == []
    versions = set(models.Verdict.objects.values_list("policy_version", flat=True))
    assert len(versions) == 1 and versions != {convert.policy_of(office.project).version}


def test_a_verdict_under_a_policy_the_project_never_had_is_reported(office: Office) -> None:
    _history(office)
    models.Verdict.objects.filter(customer=office.zhang).update(policy_version="default@000000000000")
    problems = _problems(office)
    assert [p.where for p in problems] == [f"customer {office.zhang.pk}"]
    assert "default@000000000000" in problems[0].en and "规则版本" in problems[0].zh


# Chain version 2: every column that carries meaning.


def _named(problems: list[Problem], seq: int) -> list[str]:
    return [p.en for p in problems if p.where == f"event {seq}"]


def test_moving_an_event_to_another_customer_is_caught_and_named(office: Office) -> None:
    # The attack: Zhang's first visit filed under Li, who would then be Alice's at the next visit.
    _history(office)
    li, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="138 0000 0002")
    lift_refusals("ledger_event")
    run("UPDATE ledger_event SET customer_id = %s WHERE seq = 1", li.pk)
    named = _named(_problems(office), 1)
    assert any("edited" in text for text in named)
    assert f"its customer_id column is {li.pk} but its body says {office.zhang.pk}" in " ".join(named)


def test_a_changed_actor_is_caught(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice, actor=office.sun.user)
    lift_refusals("ledger_event")
    run("UPDATE ledger_event SET actor_id = %s WHERE seq = 1", office.zhao.user.pk)
    assert any("actor" in text and "edited" in text for text in _named(_problems(office), 1))


def test_a_changed_staff_column_is_caught_and_named(office: Office) -> None:
    _history(office)
    lift_refusals("ledger_event")
    run("UPDATE ledger_event SET staff_id = %s WHERE seq = 2", office.bob.pk)
    assert any("staff_id column" in text for text in _named(_problems(office), 2))


def test_an_event_moved_to_another_project_is_caught_in_both(office: Office) -> None:
    from leadledger.ledger import checkpoints
    from office import office_create

    _history(office)
    checkpoints.checkpoint_take(office.project)
    other = office_create("sh-2", "上海二期")
    services.visit_register(project=other.project, customer=other.zhang, staff=other.alice)
    lift_refusals("ledger_event")
    run(
        "UPDATE ledger_event SET project_id = %s, seq = 2 WHERE project_id = %s AND seq = 3",
        other.project.pk,
        office.project.pk,
    )
    # Its project's chain ends early: the checkpoint says so.
    logged = checkpoints.checkpoints_logged(office.project)
    assert ["deleted" in p.en for p in checkpoints.checkpoint_problems(office.project, logged)] == [True]
    found: list[Problem] = []
    verify(other.project, found.append)
    assert any(p.where == "event 2" and "edited" in p.en for p in found)


def test_a_project_migrated_from_chain_v1_still_catches_a_moved_customer(office: Office) -> None:
    # Events before chain_v2_from keep their version 1 hashes (customer_id outside them): verify
    # checks the column against the body instead.
    models.Project.objects.filter(pk=office.project.pk).update(chain_v2_from=3)
    office.project.refresh_from_db()
    _history(office)
    li, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="138 0000 0002")
    assert _problems(office) == []
    lift_refusals("ledger_event")
    run("UPDATE ledger_event SET customer_id = %s WHERE seq = 1", li.pk)
    named = _named(_problems(office), 1)
    assert named == [f"its customer_id column is {li.pk} but its body says {office.zhang.pk}: the column was changed"]


def test_moving_the_version_boundary_is_caught(office: Office) -> None:
    _history(office)
    models.Project.objects.filter(pk=office.project.pk).update(chain_v2_from=3)
    office.project.refresh_from_db()
    assert [p.where for p in _problems(office)] == ["event 1", "event 2"]
