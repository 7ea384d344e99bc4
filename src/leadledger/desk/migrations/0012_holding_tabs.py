""" "My customers" read from the holdings alone: each holding repeats its verdict's status and moments.

The triggers of 0010 copied only who owns a customer; the page then read 2,000 verdict rows spread over
the table for its tabs' counts (docs/decisions.md 545). Here the same triggers also copy the verdict's
`status`, `until`, `judged_at` and `channel_until`, and a verdict judged again with the same owners
updates its holdings in place. The existing holdings are filled in once, then indexed by
(project, staff, status, until, judged_at, channel_until, customer): a consultant's tabs are one range of it.
"""

from django.db import migrations, models

COLUMNS = "project_id, staff, customer_id, status, until, judged_at, channel_until"
SQLITE_INSERT = f"""
    INSERT INTO desk_holding ({COLUMNS})
    SELECT NEW.project_id, owner.key, NEW.customer_id, NEW.status, NEW.until, NEW.judged_at, NEW.channel_until
    FROM json_each(NEW.owners) AS owner WHERE json_type(NEW.owners) = 'object';
"""
SQLITE_COPIED = (
    "OLD.status IS NOT NEW.status OR OLD.until IS NOT NEW.until OR OLD.judged_at IS NOT NEW.judged_at"
    " OR OLD.channel_until IS NOT NEW.channel_until"
)
SQLITE_DELETE = (
    "CREATE TRIGGER desk_holding_on_delete AFTER DELETE ON ledger_verdict"
    " BEGIN DELETE FROM desk_holding WHERE customer_id = OLD.customer_id; END"
)
# SQLite remakes desk_holding to add a column with a default, and a trigger that names the table while it is
# being remade stops the rename: the triggers are dropped first and made again after the columns.
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS desk_holding_on_{verb}" for verb in ("insert", "update", "delete", "rejudge")]
SQLITE_BEFORE = [  # 0010's triggers, for the way back
    "CREATE TRIGGER desk_holding_on_insert AFTER INSERT ON ledger_verdict WHEN NEW.owners IS NOT NULL"
    " BEGIN INSERT INTO desk_holding (project_id, staff, customer_id) SELECT NEW.project_id, owner.key,"
    " NEW.customer_id FROM json_each(NEW.owners) AS owner WHERE json_type(NEW.owners) = 'object'; END",
    "CREATE TRIGGER desk_holding_on_update AFTER UPDATE OF owners ON ledger_verdict"
    " WHEN OLD.owners IS NOT NEW.owners BEGIN DELETE FROM desk_holding WHERE customer_id = OLD.customer_id;"
    " INSERT INTO desk_holding (project_id, staff, customer_id) SELECT NEW.project_id, owner.key,"
    " NEW.customer_id FROM json_each(NEW.owners) AS owner WHERE json_type(NEW.owners) = 'object'; END",
    SQLITE_DELETE,
]
SQLITE = [
    "CREATE TRIGGER desk_holding_on_insert AFTER INSERT ON ledger_verdict WHEN NEW.owners IS NOT NULL"
    f" BEGIN {SQLITE_INSERT} END",
    "CREATE TRIGGER desk_holding_on_update AFTER UPDATE OF owners ON ledger_verdict"
    " WHEN OLD.owners IS NOT NEW.owners"
    f" BEGIN DELETE FROM desk_holding WHERE customer_id = OLD.customer_id; {SQLITE_INSERT} END",
    # The same owners judged again: their rows take the new status and moments where they stand.
    "CREATE TRIGGER desk_holding_on_rejudge AFTER UPDATE OF status, until, judged_at, channel_until"
    f" ON ledger_verdict WHEN OLD.owners IS NEW.owners AND ({SQLITE_COPIED})"
    " BEGIN UPDATE desk_holding SET status = NEW.status, until = NEW.until, judged_at = NEW.judged_at,"
    " channel_until = NEW.channel_until WHERE customer_id = NEW.customer_id; END",
    SQLITE_DELETE,
    # A holding whose verdict is gone (drifted before this migration) keeps its blanks; verify reports it.
    "UPDATE desk_holding SET (status, until, judged_at, channel_until) = (SELECT v.status, v.until, v.judged_at,"
    " v.channel_until FROM ledger_verdict v WHERE v.customer_id = desk_holding.customer_id)"
    " WHERE EXISTS (SELECT 1 FROM ledger_verdict v WHERE v.customer_id = desk_holding.customer_id)",
]
POSTGRESQL_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION desk_holding_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.owners IS NOT DISTINCT FROM NEW.owners THEN
            UPDATE desk_holding SET status = NEW.status, until = NEW.until, judged_at = NEW.judged_at,
                channel_until = NEW.channel_until
            WHERE customer_id = NEW.customer_id;
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM desk_holding WHERE customer_id = OLD.customer_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND jsonb_typeof(NEW.owners) = 'object' THEN
            INSERT INTO desk_holding ({COLUMNS})
            SELECT NEW.project_id, owner, NEW.customer_id, NEW.status, NEW.until, NEW.judged_at, NEW.channel_until
            FROM jsonb_object_keys(NEW.owners) AS owner;
        END IF;
        RETURN NULL;
    END $$
"""
POSTGRESQL = [
    POSTGRESQL_FUNCTION,
    "DROP TRIGGER desk_holding_on_update ON ledger_verdict",
    "CREATE TRIGGER desk_holding_on_update AFTER UPDATE OF owners, status, until, judged_at, channel_until"
    " ON ledger_verdict FOR EACH ROW WHEN (OLD.owners IS DISTINCT FROM NEW.owners"
    " OR OLD.status IS DISTINCT FROM NEW.status OR OLD.until IS DISTINCT FROM NEW.until"
    " OR OLD.judged_at IS DISTINCT FROM NEW.judged_at OR OLD.channel_until IS DISTINCT FROM NEW.channel_until)"
    " EXECUTE FUNCTION desk_holding_sync()",
    "UPDATE desk_holding h SET status = v.status, until = v.until, judged_at = v.judged_at,"
    " channel_until = v.channel_until FROM ledger_verdict v WHERE v.customer_id = h.customer_id",
]
POSTGRESQL_BACK = [
    """
    CREATE OR REPLACE FUNCTION desk_holding_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM desk_holding WHERE customer_id = OLD.customer_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND jsonb_typeof(NEW.owners) = 'object' THEN
            INSERT INTO desk_holding (project_id, staff, customer_id)
            SELECT NEW.project_id, owner, NEW.customer_id FROM jsonb_object_keys(NEW.owners) AS owner;
        END IF;
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER desk_holding_on_update ON ledger_verdict",
    "CREATE TRIGGER desk_holding_on_update AFTER UPDATE OF owners ON ledger_verdict FOR EACH ROW"
    " WHEN (OLD.owners IS DISTINCT FROM NEW.owners) EXECUTE FUNCTION desk_holding_sync()",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0011_correct_notice_kinds"),
        ("ledger", "0025_search_reads_by_index"),
    ]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_DROP}), _run({"sqlite": SQLITE_BEFORE})),
        migrations.RemoveIndex(model_name="holding", name="holding_staff"),
        migrations.AddField(model_name="holding", name="status", field=models.CharField(default="", max_length=16)),
        migrations.AddField(model_name="holding", name="until", field=models.DateTimeField(null=True)),
        migrations.AddField(model_name="holding", name="judged_at", field=models.DateTimeField(null=True)),
        migrations.AddField(model_name="holding", name="channel_until", field=models.DateTimeField(null=True)),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_BACK}),
        ),
        migrations.AddIndex(
            model_name="holding",
            index=models.Index(
                fields=["project", "staff", "status", "until", "judged_at", "channel_until", "customer"],
                name="holding_tabs",
            ),
        ),
    ]
