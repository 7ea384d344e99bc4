"""The consultant's page: who holds which customer (kept by triggers on the verdicts), and follow-up plans.

`desk_holding` repeats the keys of `ledger_verdict.owners`, one row per owner. Triggers keep it in step
in the same statement as any insert, update or delete of a verdict (an event's re-judgement, a rebuild,
a policy change), on SQLite and on PostgreSQL alike; the existing verdicts are copied in once here.
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_INSERT = """
    INSERT INTO desk_holding (project_id, staff, customer_id)
    SELECT NEW.project_id, owner.key, NEW.customer_id FROM json_each(NEW.owners) AS owner
    WHERE json_type(NEW.owners) = 'object';
"""
SQLITE = [
    "CREATE TRIGGER desk_holding_on_insert AFTER INSERT ON ledger_verdict WHEN NEW.owners IS NOT NULL"
    f" BEGIN {SQLITE_INSERT} END",
    "CREATE TRIGGER desk_holding_on_update AFTER UPDATE OF owners ON ledger_verdict"
    " WHEN OLD.owners IS NOT NEW.owners"
    f" BEGIN DELETE FROM desk_holding WHERE customer_id = OLD.customer_id; {SQLITE_INSERT} END",
    "CREATE TRIGGER desk_holding_on_delete AFTER DELETE ON ledger_verdict"
    " BEGIN DELETE FROM desk_holding WHERE customer_id = OLD.customer_id; END",
    "INSERT INTO desk_holding (project_id, staff, customer_id)"
    " SELECT v.project_id, owner.key, v.customer_id FROM ledger_verdict v, json_each(v.owners) AS owner"
    " WHERE v.owners IS NOT NULL AND json_type(v.owners) = 'object'",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS desk_holding_on_insert",
    "DROP TRIGGER IF EXISTS desk_holding_on_update",
    "DROP TRIGGER IF EXISTS desk_holding_on_delete",
]
POSTGRESQL = [
    """
    CREATE FUNCTION desk_holding_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
    "CREATE TRIGGER desk_holding_on_insert_delete AFTER INSERT OR DELETE ON ledger_verdict"
    " FOR EACH ROW EXECUTE FUNCTION desk_holding_sync()",
    "CREATE TRIGGER desk_holding_on_update AFTER UPDATE OF owners ON ledger_verdict FOR EACH ROW"
    " WHEN (OLD.owners IS DISTINCT FROM NEW.owners) EXECUTE FUNCTION desk_holding_sync()",
    "INSERT INTO desk_holding (project_id, staff, customer_id)"
    " SELECT v.project_id, owner, v.customer_id FROM ledger_verdict v, jsonb_object_keys(v.owners) AS owner"
    " WHERE jsonb_typeof(v.owners) = 'object'",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS desk_holding_on_insert_delete ON ledger_verdict",
    "DROP TRIGGER IF EXISTS desk_holding_on_update ON ledger_verdict",
    "DROP FUNCTION IF EXISTS desk_holding_sync()",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0009_desk_notice"),
        ("ledger", "0017_sign_ins"),
    ]

    operations = [
        migrations.CreateModel(
            name="FollowUpPlan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField()),
                ("at", models.DateTimeField()),
                ("note", models.CharField(blank=True, default="", max_length=200)),
                ("next_contact", models.DateField(null=True)),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.customer"
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.project"
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.staff"),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["project", "staff", "next_contact"], name="followupplan_next")],
                "constraints": [models.UniqueConstraint(fields=("staff", "customer"), name="followupplan_unique")],
            },
        ),
        migrations.CreateModel(
            name="Holding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("staff", models.CharField(max_length=32)),
                (
                    "customer",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="ledger.customer",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="ledger.project",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["project", "staff"], name="holding_staff")],
                "constraints": [models.UniqueConstraint(fields=("customer", "staff"), name="holding_unique")],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
