"""Query plans for the tests that promise a page reads growing tables by index: the statements a page ran,
explained again (SQLite's `EXPLAIN QUERY PLAN`; PostgreSQL's `EXPLAIN` with sequential scans off)."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

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


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a scan now means no index could serve
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def scans(client: Client, url: str) -> tuple[int, list[str]]:
    """How many statements read a growing table, and those that scan one (with their plans)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    read, found = 0, []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or not any(f'"{t}"' in sql for t in GROWING):
            continue
        read += 1
        plan = plan_of(sql)
        # PostgreSQL plans a handful of rows by cost, any index being as cheap as another: only SQLite's rule-based
        # choice says which index the statement can use.
        if SCAN.search(plan) or (connection.vendor == "sqlite" and WHOLE_PROJECT.search(plan)):
            found.append(f"{sql[:300]}\n  -> {plan}")
    return read, found
