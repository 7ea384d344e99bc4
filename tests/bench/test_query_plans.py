"""The workbench's pages never scan a table that grows with logged work (issue 17: "with no table scans").

A person's today page and the manager's team dashboard must cost the same whether the company logged a
thousand events or ten million: every statement they run reaches the growing tables (events, logs,
field work, the collection diary, reports, holdings, verdicts, follow-up plans) by an index, never by a
scan. Each statement the pages ran is explained again; SQLite says `SCAN table` for a full scan (with or
without an index), `SEARCH table USING INDEX` for a seek; PostgreSQL is asked with sequential scans off.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from leadledger.bench import services
from leadledger.bench.models import TeamKind
from office import PASSWORD, Office
from workbench import Workbench, call, workbench_create

# Tables that grow with a company's logged work; the others (people, teams, duty templates, sites) are a
# project's roster, read whole by design.
GROWING = (
    "ledger_event",
    "ledger_customer",
    "ledger_verdict",
    "desk_holding",
    "desk_followupplan",
    "bench_worklogentry",
    "bench_fieldwork",
    "bench_collectionentry",
    "bench_report",
    "bench_complaint",
    "bench_survey",
)
SCAN = re.compile(rf"\bSCAN ({'|'.join(GROWING)})\b|Seq Scan on ({'|'.join(GROWING)})\b")
# A seek on the project alone reads the whole company's rows, a scan in all but name: the today page's
# "customers I own" once read every verdict of the project by it (47 ms a person at 10,000,000 events).
WHOLE_PROJECT = re.compile(
    rf"SEARCH ({'|'.join(GROWING)}) USING (?:COVERING )?INDEX \S+ \(project_id=\?\)$",
    re.MULTILINE,
)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a scan now means no index could serve
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _scans(client: Client, url: str) -> tuple[int, list[str]]:
    """How many statements read a growing table, and those that scan one (with their plans)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    read, found = 0, []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or not any(f'"{t}"' in sql for t in GROWING):
            continue
        read += 1
        plan = _plan(sql)
        # PostgreSQL plans a handful of rows by cost, any index being as cheap as another: only SQLite's rule-based
        # choice says which index the statement can use.
        if SCAN.search(plan) or (connection.vendor == "sqlite" and WHOLE_PROJECT.search(plan)):
            found.append(f"{sql[:300]}\n  -> {plan}")
    return read, found


@pytest.fixture
def busy(office: Office) -> Workbench:
    """The workbench's cast with some of everything a page reads: calls, logs, field duties."""
    bench = workbench_create(office)
    for _ in range(3):
        call(office, office.zhang, office.alice)
    services.log_write(staff=office.alice, text="回访三位老客户")
    services.presets_install(by=office.zhao, kind=TeamKind.DISTRIBUTION)
    return bench


@pytest.mark.parametrize(("username", "url"), [("alice", "/p/hz-1/bench/"), ("zhao", "/p/hz-1/bench/team/")])
def test_the_today_page_and_the_team_dashboard_reach_growing_tables_by_index(
    busy: Workbench, username: str, url: str
) -> None:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    read, scans = _scans(client, url)
    assert read >= 5  # the page does read the growing tables: the check has something to check
    assert not scans, "\n\n".join(scans)


def test_the_scan_check_sees_a_scan() -> None:
    assert SCAN.search("SCAN ledger_event") and SCAN.search("Seq Scan on bench_fieldwork  (cost=0.00..1.01)")
    assert not SCAN.search("SEARCH ledger_event USING INDEX event_customer (customer_id=?)")


def test_the_check_sees_a_seek_on_the_project_alone() -> None:
    assert WHOLE_PROJECT.search("SEARCH ledger_verdict USING INDEX ledger_verdict_project_id_9c1c (project_id=?)")
    assert not WHOLE_PROJECT.search("SEARCH desk_holding USING INDEX holding_staff (project_id=? AND staff=?)")
    assert not WHOLE_PROJECT.search(
        "SEARCH ledger_event USING INDEX event_staff (project_id=? AND staff_id=? AND at>?)"
    )
