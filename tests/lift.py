"""Lifting the append-only refusals, as someone holding the database file or the server's superuser could."""

from __future__ import annotations

from django.db import connection

INSERT_ONLY = (
    "ledger_event",
    "ledger_disclosure",
    "ledger_policychange",
    "ledger_lookup",
    "ledger_lookupsignal",
    "ledger_relationchange",
)


def lift_refusals(*tables: str) -> None:
    """Drop (SQLite) or disable (PostgreSQL) every trigger on these tables (all insert-only ones by default)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in tables or INSERT_ONLY:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
                for (name,) in cursor.fetchall():
                    cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred key checks of the history first
            for table in tables or INSERT_ONLY:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")


def run(sql: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
