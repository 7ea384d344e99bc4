"""A registration, through the API and through the agent's page, never scans a table that grows with the
project (issue 15's speed line: "no table scans, query plans checked on SQLite and PostgreSQL").

Each SELECT the request ran against a growing table is explained again: SQLite says `SCAN table` for a
full scan, PostgreSQL (asked with sequential scans off, so that a scan means no index could serve)
`Seq Scan on table`. Small data and no statistics on SQLite, which then plans as for big tables (with
ANALYZE on a few dozen events it rightly scans them; on the 1,000,000-customer database of
docs/benchmarks.md the same statements seek by index, as this test asks).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api_cast import Api, Cast, cast_make
from leadledger.engine.model import REGISTRATION
from leadledger.ledger import models
from office import Office

GROWING = (
    "ledger_event",
    "ledger_customer",
    "ledger_verdict",
    "ledger_lookup",
    "ledger_lookupsignal",
    "ledger_relation",
    "desk_holding",
    "api_token",
    "api_delivery",
    "api_notified",
    "channel_case",
    "channel_agentnotice",
    "sales_salelog",
)
SCAN = re.compile(rf"\bSCAN ({'|'.join(GROWING)})\b|Seq Scan on ({'|'.join(GROWING)})\b")


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a scan now means no index could serve
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _scans(captured: CaptureQueriesContext) -> tuple[int, list[str]]:
    read, found = 0, []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or not any(f'"{t}"' in sql for t in GROWING):
            continue
        read += 1
        plan = _plan(sql)
        if SCAN.search(plan):
            found.append(f"{sql[:400]}\n  -> {plan}")
    return read, found


@pytest.fixture
def busy(office: Office) -> Cast:
    """The API's cast in a project with some hundreds of customers and some registrations already."""
    cast = cast_make(office)
    project = office.project
    models.Customer.objects.bulk_create(
        models.Customer(project=project, name=f"{'王李刘陈杨'[i % 5]}客户{i}", phone=f"+86137{i:08d}").spell()
        for i in range(200)
    )
    for i in range(2):
        assert (
            Api(cast.keys["zhoutao"]).post("/registrations", {"name": "旧客", "phone": f"1360000{i:04d}"}).status_code
            == 200
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return cast


def test_a_registration_through_the_api_reaches_growing_tables_by_index(busy: Cast) -> None:
    api = Api(busy.keys["liming"])
    for phone in ("13900000011", "13600000001", "13700000007"):  # free, another agent's, the house's
        with CaptureQueriesContext(connection) as captured:
            assert api.post("/registrations", {"name": "陈红", "phone": phone}).status_code == 200
        read, scans = _scans(captured)
        assert read >= 3, phone  # it does read the growing tables: the check has something to check
        assert not scans, "\n\n".join(scans)


def test_a_registration_through_the_page_reaches_growing_tables_by_index(busy: Cast) -> None:
    client = Client()
    client.force_login(busy.liming.user)
    for phone in ("13900000011", "13600000001", "137****0007"):
        with CaptureQueriesContext(connection) as captured:
            assert client.post("/p/hz-1/agent/register/", {"name": "陈红", "phone": phone}).status_code == 302
        read, scans = _scans(captured)
        assert read >= 3, phone
        assert not scans, "\n\n".join(scans)
    assert models.Event.objects.filter(kind=REGISTRATION).count() == 5


def test_the_scan_check_sees_a_scan() -> None:
    assert SCAN.search("SCAN ledger_customer") and SCAN.search("Seq Scan on ledger_lookup  (cost=0.00..1.01)")
    assert not SCAN.search("SEARCH ledger_event USING INDEX event_project_kind_at (project_id=? AND kind=?)")
