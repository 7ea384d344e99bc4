"""The log of who saw or erased personal data is insert-only, like the events."""

from django.db import migrations

TABLE = "ledger_disclosure"
SQLITE = [
    f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the disclosure log is insert-only'); END;"
    for verb in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [f"DROP TRIGGER {TABLE}_no_{verb.lower()};" for verb in ("UPDATE", "DELETE")]
POSTGRESQL = [
    f"CREATE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the disclosure log is insert-only'; END $$;",
    f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse();",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse();",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE};",
    f"DROP TRIGGER {TABLE}_no_change ON {TABLE};",
    f"DROP FUNCTION {TABLE}_refuse();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_disclosure_roles_time_zone")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
