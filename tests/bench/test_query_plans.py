"""The workbench's pages never scan a table that grows with logged work (issue 17: "with no table scans").

A person's today page and the manager's team dashboard must cost the same whether the company logged a
thousand events or ten million: every statement they run reaches the growing tables (events, logs,
field work, the collection diary, reports, holdings, verdicts, follow-up plans) by an index, never by a
scan. Each statement the pages ran is explained again; SQLite says `SCAN table` for a full scan (with or
without an index), `SEARCH table USING INDEX` for a seek; PostgreSQL is asked with sequential scans off.
"""

from __future__ import annotations

import pytest
from django.test import Client

from leadledger.bench import services
from leadledger.bench.models import TeamKind
from office import PASSWORD, Office
from plans import SCAN, WHOLE_PROJECT, scans
from workbench import Workbench, call, workbench_create


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
    read, found = scans(client, url)
    assert read >= 5  # the page does read the growing tables: the check has something to check
    assert not found, "\n\n".join(found)


def test_the_scan_check_sees_a_scan() -> None:
    assert SCAN.search("SCAN ledger_event") and SCAN.search("Seq Scan on bench_fieldwork  (cost=0.00..1.01)")
    assert not SCAN.search("SEARCH ledger_event USING INDEX event_customer (customer_id=?)")


def test_the_check_sees_a_seek_on_the_project_alone() -> None:
    assert WHOLE_PROJECT.search("SEARCH ledger_verdict USING INDEX ledger_verdict_project_id_9c1c (project_id=?)")
    assert not WHOLE_PROJECT.search("SEARCH desk_holding USING COVERING INDEX holding_tabs (project_id=? AND staff=?)")
    assert not WHOLE_PROJECT.search(
        "SEARCH ledger_event USING INDEX event_staff (project_id=? AND staff_id=? AND at>?)"
    )
