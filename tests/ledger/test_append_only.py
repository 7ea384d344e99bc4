"""The insert-only tables refuse a row rewritten through an insert: INSERT OR REPLACE, REPLACE INTO, upserts."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from leadledger.ledger import models, services
from lift import run
from office import Office

COLUMNS = {
    "ledger_event": "id, project_id, seq, kind, at, actor_id, customer_id, staff_id, body, prev_hash, hash",
    "ledger_disclosure": "id, project_id, customer_id, user_id, kind, reason, at, seq, prev_hash, hash",
    "ledger_policychange": "id, project_id, policy, version, user_id, at, seq, prev_hash, hash",
}


def _history(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    services.personal_data_show(
        project=office.project, customer=office.zhang, user=office.zhao.user, field="phone", reason="回访"
    )
    services.policy_set(project=office.project, policy={"valid_days": 30}, user=office.zhao.user)


def _rewrite(table: str, column: str, value: str, verb: str) -> None:
    """Insert the table's first row again, one column changed: the old row would be replaced by it."""
    columns = COLUMNS[table]
    chosen = ", ".join(("%s" if name == column else name) for name in columns.split(", "))
    if verb == "upsert":
        # The form both databases speak: an insert that updates the row it collides with.
        sets = ", ".join(f"{name} = excluded.{name}" for name in columns.split(", ")[1:])
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {chosen} FROM {table} WHERE id = %s "
            f"ON CONFLICT (id) DO UPDATE SET {sets}"
        )
    else:
        sql = f"{verb} INTO {table} ({columns}) SELECT {chosen} FROM {table} WHERE id = %s"
    first = {"ledger_event": models.Event, "ledger_disclosure": models.Disclosure}.get(table, models.PolicyChange)
    run(sql, value, first.objects.order_by("pk").values_list("pk", flat=True).first())


REWRITES = [
    ("ledger_event", "body", '{"customer":"1","staff":"999"}'),
    ("ledger_disclosure", "reason", "改过的理由"),
    ("ledger_policychange", "version", "default@000000000000"),
]


@pytest.mark.parametrize(("table", "column", "value"), REWRITES)
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE", "upsert"])
def test_a_row_rewritten_by_an_insert_is_refused(
    office: Office, table: str, column: str, value: str, verb: str
) -> None:
    if verb != "upsert" and connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE and REPLACE INTO are SQLite's")
    _history(office)
    before = list(_rows(table))
    with pytest.raises(DatabaseError, match=r"insert-only|append-only"), transaction.atomic():
        _rewrite(table, column, value, verb)
    assert list(_rows(table)) == before


def _rows(table: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()


def test_a_new_row_is_still_accepted(office: Office) -> None:
    _history(office)
    services.visit_register(project=office.project, customer=office.zhang, staff=office.bob)
    assert models.Event.objects.count() == 2
