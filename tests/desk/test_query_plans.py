"""The ask-first search never scans the customer table, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leadledger.desk import selectors
from leadledger.ledger import models
from office import Office

INDEXES = "customer_name|customer_pinyin|customer_initials|customer_phone|customer_phone_tail_phone"
# A mask's matches, told apart by their phones, are then read by their keys (ledger.selectors.customer_search).
SEARCH_INDEX = re.compile(
    rf"(INDEX|Index Scan using|Bitmap Index Scan on) ({INDEXES}|ledger_customer_pkey)\b|INTEGER PRIMARY KEY"
    r"|\(project_id=\? AND rowid=\?\)"  # SQLite: the project's index entered by each match's key
)
# 1380****001 (前四后三) has eleven stored tails: with ORDER BY pk, SQLite walked the project index instead.
QUERIES = ["13800000001", "138****0001", "1380****001", "张伟", "张", "zhangwei", "zw"]


def _plan(sql: str, params: tuple[object, ...]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # only an index can avoid a scan now
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("analyzed", [True, False], ids=["statistics", "no-statistics"])
@pytest.mark.parametrize("query", QUERIES)
def test_each_kind_of_search_uses_an_index(office: Office, query: str, analyzed: bool) -> None:
    # Enough customers, with fresh statistics, that a planner judges by the data, as on a real database
    # (on a few rows it may rightly walk the project index: the plan must not depend on that). And without
    # any: nothing runs ANALYZE on an office's SQLite file.
    if not analyzed and connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its statistics itself (autovacuum)")
    models.Customer.objects.bulk_create(
        models.Customer(project=office.project, name=f"{'王李刘陈杨'[i % 5]}客户{i}", phone=f"+86139{i:08d}").spell()
        for i in range(3000)
    )
    if analyzed:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        found = selectors.search(office.project, query)
    assert [c.name for c in found] == ["张伟"]
    statements = [q["sql"] for q in captured.captured_queries if "ledger_customer" in q["sql"]]
    assert statements
    with connection.cursor() as cursor:
        for statement in statements:
            # Re-run the statement's plan with its parameters bound by the driver.
            sql, params = _unbind(cursor, statement)
            plan = _plan(sql, params)
            # Not a scan, and not a walk through every customer of the project by its project index:
            # one of the search's own indexes, entered by more than the project.
            assert "SCAN ledger_customer" not in plan and "Seq Scan on ledger_customer" not in plan, plan
            assert SEARCH_INDEX.search(plan), plan
            if (
                '"phone_tail" IN' in statement and connection.vendor == "sqlite"
            ):  # a mask's candidates, by the index alone
                assert "COVERING INDEX customer_phone_tail_phone" in plan, plan


def _unbind(cursor: object, statement: str) -> tuple[str, tuple[object, ...]]:
    # The captured SQL has its values inlined; plans do not depend on how they were bound.
    return statement, ()
