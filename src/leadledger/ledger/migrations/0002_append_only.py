"""The database itself refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) of ledger events."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER ledger_event_no_update BEFORE UPDATE ON ledger_event "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;",
    "CREATE TRIGGER ledger_event_no_delete BEFORE DELETE ON ledger_event "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER ledger_event_no_update;", "DROP TRIGGER ledger_event_no_delete;"]
POSTGRESQL = [
    "CREATE FUNCTION ledger_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$;",
    "CREATE TRIGGER ledger_event_no_change BEFORE UPDATE OR DELETE ON ledger_event "
    "FOR EACH ROW EXECUTE FUNCTION ledger_event_refuse();",
    "CREATE TRIGGER ledger_event_no_truncate BEFORE TRUNCATE ON ledger_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_event_refuse();",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER ledger_event_no_truncate ON ledger_event;",
    "DROP TRIGGER ledger_event_no_change ON ledger_event;",
    "DROP FUNCTION ledger_event_refuse();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
